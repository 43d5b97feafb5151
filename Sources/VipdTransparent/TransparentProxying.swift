import FoundationEssentials
import Logging
import NIOConcurrencyHelpers
import VipdConfig
import VipdCore
import VipdHandoff
import VipdNet

/// The kernel side of transparent proxying on this node: vipd's nftables table, policy-routing
/// rules and route tables (see ``TransparentRuleset``), added at start and reload, kept in step
/// with the peers' link-layer addresses, removed at stop, and cleaned at start after a crash.
/// Thread-safe.
public final class TransparentProxying: Sendable {
    private struct State {
        var configuration: VipdConfiguration
        var link = LinkFacts()
        var applied: TransparentRuleset?
        /// Set by ``stop()`` and ``handOver(toSessionServer:)``: nothing changes the kernel any more.
        var stopped = false
    }

    /// How often the peers' link-layer addresses are read from the neighbour table.
    static let refreshInterval = Duration.seconds(1)

    private let node: ClusterNode
    private let logger: Logger
    private let state: NIOLockedValueBox<State>
    private let refresher = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// Sets the kernel up for `configuration`'s transparent pools on `node`, replacing what an
    /// earlier run left without a moment's gap in what stays, and follows the peers' link-layer
    /// addresses from then on.
    public static func start(configuration: VipdConfiguration, node: ClusterNode, logger: Logger) throws -> TransparentProxying {
        let proxying = TransparentProxying(configuration: configuration, node: node, logger: logger)
        try proxying.refresh()
        let task = Task { [weak proxying] in
            while !Task.isCancelled {
                try? await Task.sleep(for: refreshInterval)
                guard let proxying else { return }
                do {
                    try proxying.refresh()
                } catch {
                    proxying.logger.error("transparent proxying: \(error)")
                }
            }
        }
        proxying.refresher.withLockedValue { $0 = task }
        logger.info(
            "transparent pools: servers see the clients' addresses (nftables table inet \(TransparentRuleset.tableName), rules priorities \(TransparentMarks.rulePriority)-\(TransparentMarks.probeRulePriority), route tables \(TransparentMarks.probeTable)+)")
        return proxying
    }

    private init(configuration: VipdConfiguration, node: ClusterNode, logger: Logger) {
        self.node = node
        self.logger = logger
        state = NIOLockedValueBox(State(configuration: configuration))
    }

    /// Follows a reload; the caller stops this object instead when no pool is transparent any more.
    public func reload(configuration: VipdConfiguration) throws {
        state.withLockedValue { $0.configuration = configuration }
        try refresh()
    }

    /// Removes vipd's table, rules and routes.
    public func stop() {
        let wasRunning = state.withLockedValue { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        refresher.withLockedValue { $0?.cancel() }
        guard wasRunning else { return }
        Self.removeKernelState(logger: logger)
    }

    /// At stop, with sessions handed to `vipd serve-sessions` (process `pid`): the table, rules and
    /// routes stay for them, and the table's comment names that process, which removes them when it
    /// is done unless a new vipd has taken them over.
    public func handOver(toSessionServer pid: Int32) throws {
        refresher.withLockedValue { $0?.cancel() }
        try state.withLockedValue { state in
            guard !state.stopped, let applied = state.applied else { return }
            state.stopped = true
            try KernelCommand.nft.run(["-f", "-"], input: applied.script(sessionServer: pid))
        }
    }

    /// Removes vipd's transparent table, rules and routes, whoever added them; true when there was any.
    @discardableResult
    public static func removeKernelState(logger: Logger) -> Bool {
        var found = (try? KernelCommand.nft.run(["list", "table", "inet", TransparentRuleset.tableName])) != nil
        do {
            try KernelCommand.nft.run(["-f", "-"], input: TransparentRuleset.removalScript)
        } catch {
            logger.error("cannot remove the nftables table inet \(TransparentRuleset.tableName): \(error)")
        }
        for family in [IPAddress.Family.v4, .v6] {
            for rule in installedRules(family) {
                found = true
                remove(rule.arguments("del"), logger: logger)
            }
            for route in installedRoutes(family) {
                found = true
                remove(route.arguments("del"), logger: logger)
            }
        }
        return found
    }

    /// The TCP connections still open that need the kernel state: this node's own transparent
    /// connections and those the peers proxy to its servers (read from the connection tracker);
    /// nil when it cannot be read.
    public var openConnections: Int? {
        let peers = state.withLockedValue { $0.applied?.peers.map(\.index) ?? [] }
        return Self.openConnections(peerIndices: peers)
    }

    /// ``openConnections`` for the peers of the given indices (every possible one when the
    /// configuration is not at hand, as in `vipd serve-sessions`).
    public static func openConnections(peerIndices: some Sequence<Int> = 1...TransparentMarks.maximumPeerIndex) -> Int? {
        guard let conntrack = try? ConntrackNetlink() else { return nil }
        // Health checks come and go every few seconds: they need nothing kept.
        let checks: Set<IPAddress> = [PoolConfig.transparentCheckSource(.v4), PoolConfig.transparentCheckSource(.v6)]
        var open = 0
        do {
            open += try conntrack.openTCPConnections(mark: TransparentMarks.deliver, mask: TransparentMarks.deliver, excludingSources: checks)
            for index in peerIndices {
                open += try conntrack.openTCPConnections(
                    mark: TransparentMarks.peerMark(index), mask: TransparentMarks.peerField, excludingSources: checks)
            }
        } catch {
            return nil
        }
        return open
    }

    /// Whether an earlier run may have left state: a rule of vipd's protocol is there. Read over
    /// rtnetlink, without starting a program (vipd adds its rules before its table, and removes its
    /// table before its rules, so the table is never there without them). True when the rules
    /// cannot be read.
    public static var hasLeftovers: Bool {
        guard let netlink = try? RouteNetlink(), let v4 = try? netlink.rules(family: .v4), let v6 = try? netlink.rules(family: .v6)
        else { return true }
        return (v4 + v6).contains { Int($0.routeProtocol) == TransparentMarks.routeProtocol }
    }

    /// The process named by the table's comment as serving sessions after a stop, if any.
    public static func sessionServer() -> Int32? {
        guard let listing = try? KernelCommand.nft.run(["list", "table", "inet", TransparentRuleset.tableName]) else { return nil }
        return HandoffRuleset.sessionServer(inListing: listing)
    }

    // MARK: - Kernel

    /// Reads the peers' link-layer addresses, asks for those not known yet, and brings the kernel to
    /// the ruleset they and the configuration call for.
    private func refresh() throws {
        let (configuration, known) = state.withLockedValue { ($0.configuration, $0.link) }
        let link = readLinkFacts(of: configuration.nodes.filter { $0.name != node.name }) ?? known
        try state.withLockedValue { state in
            guard !state.stopped else { return }
            state.link = link
            guard
                let wanted = TransparentRuleset(
                    configuration: state.configuration, node: node, linkAddresses: link.addresses, probeInterfaces: link.interfaces),
                wanted != state.applied
            else { return }
            try apply(wanted, replacing: state.applied)
            for peer in wanted.peers where peer.linkAddresses != state.applied?.peers.first(where: { $0.name == peer.name })?.linkAddresses {
                if peer.linkAddresses.isEmpty {
                    logger.notice("transparent: the link-layer address of node \(peer.name) is not known yet; its connections to this node's servers are not recognised until it is")
                } else {
                    logger.info("transparent: connections from node \(peer.name) (\(peer.linkAddresses.joined(separator: ", "))) to this node's servers send their replies back to it")
                }
            }
            state.applied = wanted
        }
    }

    /// Rules and routes that are wanted and missing, then those that are no longer wanted (a rule
    /// or route that stays is never missing for a moment), then the table (atomically): the table
    /// is never there without the rules, which is what ``hasLeftovers`` looks for.
    private func apply(_ ruleset: TransparentRuleset, replacing previous: TransparentRuleset?) throws {
        if ruleset.rules != previous?.rules || ruleset.routes != previous?.routes { try applyRouting(ruleset) }
        try KernelCommand.nft.run(["-f", "-"], input: ruleset.script(sessionServer: nil))
    }

    private func applyRouting(_ ruleset: TransparentRuleset) throws {
        for family in [IPAddress.Family.v4, .v6] {
            let rulesThere = Set(Self.installedRules(family))
            for rule in ruleset.rules where rule.family == family && !rulesThere.contains(rule) {
                try KernelCommand.ip.run(rule.arguments("add"))
            }
            for route in ruleset.routes where route.family == family {
                try KernelCommand.ip.run(route.arguments("replace"))
            }
            for rule in rulesThere.subtracting(ruleset.rules) { Self.remove(rule.arguments("del"), logger: logger) }
            for route in Set(Self.installedRoutes(family)).subtracting(ruleset.routes) {
                Self.remove(route.arguments("del"), logger: logger)
            }
        }
    }

    private static func installedRules(_ family: IPAddress.Family) -> [PolicyRule] {
        let flag = family == .v4 ? "-4" : "-6"
        guard let json = try? KernelCommand.ip.run([flag, "-j", "rule", "show"]) else { return [] }
        return PolicyRoutingListing.rules(inJSON: json, family: family)
    }

    private static func installedRoutes(_ family: IPAddress.Family) -> [PolicyRoute] {
        let flag = family == .v4 ? "-4" : "-6"
        guard let json = try? KernelCommand.ip.run([flag, "-j", "route", "show", "table", "all", "proto", "\(TransparentMarks.routeProtocol)"])
        else { return [] }
        return PolicyRoutingListing.routes(inJSON: json, family: family)
    }

    private static func remove(_ arguments: [String], logger: Logger) {
        do {
            try KernelCommand.ip.run(arguments)
        } catch {
            logger.error("cannot remove: \(error)")
        }
    }

    /// What the kernel knows of the way to the peers.
    struct LinkFacts: Sendable, Equatable {
        /// Each peer address's link-layer addresses in the neighbour table.
        var addresses: [IPAddress: [String]] = [:]
        /// Per family, the interface whose subnet holds the first peer address of that family.
        var interfaces: [IPAddress.Family: String] = [:]
    }

    /// The peers' link-layer addresses and interfaces; for a peer address without a link-layer
    /// address, asks the kernel to resolve it on the interface whose subnet holds it. Nil when the
    /// kernel's tables cannot be read.
    private func readLinkFacts(of peers: [ClusterNode]) -> LinkFacts? {
        guard let netlink = try? RouteNetlink(), let neighbours = try? netlink.neighbours(family: nil),
            let addresses = try? netlink.addresses(), let interfaces = try? netlink.interfaces()
        else { return nil }
        var facts = LinkFacts()
        for neighbour in neighbours where neighbour.isUsable {
            if let text = neighbour.linkAddressText { facts.addresses[neighbour.address, default: []].append(text) }
        }
        let wanted = peers.flatMap(\.addresses)
        facts.addresses = facts.addresses.filter { wanted.contains($0.key) }
        for address in wanted {
            guard let onLink = addresses.first(where: { $0.subnetContains(address) }) else { continue }
            if facts.interfaces[address.family] == nil {
                facts.interfaces[address.family] = interfaces.first { $0.index == onLink.interfaceIndex }?.name
            }
            if facts.addresses[address] == nil { _ = try? netlink.resolveNeighbour(address, interfaceIndex: onLink.interfaceIndex) }
        }
        return facts
    }
}
