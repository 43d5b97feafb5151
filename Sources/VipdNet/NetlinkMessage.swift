import CVipdSys
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// The rtnetlink numbers vipd uses, converted once from the kernel headers to the integer
/// types of the wire format. Netlink integers are in host byte order.
enum Netlink {
    /// `sizeof(struct nlmsghdr)`: length, type, flags, sequence number, port ID.
    static let headerLength = MemoryLayout<nlmsghdr>.size
    /// `sizeof(struct rtattr)`: length and type.
    static let attributeHeaderLength = MemoryLayout<rtattr>.size
    /// `sizeof(struct ifinfomsg)`.
    static let linkHeaderLength = MemoryLayout<ifinfomsg>.size
    /// `sizeof(struct ifaddrmsg)`.
    static let addressHeaderLength = MemoryLayout<ifaddrmsg>.size
    /// `sizeof(struct ndmsg)`.
    static let neighbourHeaderLength = MemoryLayout<ndmsg>.size

    /// `NLMSG_ALIGN` and `RTA_ALIGN`: both round up to a multiple of 4 bytes.
    static func aligned(_ length: Int) -> Int { (length + 3) & ~3 }

    static let noop = UInt16(NLMSG_NOOP)
    static let error = UInt16(NLMSG_ERROR)
    static let done = UInt16(NLMSG_DONE)
    static let overrun = UInt16(NLMSG_OVERRUN)
    static let newLink = UInt16(RTM_NEWLINK)
    static let deleteLink = UInt16(RTM_DELLINK)
    static let getLink = UInt16(RTM_GETLINK)
    static let newAddress = UInt16(RTM_NEWADDR)
    static let deleteAddress = UInt16(RTM_DELADDR)
    static let getAddress = UInt16(RTM_GETADDR)
    static let newNeighbour = UInt16(RTM_NEWNEIGH)
    static let getNeighbour = UInt16(RTM_GETNEIGH)

    static let request = UInt16(NLM_F_REQUEST)
    static let acknowledge = UInt16(NLM_F_ACK)
    static let dumpInterrupted = UInt16(NLM_F_DUMP_INTR)
    static let dump = UInt16(NLM_F_DUMP)
    static let create = UInt16(NLM_F_CREATE)
    static let exclusive = UInt16(NLM_F_EXCL)
    static let replace = UInt16(NLM_F_REPLACE)
    /// On an NLMSG_ERROR: the echoed request carries only its header (NETLINK_CAP_ACK).
    static let capped = UInt16(NLM_F_CAPPED)
    /// On an NLMSG_ERROR: extended-acknowledgement attributes follow the echoed request.
    static let acknowledgementAttributes = UInt16(NLM_F_ACK_TLVS)
    /// `NLA_TYPE_MASK`: attribute types without the nested and byte-order bits.
    static let attributeTypeMask = ~UInt16(NLA_F_NESTED | NLA_F_NET_BYTEORDER)

    static let linkAddress = UInt16(IFLA_ADDRESS)
    static let linkName = UInt16(IFLA_IFNAME)
    static let linkMTU = UInt16(IFLA_MTU)
    static let linkOperationalState = UInt16(IFLA_OPERSTATE)

    static let addressPeer = UInt16(IFA_ADDRESS)
    static let addressLocal = UInt16(IFA_LOCAL)
    static let addressLabel = UInt16(IFA_LABEL)
    static let addressFlags = UInt16(IFA_FLAGS)

    static let neighbourDestination = UInt16(NDA_DST)
    static let neighbourLinkAddress = UInt16(NDA_LLADDR)
    /// `NTF_PROXY`: a proxy-ARP / proxy-NDP entry (`ip neigh add proxy`), not a neighbour.
    static let neighbourProxy = UInt8(NTF_PROXY)
    /// `NTF_USE`: on `RTM_NEWNEIGH`, start resolution as if a packet were waiting for the entry.
    static let neighbourUse = UInt8(NTF_USE)

    /// `NLMSGERR_ATTR_MSG`: the kernel's human-readable reason for an error.
    static let errorMessageAttribute = UInt16(NLMSGERR_ATTR_MSG.rawValue)
}

/// One netlink message: a `struct nlmsghdr` and its payload.
struct NetlinkMessage: Equatable, Sendable {
    /// `nlmsg_type`: an `RTM_*` request or notification, or `NLMSG_ERROR` / `NLMSG_DONE`.
    var type: UInt16
    /// `nlmsg_flags`: `NLM_F_*`.
    var flags: UInt16
    /// `nlmsg_seq`: matches answers to requests.
    var sequence: UInt32 = 0
    /// `nlmsg_pid`: 0 towards the kernel.
    var portID: UInt32 = 0
    /// Everything after the header (an `ifinfomsg`, `ifaddrmsg` or `nlmsgerr` and attributes).
    var payload: [UInt8]

    /// The header followed by the payload, padded to `NLMSG_ALIGN`; `nlmsg_len` excludes the padding.
    func encoded() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(Netlink.aligned(Netlink.headerLength + payload.count))
        bytes.appendHostOrder(UInt32(Netlink.headerLength + payload.count))
        bytes.appendHostOrder(type)
        bytes.appendHostOrder(flags)
        bytes.appendHostOrder(sequence)
        bytes.appendHostOrder(portID)
        bytes += payload
        bytes += [UInt8](repeating: 0, count: Netlink.aligned(bytes.count) - bytes.count)
        return bytes
    }

    /// Every message in one datagram read from a netlink socket (`NLMSG_OK` / `NLMSG_NEXT`).
    static func parseAll(_ datagram: [UInt8]) throws(NetworkError) -> [NetlinkMessage] {
        var messages = [NetlinkMessage]()
        var offset = 0
        while datagram.count - offset >= Netlink.headerLength {
            let length = Int(datagram.hostOrder(UInt32.self, at: offset))
            guard length >= Netlink.headerLength, length <= datagram.count - offset else {
                throw .malformedNetlinkMessage("nlmsg_len \(length) at offset \(offset) of a \(datagram.count)-byte datagram")
            }
            messages.append(NetlinkMessage(
                type: datagram.hostOrder(UInt16.self, at: offset + 4),
                flags: datagram.hostOrder(UInt16.self, at: offset + 6),
                sequence: datagram.hostOrder(UInt32.self, at: offset + 8),
                portID: datagram.hostOrder(UInt32.self, at: offset + 12),
                payload: Array(datagram[(offset + Netlink.headerLength)..<(offset + length)])
            ))
            offset += Netlink.aligned(length)
        }
        return messages
    }
}

/// One routing attribute: a `struct rtattr` and its value.
struct NetlinkAttribute: Equatable, Sendable {
    /// `rta_type`, without the nested and byte-order flag bits.
    var type: UInt16
    /// The value bytes, without padding.
    var value: [UInt8]

    init(type: UInt16, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    /// A NUL-terminated string attribute, as iproute2 sends `IFLA_IFNAME`.
    init(type: UInt16, string: String) {
        self.init(type: type, value: Array(string.utf8) + [0])
    }

    /// The value as text, up to the first NUL.
    var stringValue: String {
        String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The value as a host-order 32-bit integer; nil unless it is exactly 4 bytes.
    var uint32Value: UInt32? {
        value.count == 4 ? value.hostOrder(UInt32.self, at: 0) : nil
    }

    /// Attributes one after the other, each padded to `RTA_ALIGN`; `rta_len` excludes the padding.
    static func encode(_ attributes: [NetlinkAttribute]) -> [UInt8] {
        var bytes = [UInt8]()
        for attribute in attributes {
            let length = Netlink.attributeHeaderLength + attribute.value.count
            bytes.appendHostOrder(UInt16(length))
            bytes.appendHostOrder(attribute.type)
            bytes += attribute.value
            bytes += [UInt8](repeating: 0, count: Netlink.aligned(length) - length)
        }
        return bytes
    }

    /// The attributes in `bytes` from `offset` on (`RTA_OK` / `RTA_NEXT`).
    static func parseAll(_ bytes: [UInt8], from offset: Int) throws(NetworkError) -> [NetlinkAttribute] {
        var attributes = [NetlinkAttribute]()
        var offset = offset
        while bytes.count - offset >= Netlink.attributeHeaderLength {
            let length = Int(bytes.hostOrder(UInt16.self, at: offset))
            guard length >= Netlink.attributeHeaderLength, length <= bytes.count - offset else {
                throw .malformedNetlinkMessage("rta_len \(length) at offset \(offset) of a \(bytes.count)-byte payload")
            }
            attributes.append(NetlinkAttribute(
                type: bytes.hostOrder(UInt16.self, at: offset + 2) & Netlink.attributeTypeMask,
                value: Array(bytes[(offset + Netlink.attributeHeaderLength)..<(offset + length)])
            ))
            offset += Netlink.aligned(length)
        }
        return attributes
    }
}

extension [NetlinkAttribute] {
    /// The first attribute of `type`, as the kernel sends each at most once.
    func first(ofType type: UInt16) -> NetlinkAttribute? {
        first { $0.type == type }
    }
}

/// The payload of `RTM_NEWLINK`, `RTM_DELLINK` and `RTM_GETLINK`: a `struct ifinfomsg` and attributes.
struct LinkMessage: Equatable, Sendable {
    /// `ifi_family`: `AF_UNSPEC` for requests.
    var family: UInt8 = UInt8(AF_UNSPEC)
    /// `ifi_type`: `ARPHRD_*`.
    var deviceType: UInt16 = 0
    /// `ifi_index`: 0 in requests that name the interface instead.
    var index: Int32 = 0
    /// `ifi_flags`: `IFF_*`.
    var flags: UInt32 = 0
    /// `ifi_change`: which flags a request changes.
    var change: UInt32 = 0
    var attributes: [NetlinkAttribute] = []

    init(index: Int32 = 0, flags: UInt32 = 0, attributes: [NetlinkAttribute] = []) {
        self.index = index
        self.flags = flags
        self.attributes = attributes
    }

    /// Decodes a link message's payload.
    init(decoding payload: [UInt8]) throws(NetworkError) {
        guard payload.count >= Netlink.linkHeaderLength else {
            throw .malformedNetlinkMessage("link message of \(payload.count) bytes, shorter than ifinfomsg")
        }
        family = payload[0]
        deviceType = payload.hostOrder(UInt16.self, at: 2)
        index = payload.hostOrder(Int32.self, at: 4)
        flags = payload.hostOrder(UInt32.self, at: 8)
        change = payload.hostOrder(UInt32.self, at: 12)
        attributes = try NetlinkAttribute.parseAll(payload, from: Netlink.linkHeaderLength)
    }

    /// `ifinfomsg` (family, padding, type, index, flags, change) followed by the attributes.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = [family, 0]
        bytes.appendHostOrder(deviceType)
        bytes.appendHostOrder(index)
        bytes.appendHostOrder(flags)
        bytes.appendHostOrder(change)
        return bytes + NetlinkAttribute.encode(attributes)
    }
}

/// The payload of `RTM_NEWADDR`, `RTM_DELADDR` and `RTM_GETADDR`: a `struct ifaddrmsg` and attributes.
struct AddressMessage: Equatable, Sendable {
    /// `ifa_family`: `AF_INET`, `AF_INET6`, or `AF_UNSPEC` in a dump request.
    var family: UInt8
    /// `ifa_prefixlen`.
    var prefixLength: UInt8 = 0
    /// `ifa_flags`: the low 8 bits of `IFA_F_*` (the `IFA_FLAGS` attribute carries all 32).
    var flags: UInt8 = 0
    /// `ifa_scope`: `RT_SCOPE_*`.
    var scope: UInt8 = 0
    /// `ifa_index`.
    var index: UInt32 = 0
    var attributes: [NetlinkAttribute] = []

    init(family: UInt8, prefixLength: UInt8 = 0, flags: UInt8 = 0, index: UInt32 = 0, attributes: [NetlinkAttribute] = []) {
        self.family = family
        self.prefixLength = prefixLength
        self.flags = flags
        self.index = index
        self.attributes = attributes
    }

    /// Decodes an address message's payload.
    init(decoding payload: [UInt8]) throws(NetworkError) {
        guard payload.count >= Netlink.addressHeaderLength else {
            throw .malformedNetlinkMessage("address message of \(payload.count) bytes, shorter than ifaddrmsg")
        }
        family = payload[0]
        prefixLength = payload[1]
        flags = payload[2]
        scope = payload[3]
        index = payload.hostOrder(UInt32.self, at: 4)
        attributes = try NetlinkAttribute.parseAll(payload, from: Netlink.addressHeaderLength)
    }

    /// `ifaddrmsg` (family, prefix length, flags, scope, index) followed by the attributes.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = [family, prefixLength, flags, scope]
        bytes.appendHostOrder(index)
        return bytes + NetlinkAttribute.encode(attributes)
    }
}

/// The payload of `RTM_NEWNEIGH` and `RTM_GETNEIGH`: a `struct ndmsg` and attributes.
struct NeighbourMessage: Equatable, Sendable {
    /// `ndm_family`: `AF_INET`, `AF_INET6`, or `AF_UNSPEC` in a dump request of both.
    var family: UInt8
    /// `ndm_ifindex`.
    var index: Int32 = 0
    /// `ndm_state`: `NUD_*`.
    var state: UInt16 = 0
    /// `ndm_flags`: `NTF_*`.
    var flags: UInt8 = 0
    /// `ndm_type`: the `RTN_*` type of the address (unicast, multicast, ...).
    var type: UInt8 = 0
    var attributes: [NetlinkAttribute] = []

    init(family: UInt8, index: Int32 = 0, state: UInt16 = 0, flags: UInt8 = 0, attributes: [NetlinkAttribute] = []) {
        self.family = family
        self.index = index
        self.state = state
        self.flags = flags
        self.attributes = attributes
    }

    /// Decodes a neighbour message's payload.
    init(decoding payload: [UInt8]) throws(NetworkError) {
        guard payload.count >= Netlink.neighbourHeaderLength else {
            throw .malformedNetlinkMessage("neighbour message of \(payload.count) bytes, shorter than ndmsg")
        }
        family = payload[0]
        index = payload.hostOrder(Int32.self, at: 4)
        state = payload.hostOrder(UInt16.self, at: 8)
        flags = payload[10]
        type = payload[11]
        attributes = try NetlinkAttribute.parseAll(payload, from: Netlink.neighbourHeaderLength)
    }

    /// `ndmsg` (family, padding, index, state, flags, type) followed by the attributes.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = [family, 0, 0, 0]
        bytes.appendHostOrder(index)
        bytes.appendHostOrder(state)
        bytes += [flags, type]
        return bytes + NetlinkAttribute.encode(attributes)
    }
}

/// The payload of `NLMSG_ERROR`: an acknowledgement when `errno` is 0, else the request's failure.
struct NetlinkAcknowledgement: Sendable {
    /// The positive C error number; 0 acknowledges success.
    var errno: Int32
    /// The kernel's extended-acknowledgement text (`NLMSGERR_ATTR_MSG`), when it sent one.
    var reason: String?

    /// Decodes `struct nlmsgerr` (negative error, echoed request header) and any extended-ack
    /// attributes after the echoed request, which is only its header when `NLM_F_CAPPED` is set.
    init(decoding message: NetlinkMessage) throws(NetworkError) {
        let payload = message.payload
        guard payload.count >= 4 + Netlink.headerLength else {
            throw .malformedNetlinkMessage("NLMSG_ERROR payload of \(payload.count) bytes, shorter than nlmsgerr")
        }
        errno = 0 &- payload.hostOrder(Int32.self, at: 0)
        reason = nil
        guard message.flags & Netlink.acknowledgementAttributes != 0 else { return }
        let echoedLength = message.flags & Netlink.capped != 0
            ? Netlink.headerLength : Int(payload.hostOrder(UInt32.self, at: 4))
        let attributes = try NetlinkAttribute.parseAll(payload, from: 4 + Netlink.aligned(echoedLength))
        reason = attributes.first(ofType: Netlink.errorMessageAttribute)?.stringValue
    }
}

extension NetlinkMessage {
    /// `RTM_GETLINK` dump of every interface.
    static func linkDump() -> NetlinkMessage {
        NetlinkMessage(type: Netlink.getLink, flags: Netlink.request | Netlink.dump, payload: LinkMessage().encoded())
    }

    /// `RTM_GETLINK` for one interface by `IFLA_IFNAME`; the kernel answers `ENODEV` when it does not exist.
    static func linkQuery(named name: String) -> NetlinkMessage {
        NetlinkMessage(
            type: Netlink.getLink, flags: Netlink.request | Netlink.acknowledge,
            payload: LinkMessage(attributes: [NetlinkAttribute(type: Netlink.linkName, string: name)]).encoded()
        )
    }

    /// `RTM_GETADDR` dump of every address of both families.
    static func addressDump() -> NetlinkMessage {
        NetlinkMessage(
            type: Netlink.getAddress, flags: Netlink.request | Netlink.dump,
            payload: AddressMessage(family: UInt8(AF_UNSPEC)).encoded()
        )
    }

    /// `RTM_NEWADDR` with `NLM_F_CREATE | NLM_F_EXCL`, as `ip addr add` and keepalived send it:
    /// `IFA_LOCAL` and `IFA_ADDRESS` both the address, the prefix length in the header, and
    /// `IFA_F_NODAD` for IPv6 so the address is usable at once.
    static func addAddress(_ prefix: IPPrefix, interfaceIndex: Int32) -> NetlinkMessage {
        let flags = prefix.address.family == .v6 ? UInt8(IFA_F_NODAD) : 0
        return NetlinkMessage(
            type: Netlink.newAddress,
            flags: Netlink.request | Netlink.acknowledge | Netlink.create | Netlink.exclusive,
            payload: addressPayload(prefix, interfaceIndex: interfaceIndex, flags: flags)
        )
    }

    /// `RTM_DELADDR` for exactly this address and prefix length.
    static func removeAddress(_ prefix: IPPrefix, interfaceIndex: Int32) -> NetlinkMessage {
        NetlinkMessage(
            type: Netlink.deleteAddress, flags: Netlink.request | Netlink.acknowledge,
            payload: addressPayload(prefix, interfaceIndex: interfaceIndex, flags: 0)
        )
    }

    private static func addressPayload(_ prefix: IPPrefix, interfaceIndex: Int32, flags: UInt8) -> [UInt8] {
        AddressMessage(
            family: UInt8(prefix.address.family == .v4 ? AF_INET : AF_INET6),
            prefixLength: UInt8(prefix.length),
            flags: flags,
            index: UInt32(bitPattern: interfaceIndex),
            attributes: [
                NetlinkAttribute(type: Netlink.addressLocal, value: prefix.address.bytes),
                NetlinkAttribute(type: Netlink.addressPeer, value: prefix.address.bytes),
            ]
        ).encoded()
    }

    /// `RTM_GETNEIGH` dump of the neighbour table of one family, or of every family for `AF_UNSPEC`.
    static func neighbourDump(family: UInt8) -> NetlinkMessage {
        NetlinkMessage(
            type: Netlink.getNeighbour, flags: Netlink.request | Netlink.dump,
            payload: NeighbourMessage(family: family).encoded()
        )
    }

    /// `RTM_NEWNEIGH` with `NLM_F_CREATE | NLM_F_REPLACE`, `NTF_USE`, state `NUD_NONE` and `NDA_DST`:
    /// what `ip neigh replace ADDRESS dev IF use` sends, except that iproute2 sets `NUD_PERMANENT`,
    /// which the kernel ignores with `NTF_USE` apart from exempting a new entry from garbage collection.
    static func resolveNeighbour(_ address: IPAddress, interfaceIndex: Int32) -> NetlinkMessage {
        NetlinkMessage(
            type: Netlink.newNeighbour,
            flags: Netlink.request | Netlink.acknowledge | Netlink.create | Netlink.replace,
            payload: NeighbourMessage(
                family: UInt8(address.family == .v4 ? AF_INET : AF_INET6),
                index: interfaceIndex,
                state: UInt16(NUD_NONE),
                flags: Netlink.neighbourUse,
                attributes: [NetlinkAttribute(type: Netlink.neighbourDestination, value: address.bytes)]
            ).encoded()
        )
    }
}
