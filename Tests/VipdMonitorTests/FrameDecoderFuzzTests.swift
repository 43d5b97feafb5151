import PropertyBased
import Testing
import VipdMonitor

/// Random and mutated frames through the decoder: a verdict for each, never a trap.
struct FrameDecoderFuzzTests {
    private static let links: [LinkLayer] = [.ethernet, .linuxCooked, .linuxCooked2, .rawIP]
    private static let seeds = [
        WireFrames.advertisement(from: "10.251.2.11"),
        WireFrames.advertisement(from: "fd00:251:2::11", vips: ["fd00:251:2::100"]),
        WireFrames.arp(operation: 2, senderMAC: WireFrames.mac(11), senderIP: "10.251.2.100", targetIP: "10.251.2.2"),
        WireFrames.neighborAdvertisement(target: "fd00:251:2::100", mac: WireFrames.mac(11)),
        WireFrames.icmpUnreachable(from: "10.251.2.12", code: 2, quoting: WireFrames.advertisement(from: "10.251.2.11")),
    ]

    @Test func randomBytesOnEveryLinkType() async {
        await propertyCheck(count: 2000, input: Gen.uint8().array(of: 0...120), Gen.int(in: 0...3)) { bytes, link in
            _ = FrameDecoder.decode(bytes, link: Self.links[link])
        }
    }

    @Test func mutatedFramesStillGetAVerdict() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...4), Gen.int(in: 0...200), Gen.uint8()) { seed, position, value in
            var frame = Self.seeds[seed]
            frame[position % frame.count] = value
            // A changed byte may make the frame anything; an IPv4 advertisement that still decodes
            // must report the source address that is in the frame.
            if case .packet(.advertisement(let sighting)) = FrameDecoder.decode(frame, link: .ethernet),
                sighting.packet.source.family == .v4, frame[12] == 0x08, frame[13] == 0x00
            {
                #expect(sighting.packet.source.bytes == Array(frame[26..<30]))
            }
        }
    }
}
