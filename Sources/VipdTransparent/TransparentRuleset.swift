import VipdConfig

/// A peer node that may proxy connections to this node's servers with its clients' addresses.
public struct TransparentPeer: Sendable, Equatable {
    /// The node's name (for comments and logs).
    public var name: String
    /// 1...`TransparentMarks.maximumPeerIndex`: its value in the mark field and its route table's offset.
    public var index: Int
    /// The node's addresses: the next hops of the routes that return its connections' replies.
    public var addresses: [IPAddress]
    /// The node's link-layer addresses as this node's neighbour table knows them (`aa:bb:cc:dd:ee:ff`):
    /// how a connection from it is told from one that comes straight from a client.
    public var linkAddresses: [String]

    public init(name: String, index: Int, addresses: [IPAddress], linkAddresses: [String]) {
        self.name = name
        self.index = index
        self.addresses = addresses
        self.linkAddresses = linkAddresses
    }
}

/// vipd's nftables table for transparent proxying (`inet vipd_transparent`), as one `nft -f` script
/// that replaces it atomically, and the policy-routing rules and routes that go with it.
///
/// - A packet to one of this node's transparent sockets (a reply from a server to the client's
///   address) is marked `deliver`, which the rule routes to `lo`: delivered locally.
/// - A connection this node opens with a client's address is tagged `deliver` on its connection
///   mark, so that its replies from this node's own server are routed to `lo` as well.
/// - A new connection to this node's server whose frame comes from a peer's link-layer address is
///   tagged with the peer's index; its replies are routed to the peer, which holds the socket.
public struct TransparentRuleset: Sendable, Equatable {
    /// The table's name (family `inet`).
    public static let tableName = "vipd_transparent"
    /// Deletes the table if it exists.
    public static let removalScript = "table inet \(tableName)\ndelete table inet \(tableName)\n"

    /// This node's servers of transparent pools (its own addresses and their ports): where peers connect.
    public var services: [SocketEndpoint]
    /// The other nodes.
    public var peers: [TransparentPeer]

    public init(services: [SocketEndpoint], peers: [TransparentPeer]) {
        self.services = services
        self.peers = peers
    }

    /// The `nft -f` script that replaces the table; its comment names `sessionServer`, the `vipd
    /// serve-sessions` process that owns the state after a stop, when there is one.
    public func script(sessionServer: Int32?) -> String {
        let comment = "vipd: transparent proxying" + (sessionServer.map { "; session server pid \($0)" } ?? "")
        let deliver = hex(TransparentMarks.deliver)
        let outbound = hex(TransparentMarks.outbound)
        let field = hex(TransparentMarks.peerField)
        var prerouting = [
            "meta l4proto tcp socket transparent 1 meta mark set meta mark | \(deliver)"
        ]
        var output = [
            "ct state new meta mark & \(outbound) == \(outbound) ct mark set ct mark | \(deliver)",
            "ct direction reply ct mark & \(deliver) == \(deliver) meta mark set meta mark | \(deliver)",
        ]
        for peer in peers {
            let mark = hex(TransparentMarks.peerMark(peer.index))
            let keep = hex(~TransparentMarks.peerField)
            output.append(
                "ct direction reply ct mark & \(field) == \(mark) meta mark set meta mark & \(keep) | \(mark) comment \"\(peer.name)\"")
            guard !peer.linkAddresses.isEmpty else { continue }
            let macs = "{ \(peer.linkAddresses.joined(separator: ", ")) }"
            for (selector, family) in [("ip daddr", IPAddress.Family.v4), ("ip6 daddr", .v6)] {
                let endpoints = services.filter { $0.address.family == family }
                guard !endpoints.isEmpty else { continue }
                let elements = endpoints.map { "\($0.address) . \($0.port)" }.joined(separator: ", ")
                prerouting.append(
                    "ct state new ether saddr \(macs) \(selector) . tcp dport { \(elements) } ct mark set ct mark | \(mark) comment \"from \(peer.name)\"")
            }
        }
        return """
            \(Self.removalScript)table inet \(Self.tableName) {
            \tcomment "\(comment)"
            \tchain prerouting {
            \t\ttype filter hook prerouting priority mangle; policy accept;
            \(prerouting.map { "\t\t\($0)" }.joined(separator: "\n"))
            \t}
            \tchain output {
            \t\ttype route hook output priority mangle; policy accept;
            \(output.map { "\t\t\($0)" }.joined(separator: "\n"))
            \t}
            }

            """
    }

    /// The policy-routing rules: `deliver` and each peer's field value to their tables, both families.
    public var rules: [PolicyRule] {
        [IPAddress.Family.v4, .v6].flatMap { family in
            [PolicyRule(family: family, mark: TransparentMarks.deliver, mask: TransparentMarks.deliver, table: TransparentMarks.deliverTable)]
                + peers.map {
                    PolicyRule(
                        family: family, mark: TransparentMarks.peerMark($0.index), mask: TransparentMarks.peerField,
                        table: TransparentMarks.peerTable($0.index))
                }
        }
    }

    /// The routes: every destination is local in the deliver table; each peer's table leads to the peer.
    public var routes: [PolicyRoute] {
        [
            PolicyRoute(family: .v4, table: TransparentMarks.deliverTable, target: .local),
            PolicyRoute(family: .v6, table: TransparentMarks.deliverTable, target: .local),
        ]
            + peers.flatMap { peer in
                peer.addresses.map {
                    PolicyRoute(family: $0.family, table: TransparentMarks.peerTable(peer.index), target: .via($0))
                }
            }
    }

    private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16).leftPadded(to: 8) }
}

/// An `ip rule` of vipd's: packets whose mark matches `mark` under `mask` look up `table`.
public struct PolicyRule: Sendable, Hashable {
    public var family: IPAddress.Family
    public var mark: UInt32
    public var mask: UInt32
    public var table: UInt32

    /// `ip` arguments that add (`add`) or delete (`del`) it.
    public func arguments(_ verb: String) -> [String] {
        [family == .v4 ? "-4" : "-6", "rule", verb, "fwmark", "0x\(String(mark, radix: 16))/0x\(String(mask, radix: 16))",
         "lookup", "\(table)", "priority", "\(TransparentMarks.rulePriority)", "protocol", "\(TransparentMarks.routeProtocol)"]
    }
}

/// A default route of vipd's in one of its tables.
public struct PolicyRoute: Sendable, Hashable {
    /// Where the route leads.
    public enum Target: Sendable, Hashable {
        /// Every destination is local (`local default dev lo`).
        case local
        /// To a peer node.
        case via(IPAddress)
    }

    public var family: IPAddress.Family
    public var table: UInt32
    public var target: Target

    /// `ip` arguments that add or replace (`replace`) or delete (`del`) it.
    public func arguments(_ verb: String) -> [String] {
        let route: [String] =
            switch target {
            case .local: ["local", "default", "dev", "lo"]
            case .via(let address): ["default", "via", "\(address)"]
            }
        return [family == .v4 ? "-4" : "-6", "route", verb] + route
            + ["table", "\(table)", "proto", "\(TransparentMarks.routeProtocol)"]
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
