/// The link-layer header types the monitor can read, by their libpcap DLT / LINKTYPE numbers.
public enum LinkLayer: Sendable, Hashable {
    /// DLT_EN10MB: Ethernet, with 802.1Q / 802.1ad tags skipped.
    case ethernet
    /// DLT_LINUX_SLL: Linux "cooked" capture v1 (the `any` pseudo-interface of older libpcap).
    case linuxCooked
    /// DLT_LINUX_SLL2: Linux "cooked" capture v2.
    case linuxCooked2
    /// DLT_RAW / LINKTYPE_RAW: bare IPv4 or IPv6 packets.
    case rawIP

    /// The link layer for a libpcap DLT value (or its LINKTYPE twin in files); nil when unsupported.
    public init?(dataLinkType: Int32) {
        switch dataLinkType {
        case 1: self = .ethernet
        case 113: self = .linuxCooked
        case 276: self = .linuxCooked2
        case 12, 14, 101: self = .rawIP
        default: return nil
        }
    }

    /// The link types a user can capture from, for error messages.
    public static let supportedNames = "Ethernet (EN10MB), Linux cooked (LINUX_SLL, LINUX_SLL2) and raw IP (RAW)"
}
