
/// A classic libpcap file (little-endian, microsecond timestamps, LINKTYPE_ETHERNET) of IP
/// packets, each put in an Ethernet frame from the VRRP virtual MAC to the multicast MAC.
struct PcapFile {
    private(set) var bytes: [UInt8] =
        littleEndian(0xA1B2_C3D4, count: 4) + littleEndian(2, count: 2)
        + littleEndian(4, count: 2) + littleEndian(0, count: 4) + littleEndian(0, count: 4)
        + littleEndian(65535, count: 4) + littleEndian(1, count: 4)
    private var packets = 0

    /// Appends `packet` (an IPv4 or IPv6 packet, header included) sent by virtual router `vrid`.
    mutating func append(ipPacket packet: [UInt8], vrid: UInt8) {
        let isIPv6 = packet.first.map { $0 >> 4 == 6 } ?? false
        let destinationMAC: [UInt8] = isIPv6 ? [0x33, 0x33, 0, 0, 0, 0x12] : [0x01, 0x00, 0x5E, 0, 0, 0x12]
        let sourceMAC: [UInt8] = [0x00, 0x00, 0x5E, 0x00, isIPv6 ? 0x02 : 0x01, vrid]
        let frame = destinationMAC + sourceMAC + (isIPv6 ? [0x86, 0xDD] : [0x08, 0x00]) + packet
        packets += 1
        bytes += littleEndian(packets, count: 4) + littleEndian(0, count: 4)
        bytes += littleEndian(frame.count, count: 4) + littleEndian(frame.count, count: 4) + frame
    }
}

/// Little-endian bytes of the low `count` bytes of `value`.
private func littleEndian(_ value: Int, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
}
