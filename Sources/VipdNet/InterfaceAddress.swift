import CVipdSys
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// An address configured on an interface, as `ip addr` shows it (`RTM_NEWADDR`).
public struct InterfaceAddress: Sendable, Equatable, CustomStringConvertible {
    /// The `IFA_F_*` flags (from the 32-bit `IFA_FLAGS` attribute when present).
    public struct Flags: OptionSet, Sendable, Hashable {
        /// The `IFA_F_*` bits.
        public let rawValue: UInt32
        /// Flags from `IFA_F_*` bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// `IFA_F_SECONDARY`: an IPv4 address inside the subnet of an earlier (primary) one.
        public static let secondary = Flags(rawValue: UInt32(IFA_F_SECONDARY))
        /// `IFA_F_NODAD`: IPv6 added without duplicate address detection.
        public static let noDuplicateAddressDetection = Flags(rawValue: UInt32(IFA_F_NODAD))
        /// `IFA_F_DADFAILED`: IPv6 duplicate address detection found another owner.
        public static let duplicateAddressDetectionFailed = Flags(rawValue: UInt32(IFA_F_DADFAILED))
        /// `IFA_F_DEPRECATED`: IPv6 preferred lifetime over; not chosen as a source.
        public static let deprecated = Flags(rawValue: UInt32(IFA_F_DEPRECATED))
        /// `IFA_F_TENTATIVE`: IPv6 duplicate address detection still running; cannot be a source yet.
        public static let tentative = Flags(rawValue: UInt32(IFA_F_TENTATIVE))
        /// `IFA_F_PERMANENT`: configured, not autoconfigured with a lifetime.
        public static let permanent = Flags(rawValue: UInt32(IFA_F_PERMANENT))
    }

    /// The address and its prefix length, e.g. `10.0.0.5/24`.
    public let prefix: IPPrefix
    /// The index of the interface it is on.
    public let interfaceIndex: Int32
    public let flags: Flags
    /// `ifa_scope` (`RT_SCOPE_*`): 0 global, 253 link, 254 host.
    public let scope: UInt8
    /// `IFA_LABEL` (IPv4 only), e.g. `eth0` or `eth0:1`.
    public let label: String?

    /// Creates an address description; the library builds these from rtnetlink messages.
    public init(prefix: IPPrefix, interfaceIndex: Int32, flags: Flags = [], scope: UInt8 = 0, label: String? = nil) {
        self.prefix = prefix
        self.interfaceIndex = interfaceIndex
        self.flags = flags
        self.scope = scope
        self.label = label
    }

    /// An IPv4 address the kernel lists after the primary address of the same subnet.
    public var isSecondary: Bool { flags.contains(.secondary) }

    /// IPv6 fe80::/10 or IPv4 169.254.0.0/16.
    public var isLinkLocal: Bool {
        let address = prefix.address
        return address.isIPv6LinkLocal || (address.family == .v4 && address.bytes[0] == 169 && address.bytes[1] == 254)
    }

    /// Whether `address` lies in this address's subnet, which the interface reaches directly (a host
    /// prefix, /32 or /128, has none): an on-link next hop.
    public func subnetContains(_ address: IPAddress) -> Bool {
        prefix.length < prefix.address.bytes.count * 8 && prefix.contains(address)
    }

    /// Whether the kernel lets a socket send from it: not tentative, and duplicate address detection did not fail.
    public var isUsableAsSource: Bool {
        flags.isDisjoint(with: [.tentative, .duplicateAddressDetectionFailed])
    }

    /// `10.0.0.5/24 secondary on #2`.
    public var description: String {
        "\(prefix)\(isSecondary ? " secondary" : "") on #\(interfaceIndex)"
    }
}

extension InterfaceAddress {
    /// Reads an `RTM_NEWADDR` message. The local address is `IFA_LOCAL`, else `IFA_ADDRESS`:
    /// IPv4 always sends `IFA_LOCAL` (its `IFA_ADDRESS` is the peer on point-to-point links),
    /// IPv6 sends `IFA_LOCAL` only when a peer is set.
    init(message: AddressMessage) throws(NetworkError) {
        let attributes = message.attributes
        guard let bytes = (attributes.first(ofType: Netlink.addressLocal) ?? attributes.first(ofType: Netlink.addressPeer))?.value,
              let address = IPAddress(bytes: bytes),
              let prefix = IPPrefix(address: address, length: Int(message.prefixLength))
        else {
            throw .malformedNetlinkMessage("RTM_NEWADDR for index \(message.index) without a valid address and prefix length")
        }
        self.init(
            prefix: prefix,
            interfaceIndex: Int32(bitPattern: message.index),
            flags: Flags(rawValue: attributes.first(ofType: Netlink.addressFlags)?.uint32Value ?? UInt32(message.flags)),
            scope: message.scope,
            label: attributes.first(ofType: Netlink.addressLabel)?.stringValue
        )
    }
}
