import CVipdSys
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

extension Neighbour {
    /// Decodes one rtnetlink message as the kernel sends it in a neighbour dump or notification:
    /// `nlmsghdr`, `ndmsg`, then attributes, of which `NDA_DST` and `NDA_LLADDR` are read (an
    /// empty `NDA_LLADDR` counts as none). A pure function of the bytes, which may be hostile.
    /// - Returns: nil for a message that is no IPv4 or IPv6 neighbour: another message type than
    ///   `RTM_NEWNEIGH`, a proxy entry (`NTF_PROXY`), another family (a bridge's `AF_BRIDGE` entry).
    /// - Throws: `NetworkError.malformedNetlinkMessage` when the bytes are not one whole message
    ///   (too short for the headers, `nlmsg_len` or an `rta_len` past the end, several messages),
    ///   or when `NDA_DST` is missing or not an address of the message's family.
    public static func decode(message bytes: [UInt8]) throws(NetworkError) -> Neighbour? {
        let messages = try NetlinkMessage.parseAll(bytes)
        guard messages.count == 1 else {
            throw .malformedNetlinkMessage("\(messages.count) netlink messages in \(bytes.count) bytes, where one neighbour message was expected")
        }
        return try decode(messages[0])
    }

    /// Decodes a message from a neighbour dump; nil for what `decode(message:)` skips.
    static func decode(_ message: NetlinkMessage) throws(NetworkError) -> Neighbour? {
        guard message.type == Netlink.newNeighbour else { return nil }
        let entry = try NeighbourMessage(decoding: message.payload)
        guard entry.flags & Netlink.neighbourProxy == 0 else { return nil }
        let family: IPAddress.Family
        switch Int32(entry.family) {
        case AF_INET: family = .v4
        case AF_INET6: family = .v6
        default: return nil
        }
        guard let destination = entry.attributes.first(ofType: Netlink.neighbourDestination)?.value else {
            throw .malformedNetlinkMessage("RTM_NEWNEIGH for index \(entry.index) without NDA_DST")
        }
        guard let address = IPAddress(bytes: destination), address.family == family else {
            throw .malformedNetlinkMessage("RTM_NEWNEIGH for index \(entry.index): a \(destination.count)-byte NDA_DST for \(family == .v4 ? "AF_INET" : "AF_INET6")")
        }
        let linkAddress = entry.attributes.first(ofType: Netlink.neighbourLinkAddress)?.value
        return Neighbour(
            address: address, interfaceIndex: entry.index,
            linkAddress: linkAddress?.isEmpty == false ? linkAddress : nil, state: entry.state
        )
    }
}
