import VipdConfig
import VipdCore
import VipdHandoff
import VipdNet
import VipdTransparent

/// "Transparent proxying can work here", for a configuration with a transparent pool: the tools vipd
/// runs, each other node on a link of this host with its link-layer address known, vipd's route
/// tables and rule priority free of other programs' entries, and the reverse-path settings of the
/// interfaces the other nodes are reached on. Pure: the caller reads the host (``Host/read(interfaces:)``).
public enum TransparentProxyCheck {
    /// vipd's route tables: the deliver table, then one per peer index.
    static let tables = TransparentMarks.probeTable...TransparentMarks.peerTable(TransparentMarks.maximumPeerIndex)

    /// The results for `node` of `config` on this host (its interfaces and addresses in `network`);
    /// none when no pool is transparent.
    public static func results(config: VipdConfiguration, node: ClusterNode, network: HostNetwork, host: Host) -> [DoctorCheckResult] {
        guard config.hasTransparentPools else { return [] }
        var results = [tools(host)]
        var replyInterfaces: [String] = []
        for (offset, peer) in config.nodes.enumerated() where peer.name != node.name && offset < TransparentMarks.maximumPeerIndex {
            let links = peer.addresses.map { address in (address, network.addresses.first { $0.subnetContains(address) }) }
            results.append(onLink(peer, table: TransparentMarks.peerTable(offset + 1), links: links, network: network))
            for case let (address, held?) in links where address.family == .v4 {
                let name = network.name(of: held)
                if !replyInterfaces.contains(name) { replyInterfaces.append(name) }
            }
            if links.allSatisfy({ $0.1 != nil }) { results.append(linkAddress(peer, host: host, network: network)) }
        }
        if host.hasIp { results.append(tablesAndRules(host)) }
        return results + replyInterfaces.map { reversePath(interface: $0, host: host) }
    }

    static func tools(_ host: Host) -> DoctorCheckResult {
        let title = "nft and ip are installed for transparent proxying"
        let missing = [(host.hasNft, KernelCommand.nft), (host.hasIp, KernelCommand.ip)].filter { !$0.0 }.map(\.1)
        guard !missing.isEmpty else { return DoctorCheckResult(.pass, title) }
        return DoctorCheckResult(
            .fail, title,
            detail: "\(missing.map { "\($0.name) (\($0.package))" }.joined(separator: " and ")) not installed: "
                + "vipd cannot set up transparent proxying and does not start",
            fix: "apt-get install \(missing.map(\.package).joined(separator: " "))")
    }

    /// Each address of `peer` must lie in a subnet of this host: vipd's route to it in `table` is
    /// `default via ADDRESS`, which the kernel refuses for a next hop off every link.
    static func onLink(_ peer: ClusterNode, table: UInt32, links: [(IPAddress, InterfaceAddress?)], network: HostNetwork) -> DoctorCheckResult {
        let title = "node \(peer.name) shares a link with this node for transparent replies"
        let offLink = links.filter { $0.1 == nil }.map(\.0)
        guard offLink.isEmpty else {
            return DoctorCheckResult(
                .fail, title,
                detail: "\(offLink.map(String.init(describing:)).joined(separator: ", ")) is in no subnet of this host's interfaces: "
                    + "this node's servers send the replies of \(peer.name)'s transparent connections to it as next hop (table \(table)), "
                    + "and the kernel refuses a next hop that is not on a link: vipd would not start (a reload turning transparent on is rejected)",
                fix: "put the nodes on one layer-2 segment with addresses in a common subnet (as VRRP needs), "
                    + "and give \(peer.name)'s address there in cluster.nodes")
        }
        let held = links.compactMap { address, held in held.map { "\(address) is inside \(network.name(of: $0))'s \($0.prefix)" } }
        return DoctorCheckResult(.pass, title, detail: held.joined(separator: "; ") + " (table \(table) leads to it)")
    }

    /// vipd tells a connection `peer` proxies from one straight from a client by the frame's source
    /// MAC address, which it reads from the neighbour table (and asks for every second while unknown).
    static func linkAddress(_ peer: ClusterNode, host: Host, network: HostNetwork) -> DoctorCheckResult {
        let title = "node \(peer.name)'s link-layer address is known for transparent proxying"
        let entries = host.neighbours.filter { peer.addresses.contains($0.address) }
        let usable = entries.filter(\.isUsable)
        guard usable.isEmpty else {
            let known = usable.map { "\($0.address) lladdr \($0.linkAddressText ?? "") on \(network.name(ofIndex: $0.interfaceIndex))" }
            return DoctorCheckResult(
                .pass, title, detail: known.joined(separator: "; ") + ": connections from it to this node's servers are recognised")
        }
        let found =
            entries.isEmpty
            ? "no entry for \(peer.addresses.map(String.init(describing:)).joined(separator: " or "))"
            : entries.map { "\($0.address) \($0.stateText) on \(network.name(ofIndex: $0.interfaceIndex))" }.joined(separator: "; ")
        guard host.hasVipdTable else {
            return DoctorCheckResult(
                .pass, title, detail: "not yet (\(found)): vipd asks the kernel to resolve it at start, and every second until it is known")
        }
        return DoctorCheckResult(
            .warn, title,
            detail: "\(found), although vipd asks for it every second: the connections \(peer.name) proxies to this node's servers "
                + "are not recognised, their replies go straight to the client, which resets them, and \(peer.name) tries its next server",
            fix: "check that \(peer.name) is up on the segment it shares with this node: ping -c 1 \(peer.address); ip neigh show \(peer.address)")
    }

    /// Other programs' rules at vipd's priority or to vipd's tables, and their routes in vipd's tables;
    /// with what of vipd's own is there now.
    static func tablesAndRules(_ host: Host) -> DoctorCheckResult {
        let title = "route tables \(tables.lowerBound)-\(tables.upperBound) and rule priorities \(TransparentMarks.rulePriority)-\(TransparentMarks.probeRulePriority) are vipd's alone"
        let ownProtocol = "\(TransparentMarks.routeProtocol)"
        let priorities = TransparentMarks.rulePriority...TransparentMarks.probeRulePriority
        let rules = host.rules.filter { $0.priority.map(priorities.contains) == true || $0.tableNumber.map(tables.contains) == true }
        let routes = host.routes.filter { $0.tableNumber.map(tables.contains) == true }
        let foreign = (rules + routes).filter { $0.routeProtocol != ownProtocol }
        guard foreign.isEmpty else {
            return DoctorCheckResult(
                .warn, title,
                detail: "not vipd's (proto \(ownProtocol)):\n" + foreign.map { "  \($0)" }.joined(separator: "\n")
                    + "\na route there takes replies vipd routes by that table (vipd replaces a default route with its own, and deletes it at stop); "
                    + "a rule there sends other traffic to vipd's routes or vipd's replies elsewhere",
                fix: "vipd's numbers are fixed: have the program that adds them use another table and rule priority; to remove one by hand: "
                    + foreign.map(\.removal).joined(separator: "; "))
        }
        let own = (host.hasVipdTable ? ["nftables table inet \(TransparentRuleset.tableName)"] : [])
            + (rules.isEmpty ? [] : ["\(rules.count) rule(s)"]) + (routes.isEmpty ? [] : ["\(routes.count) route(s)"])
        return DoctorCheckResult(
            .pass, title,
            detail: own.isEmpty ? "nothing of vipd's now (vipd is not running here; it adds them at start)" : "vipd's own now: \(own.joined(separator: ", "))")
    }

    /// vipd changes no sysctl. `rp_filter` 0, 1 and 2 all let the replies from the other nodes' servers
    /// in; `src_valid_mark` makes the reverse-path check look their source up with the mark vipd gives
    /// them, which finds vipd's `local default` route, and the kernel drops them unless
    /// `accept_local` is set and `rp_filter` is not strict.
    static func reversePath(interface: String, host: Host) -> DoctorCheckResult {
        let title = "\(interface) lets transparent replies from the other nodes in"
        let all = host.reversePath["all"]
        let own = host.reversePath[interface]
        func setting(_ name: String, _ value: KeyPath<Host.ReversePath, Int?>, _ effective: (Int, Int) -> Int) -> (value: Int, text: String) {
            let (a, b) = (all?[keyPath: value], own?[keyPath: value])
            let text = (a.map(String.init) ?? "unreadable", b.map(String.init) ?? "unreadable")
            let result = effective(a ?? 0, b ?? 0)
            return (result, "\(name) \(result) (all \(text.0), \(interface) \(text.1))")
        }
        let rpFilter = setting("rp_filter", \.rpFilter, max)
        let srcValidMark = setting("src_valid_mark", \.srcValidMark) { $0 | $1 }
        let acceptLocal = setting("accept_local", \.acceptLocal) { $0 | $1 }
        guard srcValidMark.value != 0 else {
            return DoctorCheckResult(
                .pass, title, detail: "\(rpFilter.text), src_valid_mark 0: vipd changes neither; transparent proxying works with rp_filter 0, 1 and 2")
        }
        let settings = "\(srcValidMark.text), \(acceptLocal.text), \(rpFilter.text)"
        if acceptLocal.value != 0 && rpFilter.value != 1 {
            return DoctorCheckResult(.pass, title, detail: "\(settings): the reverse-path check lets the replies in")
        }
        let clear = [("all", all), (interface, own)].filter { ($0.1?.srcValidMark ?? 0) != 0 }.map(\.0)
        let loosen = ["net.ipv4.conf.\(interface).accept_local=1"] + (rpFilter.value == 1 ? ["net.ipv4.conf.\(interface).rp_filter=2"] : [])
        return DoctorCheckResult(
            .warn, title,
            detail: "\(settings): the kernel checks the source of a reply from another node's server with the mark vipd gives it, "
                + "finds vipd's local route (table \(TransparentMarks.deliverTable)) and drops the reply: the connections this node proxies "
                + "to the other nodes' servers time out, and it tries its next server",
            fix: "sysctl -w \(clear.map { "net.ipv4.conf.\($0).src_valid_mark=0" }.joined(separator: " ")) (and in /etc/sysctl.d/); "
                + "where another program needs src_valid_mark (wg-quick sets it): sysctl -w \(loosen.joined(separator: " "))")
    }
}

extension HostNetwork {
    fileprivate func name(of address: InterfaceAddress) -> String { name(ofIndex: address.interfaceIndex) }

    fileprivate func name(ofIndex index: Int32) -> String {
        interfaces.first { $0.index == index }?.name ?? "#\(index)"
    }
}
