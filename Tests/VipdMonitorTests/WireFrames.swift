import VipdCore
import VipdMonitor
import VipdVRRPPacket

/// Builds Ethernet frames the way the wire carries them, for decoder and analyzer tests.
enum WireFrames {
    static let broadcast: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]

    /// A MAC of the test LAN: 02:25:19:02:00:`host`.
    static func mac(_ host: UInt8) -> MACAddress { MACAddress(bytes: [0x02, 0x25, 0x19, 0x02, 0x00, host])! }

    /// An advertisement in an Ethernet frame, padded to the 60-byte minimum like a NIC does.
    static func advertisement(
        from source: String, mac sourceMAC: MACAddress? = nil, vrid: UInt8 = 51, priority: UInt8 = 100,
        interval: Duration = .seconds(1), vips: [String] = ["10.251.2.100"], version: VRRPVersion = .v3,
        authentication: VRRPAuthentication = .none, to destination: String? = nil, ttl: UInt8 = 255,
        corruptChecksum: Bool = false
    ) -> [UInt8] {
        let sourceAddress = IPAddress(source)!
        let v6 = sourceAddress.family == .v6
        let destinationAddress =
            destination.map { IPAddress($0)! }
            ?? (v6 ? VRRPPacketCodec.ipv6MulticastGroup : VRRPPacketCodec.ipv4MulticastGroup)
        var message = VRRPPacketCodec.encode(
            VRRPAdvertisement(
                version: version, virtualRouterID: vrid, priority: priority, interval: interval,
                addresses: vips.map { IPAddress($0)! }, authentication: authentication),
            source: sourceAddress, destination: destinationAddress)
        if corruptChecksum { message[7] ^= 0xFF }
        let packet = v6
            ? ipv6(message, source: sourceAddress, destination: destinationAddress, nextHeader: 112, hopLimit: ttl)
            : ipv4(message, source: sourceAddress, destination: destinationAddress, protocolNumber: 112, ttl: ttl)
        let destinationMAC: [UInt8] = v6 ? [0x33, 0x33, 0, 0, 0, 0x12] : [0x01, 0x00, 0x5E, 0, 0, 0x12]
        return ethernet(
            destination: destinationMAC, source: (sourceMAC ?? mac(sourceAddress.bytes.last!)).bytes, etherType: v6 ? 0x86DD : 0x0800,
            payload: packet)
    }

    /// An ARP frame: operation 1 (request) or 2 (reply).
    static func arp(
        operation: UInt8, senderMAC: MACAddress, senderIP: String, targetMAC: [UInt8] = [0, 0, 0, 0, 0, 0],
        targetIP: String
    ) -> [UInt8] {
        let body: [UInt8] = [0, 1, 0x08, 0x00, 6, 4, 0, operation] + senderMAC.bytes + IPAddress(senderIP)!.bytes
            + targetMAC + IPAddress(targetIP)!.bytes
        return ethernet(destination: broadcast, source: senderMAC.bytes, etherType: 0x0806, payload: body)
    }

    /// An unsolicited IPv6 neighbour advertisement for `target` with a target link-layer address option.
    static func neighborAdvertisement(target: String, mac: MACAddress, withOption: Bool = true) -> [UInt8] {
        var icmp: [UInt8] = [136, 0, 0, 0, 0x20, 0, 0, 0] + IPAddress(target)!.bytes
        if withOption { icmp += [2, 1] + mac.bytes }
        let packet = ipv6(icmp, source: IPAddress(target)!, destination: IPAddress("ff02::1")!, nextHeader: 58, hopLimit: 255)
        return ethernet(destination: [0x33, 0x33, 0, 0, 0, 1], source: mac.bytes, etherType: 0x86DD, payload: packet)
    }

    /// An ICMP destination unreachable (`code`) from `reporter`, quoting the IP packet inside `quotedFrame`.
    static func icmpUnreachable(from reporter: String, code: UInt8, quoting quotedFrame: [UInt8]) -> [UInt8] {
        let quoted = Array(quotedFrame[14..<(14 + 28)])
        let icmp: [UInt8] = [3, code, 0, 0, 0, 0, 0, 0] + quoted
        let original = IPAddress(bytes: quoted[12..<16])!
        return ethernet(
            destination: mac(original.bytes.last!).bytes, source: mac(IPAddress(reporter)!.bytes.last!).bytes,
            etherType: 0x0800, payload: ipv4(icmp, source: IPAddress(reporter)!, destination: original, protocolNumber: 1, ttl: 64))
    }

    /// `payload` after a 14-byte Ethernet header, zero-padded to 60 bytes.
    static func ethernet(destination: [UInt8], source: [UInt8], etherType: UInt16, payload: [UInt8]) -> [UInt8] {
        var frame = destination + source + [UInt8(etherType >> 8), UInt8(etherType & 0xFF)] + payload
        if frame.count < 60 { frame += Array(repeating: 0, count: 60 - frame.count) }
        return frame
    }

    /// An IPv4 header (no options, header checksum set) before `payload`.
    static func ipv4(_ payload: [UInt8], source: IPAddress, destination: IPAddress, protocolNumber: UInt8, ttl: UInt8) -> [UInt8] {
        let length = 20 + payload.count
        var header: [UInt8] = [0x45, 0xC0, UInt8(length >> 8), UInt8(length & 0xFF), 0, 0, 0, 0, ttl, protocolNumber, 0, 0]
        header += source.bytes + destination.bytes
        var sum = stride(from: 0, to: 20, by: 2).reduce(UInt32(0)) { $0 + (UInt32(header[$1]) << 8 | UInt32(header[$1 + 1])) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = ~UInt16(sum)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xFF)
        return header + payload
    }

    /// An IPv6 fixed header before `payload`.
    static func ipv6(_ payload: [UInt8], source: IPAddress, destination: IPAddress, nextHeader: UInt8, hopLimit: UInt8) -> [UInt8] {
        [0x60, 0, 0, 0, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF), nextHeader, hopLimit]
            + source.bytes + destination.bytes + payload
    }
}
