import Foundation
import Testing
import VipdCore
import VipdVRRPPacket

/// A literal address of a test; traps on a typo.
func ip(_ text: String) -> IPAddress {
    guard let address = IPAddress(text) else { preconditionFailure("bad test address \(text)") }
    return address
}

let vrrpGroup4 = ip("224.0.0.18")
let vrrpGroup6 = ip("ff02::12")

/// The bytes spelled by `hex`, nil when it is not an even number of hex digits.
func bytes(hex: String) -> [UInt8]? {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var result: [UInt8] = []
    for index in stride(from: 0, to: digits.count, by: 2) {
        guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
            return nil
        }
        result.append(byte)
    }
    return result
}

/// The IP packet in `Fixtures/keepalived-<scenario>.hex`.
func keepalivedFixture(_ scenario: String) throws -> [UInt8] {
    let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    let url = folder.appendingPathComponent("keepalived-\(scenario).hex")
    let text = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    return try #require(bytes(hex: text), "\(url.path) is not hex")
}

/// RFC 1071's checksum, written here independently of the codec's: one's complement of the one's
/// complement sum of the big-endian 16-bit words, an odd last byte padded with zero.
func internetChecksum(_ data: [UInt8]) -> UInt16 {
    var sum = 0
    for index in stride(from: 0, to: data.count, by: 2) {
        sum += Int(data[index]) << 8 + (index + 1 < data.count ? Int(data[index + 1]) : 0)
    }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    return ~UInt16(sum)
}

/// Big-endian bytes of the low `count` bytes of `value`.
func bigEndian(_ value: Int, count: Int) -> [UInt8] {
    (0..<count).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
}

/// `message` with its VRRP checksum field set as RFC 3768 (v2: the message alone) and RFC 5798
/// section 5.2.8 (v3: IPv4 or IPv6 pseudo-header, then the message) say; the version is read
/// from the first byte. Lets a test patch a field and still get past the checksum check.
func withVRRPChecksum(_ message: [UInt8], source: IPAddress, destination: IPAddress) -> [UInt8] {
    var message = message
    message[6] = 0
    message[7] = 0
    var covered = message
    if message[0] >> 4 == 3 {
        let pseudoHeader =
            source.family == .v4
            ? source.bytes + destination.bytes + [0, 112] + bigEndian(message.count, count: 2)
            : source.bytes + destination.bytes + bigEndian(message.count, count: 4) + [0, 0, 0, 112]
        covered = pseudoHeader + message
    }
    let checksum = internetChecksum(covered)
    message[6] = UInt8(checksum >> 8)
    message[7] = UInt8(checksum & 0xFF)
    return message
}

/// An IPv4 datagram around `payload`: no options, DSCP CS6 like keepalived, header checksum set.
func ipv4Datagram(
    _ payload: [UInt8], source: IPAddress, destination: IPAddress, ttl: UInt8 = 255, protocolNumber: UInt8 = 112
) -> [UInt8] {
    var header: [UInt8] = [0x45, 0xC0] + bigEndian(20 + payload.count, count: 2) + [0, 0, 0, 0]
    header += [ttl, protocolNumber, 0, 0] + source.bytes + destination.bytes
    let checksum = internetChecksum(header)
    header[10] = UInt8(checksum >> 8)
    header[11] = UInt8(checksum & 0xFF)
    return header + payload
}

/// An IPv6 packet around `payload`: fixed header only.
func ipv6Packet(
    _ payload: [UInt8], source: IPAddress, destination: IPAddress, hopLimit: UInt8 = 255, nextHeader: UInt8 = 112
) -> [UInt8] {
    [0x60, 0, 0, 0] + bigEndian(payload.count, count: 2) + [nextHeader, hopLimit] + source.bytes + destination.bytes
        + payload
}

/// `VRRPPacketCodec.encode`, short.
func encoded(_ advertisement: VRRPAdvertisement, _ source: IPAddress, _ destination: IPAddress) -> [UInt8] {
    VRRPPacketCodec.encode(advertisement, source: source, destination: destination)
}
