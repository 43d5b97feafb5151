import VipdCore
import VipdVRRPPacket

/// What the decoder made of one frame.
public enum FrameVerdict: Sendable, Hashable {
    /// Something the monitor analyzes.
    case packet(MonitorPacket)
    /// A readable frame of no interest (another protocol, an ARP request, an echo...).
    case ignored
    /// A frame too short or inconsistent to read; the reason is a stable counter key.
    case skipped(reason: String)
}

/// Decodes captured frames into `MonitorPacket`s: link layer, then IPv4 / IPv6 (`IPHeader`, the
/// speaker's header parser) / ARP, then VRRP (through `VRRPPacketCodec`, the speaker's codec, with
/// `.none` of its optional checks), ICMP errors quoting VRRP, and IPv6 neighbour advertisements.
/// An unreadable IP header is skipped with its `VRRPPacketError.counterKey` as the reason.
///
/// Pure and total: never traps, whatever the bytes; anything unreadable is a `.skipped` verdict.
public enum FrameDecoder {
    /// Decodes one frame captured with link layer `link`.
    public static func decode(_ frame: [UInt8], link: LinkLayer) -> FrameVerdict {
        switch link {
        case .ethernet:
            guard frame.count >= 14 else { return .skipped(reason: "truncated_link_header") }
            var etherType = Int(frame[12]) << 8 | Int(frame[13])
            var offset = 14
            // 802.1Q / 802.1ad tags, at most two.
            for _ in 0..<2 where etherType == 0x8100 || etherType == 0x88A8 {
                guard frame.count >= offset + 4 else { return .skipped(reason: "truncated_link_header") }
                etherType = Int(frame[offset + 2]) << 8 | Int(frame[offset + 3])
                offset += 4
            }
            return decodeNetworkLayer(frame, at: offset, etherType: etherType, sourceMAC: MACAddress(bytes: frame[6..<12]))
        case .linuxCooked:
            guard frame.count >= 16 else { return .skipped(reason: "truncated_link_header") }
            let addressLength = Int(frame[4]) << 8 | Int(frame[5])
            let mac = addressLength == 6 ? MACAddress(bytes: frame[6..<12]) : nil
            return decodeNetworkLayer(frame, at: 16, etherType: Int(frame[14]) << 8 | Int(frame[15]), sourceMAC: mac)
        case .linuxCooked2:
            guard frame.count >= 20 else { return .skipped(reason: "truncated_link_header") }
            let mac = frame[11] == 6 ? MACAddress(bytes: frame[12..<18]) : nil
            return decodeNetworkLayer(frame, at: 20, etherType: Int(frame[0]) << 8 | Int(frame[1]), sourceMAC: mac)
        case .rawIP:
            guard let first = frame.first else { return .skipped(reason: VRRPPacketError.truncated(length: 0, needed: 1).counterKey) }
            switch first >> 4 {
            case 4: return decodeIPv4(frame, at: 0, sourceMAC: nil)
            case 6: return decodeIPv6(frame, at: 0, sourceMAC: nil)
            default: return .skipped(reason: "not_ip")
            }
        }
    }

    private static func decodeNetworkLayer(
        _ frame: [UInt8], at offset: Int, etherType: Int, sourceMAC: MACAddress?
    ) -> FrameVerdict {
        switch etherType {
        case 0x0800: decodeIPv4(frame, at: offset, sourceMAC: sourceMAC)
        case 0x86DD: decodeIPv6(frame, at: offset, sourceMAC: sourceMAC)
        case 0x0806: decodeARP(frame, at: offset)
        default: .ignored
        }
    }

    // MARK: IPv4

    private static func decodeIPv4(_ frame: [UInt8], at offset: Int, sourceMAC: MACAddress?) -> FrameVerdict {
        let header: IPHeader
        do {
            header = try IPHeader.ipv4(frame[offset...])
        } catch {
            return .skipped(reason: error.counterKey)
        }
        // Ethernet pads short frames: the IP total length says where the datagram ends.
        let datagram = frame[offset..<(offset + header.packetLength)]

        switch header.protocolNumber {
        case VRRPPacketCodec.ipProtocolNumber:
            do {
                let packet = try VRRPPacketCodec.decode(datagram, header: header, enforcing: .none)
                return .packet(.advertisement(AdvertisementSighting(sourceMAC: sourceMAC, packet: packet)))
            } catch {
                return .packet(.malformedAdvertisement(MalformedAdvertisement(source: header.source, error: error)))
            }
        case 1:
            return decodeICMPv4Error(Array(datagram.dropFirst(header.headerLength)), reporter: header.source)
        default:
            return .ignored
        }
    }

    /// ICMP destination unreachable (type 3) quoting an IPv4 header with protocol 112.
    private static func decodeICMPv4Error(_ icmp: [UInt8], reporter: IPAddress) -> FrameVerdict {
        guard icmp.count >= 8 + 20, icmp[0] == 3 else { return .ignored }
        let quoted = icmp[8...]
        let quotedStart = quoted.startIndex
        guard quoted[quotedStart] >> 4 == 4, Int(quoted[quotedStart + 9]) == VRRPPacketCodec.ipProtocolNumber else {
            return .ignored
        }
        let reason = switch icmp[1] {
        case 2: "protocol unreachable"
        case 9, 10: "host administratively prohibited"
        case 13: "communication administratively prohibited"
        case 3: "port unreachable"
        case 1: "host unreachable"
        default: "destination unreachable (code \(icmp[1]))"
        }
        return .packet(
            .vrrpRejection(
                VRRPRejection(
                    reporter: reporter,
                    rejectedSender: IPAddress(bytes: quoted[(quotedStart + 12)..<(quotedStart + 16)])!,
                    rejectedDestination: IPAddress(bytes: quoted[(quotedStart + 16)..<(quotedStart + 20)])!,
                    reason: reason)))
    }

    // MARK: IPv6

    private static func decodeIPv6(_ frame: [UInt8], at offset: Int, sourceMAC: MACAddress?) -> FrameVerdict {
        let header: IPHeader
        do {
            header = try IPHeader.ipv6(frame[offset...])
        } catch {
            return .skipped(reason: error.counterKey)
        }
        let packet = frame[offset..<(offset + header.packetLength)]

        switch header.protocolNumber {
        case VRRPPacketCodec.ipProtocolNumber:
            do {
                let decoded = try VRRPPacketCodec.decode(packet, header: header, enforcing: .none)
                return .packet(.advertisement(AdvertisementSighting(sourceMAC: sourceMAC, packet: decoded)))
            } catch {
                return .packet(.malformedAdvertisement(MalformedAdvertisement(source: header.source, error: error)))
            }
        case 58:
            return decodeICMPv6(Array(packet.dropFirst(header.headerLength)), source: header.source, sourceMAC: sourceMAC)
        default:
            return .ignored
        }
    }

    /// Neighbour advertisements (type 136) and errors quoting a VRRP packet: destination
    /// unreachable (type 1) and "unrecognized next header" parameter problems (type 4 code 1).
    private static func decodeICMPv6(_ icmp: [UInt8], source: IPAddress, sourceMAC: MACAddress?) -> FrameVerdict {
        guard icmp.count >= 8 else { return .skipped(reason: "truncated_icmpv6") }
        switch icmp[0] {
        case 136:
            guard icmp.count >= 24 else { return .skipped(reason: "truncated_neighbor_advertisement") }
            let target = IPAddress(bytes: icmp[8..<24])!
            guard let mac = targetLinkLayerAddress(icmp) ?? sourceMAC else { return .ignored }
            return .packet(.addressClaim(AddressClaim(address: target, mac: mac, kind: .neighborAdvertisement)))
        case 1, 4:
            guard icmp[0] == 1 || icmp[1] == 1, icmp.count >= 8 + 40, icmp[8] >> 4 == 6,
                Int(icmp[8 + 6]) == VRRPPacketCodec.ipProtocolNumber
            else { return .ignored }
            let reason = switch (icmp[0], icmp[1]) {
            case (4, _): "unrecognized next header (protocol 112)"
            case (1, 1): "administratively prohibited"
            case (1, 6): "reject route"
            default: "destination unreachable (code \(icmp[1]))"
            }
            return .packet(
                .vrrpRejection(
                    VRRPRejection(
                        reporter: source, rejectedSender: IPAddress(bytes: icmp[16..<32])!,
                        rejectedDestination: IPAddress(bytes: icmp[32..<48])!, reason: reason)))
        default:
            return .ignored
        }
    }

    /// The Target Link-Layer Address option (type 2) of a neighbour advertisement, if present and well formed.
    private static func targetLinkLayerAddress(_ icmp: [UInt8]) -> MACAddress? {
        var offset = 24
        while offset + 2 <= icmp.count {
            let length = Int(icmp[offset + 1]) * 8
            guard length > 0, offset + length <= icmp.count else { return nil }
            if icmp[offset] == 2, length == 8 { return MACAddress(bytes: icmp[(offset + 2)..<(offset + 8)]) }
            offset += length
        }
        return nil
    }

    // MARK: ARP

    /// Ethernet/IPv4 ARP: replies, and gratuitous requests or replies (sender address = target address).
    private static func decodeARP(_ frame: [UInt8], at offset: Int) -> FrameVerdict {
        guard frame.count >= offset + 28 else { return .skipped(reason: "truncated_arp") }
        let arp = frame[offset..<(offset + 28)]
        let start = arp.startIndex
        guard arp[start] == 0, arp[start + 1] == 1, arp[start + 2] == 0x08, arp[start + 3] == 0x00,
            arp[start + 4] == 6, arp[start + 5] == 4
        else { return .ignored }
        let operation = Int(arp[start + 6]) << 8 | Int(arp[start + 7])
        let senderAddress = arp[(start + 14)..<(start + 18)]
        let targetAddress = arp[(start + 24)..<(start + 28)]
        let gratuitous = senderAddress.elementsEqual(targetAddress)
        guard !senderAddress.allSatisfy({ $0 == 0 }) else { return .ignored }  // an ARP probe claims nothing
        let kind: AddressClaim.Kind
        switch (operation, gratuitous) {
        case (1, true), (2, true): kind = .gratuitousARP
        case (2, false): kind = .arpReply
        default: return .ignored
        }
        return .packet(
            .addressClaim(
                AddressClaim(
                    address: IPAddress(bytes: senderAddress)!, mac: MACAddress(bytes: arp[(start + 8)..<(start + 14)])!,
                    kind: kind)))
    }
}
