import FuzzDriver
import VipdCore
import VipdVRRPPacket

/// A multicast and a unicast pair per family, as the speaker receives them.
private let addressPairs: [(IPAddress, IPAddress)] = [
    (IPAddress("10.0.0.1")!, VRRPPacketCodec.ipv4MulticastGroup),
    (IPAddress("10.0.0.1")!, IPAddress("10.0.0.2")!),
    (IPAddress("fe80::1")!, VRRPPacketCodec.ipv6MulticastGroup),
]

/// The VRRP codec on a whole datagram as the speaker's raw socket and a capture deliver it:
/// the input as an IPv4 datagram and as an IPv6 packet, with every check and as an observer, and
/// as a bare VRRP message between the addresses the speaker's socket reports (IPv4 and IPv6).
fuzzMain { input in
    let bytes = Array(input)
    for checks in [VRRPWireChecks.all, .none] {
        _ = try? VRRPPacketCodec.decodeIPv4Datagram(bytes, enforcing: checks)
        _ = try? VRRPPacketCodec.decodeIPv6Packet(bytes, enforcing: checks)
        for (source, destination) in addressPairs {
            _ = try? VRRPPacketCodec.decode(bytes, source: source, destination: destination, hopLimit: 255, enforcing: checks)
        }
    }
}
