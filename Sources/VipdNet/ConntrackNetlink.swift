import CVipdSys
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// One `NETLINK_NETFILTER` socket for questions to the connection tracker (ctnetlink): how many
/// TCP connections with a given connection mark are still open. What `conntrack -L --mark` lists,
/// without running it.
public final class ConntrackNetlink: Sendable {
    private let connection: NetlinkConnection

    /// Opens and binds the socket (needs `CAP_NET_ADMIN`).
    public init() throws(NetworkError) {
        connection = try NetlinkConnection(
            protocol: NETLINK_NETFILTER, purpose: "ctnetlink socket", call: "socket(AF_NETLINK, NETLINK_NETFILTER)")
    }

    /// The TCP connections of both families whose connection mark, under `mask`, is `mark`, and that
    /// are established and not over (established or half closed; not a handshake, `TIME_WAIT` or
    /// `CLOSE`), except those opened from one of `excludedSources`. The kernel filters the marks
    /// (`CTA_MARK`, `CTA_MARK_MASK` on the dump).
    public func openTCPConnections(mark: UInt32, mask: UInt32, excludingSources excludedSources: Set<IPAddress> = []) throws(NetworkError) -> Int {
        let replies = try connection.perform(.conntrackDump(mark: mark, mask: mask), name: "IPCTNL_MSG_CT_GET dump", interface: nil)
        var open = 0
        for message in replies where message.type == ConntrackEntry.newMessageType {
            let entry = try ConntrackEntry(payload: message.payload)
            if entry.isOpenTCP, !(entry.originalSource.map(excludedSources.contains) ?? false) { open += 1 }
        }
        return open
    }
}

/// What vipd reads of one connection tracking entry (a ctnetlink `IPCTNL_MSG_CT_NEW` message):
/// whether it is an established TCP connection that is not over, and who opened it.
public struct ConntrackEntry: Sendable, Equatable {
    /// `NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW`: an entry in a dump.
    static let newMessageType: UInt16 = 1 << 8 | 0
    /// `NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET`: the dump request.
    static let getMessageType: UInt16 = 1 << 8 | 1
    /// `sizeof(struct nfgenmsg)`: family, version, resource id.
    static let headerLength = 4
    /// `CTA_TUPLE_ORIG`, `CTA_PROTOINFO`, `CTA_MARK`, `CTA_MARK_MASK` (linux/netfilter/nfnetlink_conntrack.h).
    static let originalTuple: UInt16 = 1
    static let protocolInfo: UInt16 = 4
    static let mark: UInt16 = 8
    static let markMask: UInt16 = 21
    /// `CTA_TUPLE_IP` inside a tuple; `CTA_IP_V4_SRC` and `CTA_IP_V6_SRC` inside that.
    static let tupleAddresses: UInt16 = 1
    static let ipv4Source: UInt16 = 1
    static let ipv6Source: UInt16 = 3
    /// `CTA_PROTOINFO_TCP` inside `CTA_PROTOINFO`, `CTA_PROTOINFO_TCP_STATE` inside that.
    static let tcpInfo: UInt16 = 1
    static let tcpState: UInt16 = 1
    /// `TCP_CONNTRACK_*` states of an established connection not over: ESTABLISHED, FIN_WAIT,
    /// CLOSE_WAIT, LAST_ACK. Not a handshake (SYN_SENT, SYN_RECV, SYN_SENT2: an unanswered SYN keeps
    /// its entry two minutes), nor NONE, TIME_WAIT, CLOSE.
    static let openStates: Set<UInt8> = [3, 4, 5, 6]

    /// The TCP state (`TCP_CONNTRACK_*`); nil for another protocol.
    public var tcpState: UInt8?
    /// The source address of the original direction: who opened the connection.
    public var originalSource: IPAddress?

    /// Whether it is an established TCP connection not over.
    public var isOpenTCP: Bool { tcpState.map(Self.openStates.contains) ?? false }

    /// Reads the entry in `payload` (after the netlink header). Throws on bytes that are not a
    /// well-formed entry.
    public init(payload: [UInt8]) throws(NetworkError) {
        guard payload.count >= Self.headerLength else {
            throw .malformedNetlinkMessage("conntrack entry of \(payload.count) bytes, shorter than nfgenmsg")
        }
        let attributes = try NetlinkAttribute.parseAll(payload, from: Self.headerLength)
        if let info = attributes.first(ofType: Self.protocolInfo),
            let tcp = try NetlinkAttribute.parseAll(info.value, from: 0).first(ofType: Self.tcpInfo),
            let state = try NetlinkAttribute.parseAll(tcp.value, from: 0).first(ofType: Self.tcpState)
        {
            guard state.value.count == 1 else {
                throw .malformedNetlinkMessage("a \(state.value.count)-byte CTA_PROTOINFO_TCP_STATE")
            }
            tcpState = state.value[0]
        }
        if let tuple = attributes.first(ofType: Self.originalTuple),
            let ip = try NetlinkAttribute.parseAll(tuple.value, from: 0).first(ofType: Self.tupleAddresses)
        {
            let addresses = try NetlinkAttribute.parseAll(ip.value, from: 0)
            if let source = addresses.first(ofType: Self.ipv4Source) ?? addresses.first(ofType: Self.ipv6Source) {
                guard let address = IPAddress(bytes: source.value) else {
                    throw .malformedNetlinkMessage("a \(source.value.count)-byte source address in CTA_TUPLE_IP")
                }
                originalSource = address
            }
        }
    }
}

extension NetlinkMessage {
    /// `IPCTNL_MSG_CT_GET` dump of both families' entries whose mark under `mask` is `mark`.
    static func conntrackDump(mark: UInt32, mask: UInt32) -> NetlinkMessage {
        var markValue: [UInt8] = []
        markValue.appendNetworkOrder(mark)
        var maskValue: [UInt8] = []
        maskValue.appendNetworkOrder(mask)
        // nfgenmsg: AF_UNSPEC (every family), NFNETLINK_V0, resource id 0.
        let payload: [UInt8] = [0, 0, 0, 0] + NetlinkAttribute.encode([
            NetlinkAttribute(type: ConntrackEntry.mark, value: markValue),
            NetlinkAttribute(type: ConntrackEntry.markMask, value: maskValue),
        ])
        return NetlinkMessage(type: ConntrackEntry.getMessageType, flags: Netlink.request | Netlink.dump, payload: payload)
    }
}
