import CPcap

/// The link-layer header type of captured frames: a libpcap `DLT_` value.
///
/// Capture files may carry any link type; deciding which ones to decode is the caller's job.
public struct LinkType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The `DLT_` value.
    public let rawValue: Int32

    /// The link type with `DLT_` value `rawValue`, known to libpcap or not.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// `DLT_EN10MB`: Ethernet II and 802.3 frames.
    public static let ethernet = LinkType(rawValue: DLT_EN10MB)
    /// `DLT_LINUX_SLL`: Linux "cooked" capture v1, as captured on the `any` pseudo-interface.
    public static let linuxCooked = LinkType(rawValue: DLT_LINUX_SLL)
    /// `DLT_LINUX_SLL2`: Linux "cooked" capture v2, with the interface index in each header.
    public static let linuxCooked2 = LinkType(rawValue: DLT_LINUX_SLL2)
    /// `DLT_RAW`: bare IPv4 or IPv6 packets, no link-layer header.
    public static let rawIP = LinkType(rawValue: DLT_RAW)

    /// libpcap's short name, e.g. `EN10MB`, or `DLT 147` for a value libpcap does not know.
    public var name: String {
        pcap_datalink_val_to_name(rawValue).map { String(cString: $0) } ?? "DLT \(rawValue)"
    }

    /// The short name with libpcap's description, e.g. `EN10MB (Ethernet)`, or `DLT 147`.
    public var description: String {
        guard let text = pcap_datalink_val_to_description(rawValue) else { return name }
        return "\(name) (\(String(cString: text)))"
    }
}
