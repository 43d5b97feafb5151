import PropertyBased
import Testing
import VipdCore
import VipdVRRPPacket

/// An advertisement with the IP addresses it is sent between.
private struct Sample: Sendable, CustomStringConvertible {
    var advertisement: VRRPAdvertisement
    var source: IPAddress
    var destination: IPAddress

    var description: String { "\(advertisement) from \(source) to \(destination)" }
}

/// A random address of `family`.
private func randomAddress(_ family: IPAddress.Family, using rng: inout some RandomNumberGenerator) -> IPAddress {
    let bytes = (0..<(family == .v4 ? 4 : 16)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    guard let address = IPAddress(bytes: bytes) else { preconditionFailure("4 or 16 bytes make an address") }
    return address
}

/// Any advertisement `encode` accepts: every version, family, field range, interval and password.
private let validSamples = Generator<Sample, Shrink.None<Sample>>(run: { rng in
    let version: VRRPVersion = Bool.random(using: &rng) ? .v2 : .v3
    let family: IPAddress.Family = version == .v2 || Bool.random(using: &rng) ? .v4 : .v6
    let intervalUnits = Int.random(in: 1...(version == .v2 ? 255 : 4095), using: &rng)
    let addresses = (0..<Int.random(in: 0...20, using: &rng)).map { _ in randomAddress(family, using: &rng) }
    var authentication = VRRPAuthentication.none
    if version == .v2, Bool.random(using: &rng) {
        var password = (0..<Int.random(in: 0...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        if password.last == 0 { password[password.count - 1] = 1 }
        authentication = .simplePassword(password)
    }
    let source = randomAddress(family, using: &rng)
    let destination =
        Bool.random(using: &rng)
        ? (family == .v4 ? VRRPPacketCodec.ipv4MulticastGroup : VRRPPacketCodec.ipv6MulticastGroup)
        : randomAddress(family, using: &rng)
    let advertisement = VRRPAdvertisement(
        version: version, virtualRouterID: UInt8.random(in: 1...255, using: &rng),
        priority: UInt8.random(in: 0...255, using: &rng),
        interval: version == .v2 ? .seconds(intervalUnits) : .milliseconds(intervalUnits * 10),
        addresses: addresses, authentication: authentication)
    return Sample(advertisement: advertisement, source: source, destination: destination)
})

/// A valid advertisement's message, then 1...4 random edits: a byte changed, inserted or removed,
/// or the end cut off; half of the time the VRRP checksum is made right again, so that the
/// checks after it see the edits too.
private let mutatedMessages = Generator<(Sample, [UInt8]), Shrink.None<(Sample, [UInt8])>>(run: { rng in
    let sample = validSamples.run(using: &rng)
    var message = encoded(sample.advertisement, sample.source, sample.destination)
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
        let index = Int.random(in: 0...max(0, message.count - 1), using: &rng)
        switch Int.random(in: 0...4, using: &rng) {
        case 0 where !message.isEmpty: message[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        case 1 where !message.isEmpty: message[index] = UInt8.random(in: 0...255, using: &rng)
        case 2: message.insert(UInt8.random(in: 0...255, using: &rng), at: min(index, message.count))
        case 3 where !message.isEmpty: message.remove(at: index)
        default: message.removeLast(Int.random(in: 0...min(8, message.count), using: &rng))
        }
    }
    if message.count >= 8, Bool.random(using: &rng) {
        message = withVRRPChecksum(message, source: sample.source, destination: sample.destination)
    }
    return (sample, message)
})

/// If `result` is an advertisement, encoding it again and decoding that gives the same value.
private func expectReencodesConsistently(
    _ result: Result<VRRPReceivedPacket, VRRPPacketError>, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard case .success(let packet) = result else { return }
    let again = encoded(packet.advertisement, packet.source, packet.destination)
    let decodedAgain = Result { () throws(VRRPPacketError) in
        try VRRPPacketCodec.decode(
            again, source: packet.source, destination: packet.destination, hopLimit: packet.hopLimit)
    }
    #expect(decodedAgain == .success(packet), sourceLocation: sourceLocation)
}

@Suite("properties", .timeLimit(.minutes(1)))
struct PropertyTests {
    @Test func encodeThenDecodeIsTheIdentity() async {
        await propertyCheck(count: 1500, input: validSamples) { sample in
            let message = encoded(sample.advertisement, sample.source, sample.destination)
            let decoded = try VRRPPacketCodec.decode(
                message, source: sample.source, destination: sample.destination, hopLimit: 255)
            #expect(decoded.advertisement == sample.advertisement)
            // And through an IP header, as a capture or a raw socket delivers it.
            let packet =
                sample.source.family == .v4
                ? try VRRPPacketCodec.decodeIPv4Datagram(
                    ipv4Datagram(message, source: sample.source, destination: sample.destination))
                : try VRRPPacketCodec.decodeIPv6Packet(
                    ipv6Packet(message, source: sample.source, destination: sample.destination))
            #expect(packet == decoded)
        }
    }

    @Test func randomBytesNeverTrapAndDecodeConsistently() async {
        let source4 = ip("10.251.90.1")
        let source6 = ip("fe80::1")
        await propertyCheck(count: 1500, input: Gen.uint8().array(of: 0...80), Gen.bool) { bytes, fixChecksum in
            let message4 =
                fixChecksum && bytes.count >= 8
                ? withVRRPChecksum(bytes, source: source4, destination: vrrpGroup4) : bytes
            let message6 =
                fixChecksum && bytes.count >= 8
                ? withVRRPChecksum(bytes, source: source6, destination: vrrpGroup6) : bytes
            let results = [
                Result { () throws(VRRPPacketError) in
                    try VRRPPacketCodec.decode(message4, source: source4, destination: vrrpGroup4, hopLimit: 255)
                },
                Result { () throws(VRRPPacketError) in
                    try VRRPPacketCodec.decode(message6, source: source6, destination: vrrpGroup6, hopLimit: 255)
                },
                Result { () throws(VRRPPacketError) in try VRRPPacketCodec.decodeIPv4Datagram(bytes) },
                Result { () throws(VRRPPacketError) in try VRRPPacketCodec.decodeIPv6Packet(bytes) },
                Result { () throws(VRRPPacketError) in
                    try VRRPPacketCodec.decodeIPv4Datagram(
                        ipv4Datagram(message4, source: source4, destination: vrrpGroup4))
                },
                Result { () throws(VRRPPacketError) in
                    try VRRPPacketCodec.decodeIPv6Packet(ipv6Packet(message6, source: source6, destination: vrrpGroup6))
                },
            ]
            for result in results {
                expectReencodesConsistently(result)
            }
        }
    }

    @Test func mutatedAdvertisementsNeverTrapAndDecodeConsistently() async {
        await propertyCheck(count: 2000, input: mutatedMessages) { sample, message in
            let result = Result { () throws(VRRPPacketError) in
                try VRRPPacketCodec.decode(
                    message, source: sample.source, destination: sample.destination, hopLimit: 255)
            }
            expectReencodesConsistently(result)
            if case .failure(let error) = result {
                #expect(!error.counterKey.isEmpty)
            }
        }
    }
}
