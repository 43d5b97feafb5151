import VipdConfig
import VipdCore

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
    /// Per family, the interface the peers are reached on: where the health checks' source is routed.
    public var probeInterfaces: [IPAddress.Family: String]

    public init(services: [SocketEndpoint], peers: [TransparentPeer], probeInterfaces: [IPAddress.Family: String] = [:]) {
        self.services = services
        self.peers = peers
        self.probeInterfaces = probeInterfaces
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

    /// The policy-routing rules: `deliver` and each peer's field value to their tables, both families;
    /// the health checks' source to the probe table where it has a route.
    public var rules: [PolicyRule] {
        [IPAddress.Family.v4, .v6].flatMap { family in
            [PolicyRule(family: family, selector: .mark(TransparentMarks.deliver, mask: TransparentMarks.deliver), table: TransparentMarks.deliverTable)]
                + peers.map {
                    PolicyRule(
                        family: family, selector: .mark(TransparentMarks.peerMark($0.index), mask: TransparentMarks.peerField),
                        table: TransparentMarks.peerTable($0.index))
                }
                + (probeInterfaces[family] == nil
                    ? []
                    : [PolicyRule(family: family, selector: .destination(PoolConfig.transparentCheckSource(family)), table: TransparentMarks.probeTable)])
        }
    }

    /// The routes: every destination is local in the deliver table; each peer's table leads to the
    /// peer; the probe table reaches the health checks' source on the peers' link.
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
            + [IPAddress.Family.v4, .v6].compactMap { family in
                probeInterfaces[family].map {
                    PolicyRoute(
                        family: family, table: TransparentMarks.probeTable, destination: PoolConfig.transparentCheckSource(family),
                        target: .device($0))
                }
            }
    }

    private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16).leftPadded(to: 8) }
}

/// An `ip rule` of vipd's: packets selected by mark (or by destination) look up `table`.
public struct PolicyRule: Sendable, Hashable {
    /// Which packets the rule takes.
    public enum Selector: Sendable, Hashable {
        /// Those whose mark under `mask` is the value (`fwmark VALUE/MASK`), at `TransparentMarks.rulePriority`.
        case mark(UInt32, mask: UInt32)
        /// Those to one address (`to ADDRESS`), at `TransparentMarks.probeRulePriority`.
        case destination(IPAddress)
    }

    public var family: IPAddress.Family
    public var selector: Selector
    public var table: UInt32

    public init(family: IPAddress.Family, selector: Selector, table: UInt32) {
        self.family = family
        self.selector = selector
        self.table = table
    }

    /// `ip` arguments that add (`add`) or delete (`del`) it.
    public func arguments(_ verb: String) -> [String] {
        let (match, priority): ([String], UInt32) =
            switch selector {
            case .mark(let mark, let mask): (["fwmark", "0x\(String(mark, radix: 16))/0x\(String(mask, radix: 16))"], TransparentMarks.rulePriority)
            case .destination(let address): (["to", "\(address)"], TransparentMarks.probeRulePriority)
            }
        return [family == .v4 ? "-4" : "-6", "rule", verb] + match
            + ["lookup", "\(table)", "priority", "\(priority)", "protocol", "\(TransparentMarks.routeProtocol)"]
    }
}

/// A route of vipd's in one of its tables: the default route, or one to a single address.
public struct PolicyRoute: Sendable, Hashable {
    /// Where the route leads.
    public enum Target: Sendable, Hashable {
        /// The destination is local (`local ... dev lo`).
        case local
        /// To a peer node.
        case via(IPAddress)
        /// Out of an interface, on its link (`dev IF`).
        case device(String)
    }

    public var family: IPAddress.Family
    public var table: UInt32
    /// One address, or nil for the default route.
    public var destination: IPAddress?
    public var target: Target

    public init(family: IPAddress.Family, table: UInt32, destination: IPAddress? = nil, target: Target) {
        self.family = family
        self.table = table
        self.destination = destination
        self.target = target
    }

    /// `ip` arguments that add or replace (`replace`) or delete (`del`) it.
    public func arguments(_ verb: String) -> [String] {
        let to = destination.map { "\($0)" } ?? "default"
        let route: [String] =
            switch target {
            case .local: ["local", to, "dev", "lo"]
            case .via(let address): [to, "via", "\(address)"]
            case .device(let name): [to, "dev", name]
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
