import VipdConfig
import VipdCore

/// `cluster.nodes` for the imported VRRP instances, which keepalived.conf does not spell out (pure).
///
/// Addresses, from the first source that names any: `--node NAME=ADDRESS`; the keepalived files'
/// `unicast_src_ip` / `mcast_src_ip` and `unicast_peer`; the haproxy servers inside a VIP's subnet
/// (seed 001: the servers are the nodes); the addresses haproxy binds inside a VIP's subnet besides the
/// VIPs (seed 000: each balancer binds its own address). The n-th keepalived file is the n-th node
/// unless its source address names another. A node's priority is its file's; a node without a file
/// gets 10 less than the lowest known one (seed 001: MASTER 100, BACKUP 90). Names: `--node`, then the
/// haproxy server of that address, then the files' distinct `router_id`s, else `node1`, `node2`, ….
struct ClusterInference {
    var files: [KeepalivedFileTranslation]
    var haproxy: HAProxyTranslation
    var explicit: [NodeAddress]

    /// The nodes, the YAML comments explaining them; notes go to `ledger`.
    func infer(ledger: inout ImportLedger) throws(ImportError) -> (nodes: [ClusterNode], comments: [String]) {
        let (candidates, source) = addresses(ledger: &ledger)
        guard !candidates.isEmpty else {
            throw ImportError(
                at: nil,
                "cannot tell the cluster nodes' addresses: keepalived.conf has no unicast_src_ip or unicast_peer, and no haproxy server or bind address lies in a VIP's subnet; name every node, e.g. --node ha0=192.168.2.230 --node ha1=192.168.2.231")
        }
        let owners = try assignFiles(to: candidates)
        let names = nodeNames(candidates, owners: owners, ledger: &ledger)
        var comments = ["addresses: \(source)"]
        var nodes: [ClusterNode] = []
        let known = owners.compactMap { $0.flatMap { priority(of: files[$0]) } }
        var lowest = known.min() ?? 110
        var priorityNotes: [String] = []
        for (index, candidate) in candidates.enumerated() {
            let priority: Int
            if let owner = owners[index] {
                priority = self.priority(of: files[owner]) ?? 100
                priorityNotes.append("\(names[index]) from \(files[owner].file)")
            } else {
                lowest = max(1, lowest - 10)
                priority = lowest
                priorityNotes.append("\(names[index]) assumed (no keepalived file for it)")
                if let instance = files.first?.instances.first {
                    ledger.remark(
                        instance.location, "vrrp_instance \(instance.config.name)",
                        "node \(names[index]) (\(candidate.address)) has no keepalived file: priority \(priority) assumed, 10 below the lowest known; pass its keepalived.conf with another --keepalived to use its own")
                }
            }
            nodes.append(ClusterNode(name: names[index], address: candidate.address, priority: priority))
        }
        comments.append("priorities: " + priorityNotes.joined(separator: "; "))
        return (nodes, comments)
    }

    /// The priority of a file's node: its first instance's (keepalived's default 100).
    private func priority(of file: KeepalivedFileTranslation) -> Int? {
        guard let first = file.instances.first else { return nil }
        return first.priority ?? 100
    }

    /// The node addresses in order, with their name when the source gives one, and the source in words.
    private func addresses(ledger: inout ImportLedger) -> ([(name: String?, address: IPAddress)], String) {
        if !explicit.isEmpty { return (explicit.map { ($0.name, $0.address) }, "from --node") }
        var result: [(name: String?, address: IPAddress)] = []
        func add(_ name: String?, _ address: IPAddress) {
            if !result.contains(where: { $0.address == address }) { result.append((name, address)) }
        }
        for file in files {
            for instance in file.instances {
                if let source = instance.sourceAddress { add(serverName(source.address), source.address) }
                instance.peers.forEach { add(serverName($0.address), $0.address) }
            }
        }
        if !result.isEmpty { return (result, "the keepalived files' unicast_src_ip / mcast_src_ip and unicast_peer") }
        let vips = files.flatMap { $0.instances.flatMap(\.config.virtualAddresses) }
        func insideVIPSubnet(_ address: IPAddress) -> IPPrefix? {
            guard !vips.contains(where: { $0.address == address }) else { return nil }
            return vips.first { $0.length < $0.address.bytes.count * 8 && $0.contains(address) }
        }
        for server in haproxy.servers {
            guard let vip = insideVIPSubnet(server.address) else { continue }
            add(server.name, server.address)
            ledger.remark(server.location, "server \(server.name)", "taken as cluster node \(server.address): it lies in the subnet of VIP \(vip)")
        }
        if !result.isEmpty { return (result, "the haproxy servers inside the VIPs' subnet (the servers are the nodes)") }
        for bind in haproxy.binds {
            guard let vip = insideVIPSubnet(bind.address) else { continue }
            add(nil, bind.address)
            ledger.remark(bind.location, "bind \(bind.address)", "taken as a cluster node's address: it lies in the subnet of VIP \(vip) and is no VIP")
        }
        return (result, "the addresses haproxy binds inside the VIPs' subnet besides the VIPs")
    }

    private func serverName(_ address: IPAddress) -> String? {
        haproxy.servers.first { $0.address == address }?.name
    }

    /// For each node, the index of the keepalived file that describes it (nil: none).
    private func assignFiles(to nodes: [(name: String?, address: IPAddress)]) throws(ImportError) -> [Int?] {
        var owners = [Int?](repeating: nil, count: nodes.count)
        var unplaced: [Int] = []
        for (fileIndex, file) in files.enumerated() {
            let source = file.instances.lazy.compactMap(\.sourceAddress).first?.address
            if let source, let node = nodes.firstIndex(where: { $0.address == source }), owners[node] == nil {
                owners[node] = fileIndex
            } else {
                unplaced.append(fileIndex)
            }
        }
        for fileIndex in unplaced {
            guard let node = owners.firstIndex(where: { $0 == nil }) else {
                let location = files[fileIndex].instances.first?.location
                throw ImportError(
                    at: location,
                    "\(files.count) keepalived files but only \(nodes.count) node address(es) found (\(nodes.map(\.address.text).joined(separator: ", "))); name every node, e.g. --node ha0=192.168.2.230 --node ha1=192.168.2.231")
            }
            owners[node] = fileIndex
        }
        return owners
    }

    /// Valid, unique names for the nodes; `router_id`s used as names are carried, the others listed.
    private func nodeNames(_ nodes: [(name: String?, address: IPAddress)], owners: [Int?], ledger: inout ImportLedger) -> [String] {
        let routerIDs = owners.map { $0.flatMap { files[$0].routerID } }
        let distinct = Set(routerIDs.compactMap { $0?.name }).count == routerIDs.count && routerIDs.allSatisfy { $0.map { Self.isValidName($0.name) } ?? false }
        var names: [String] = []
        for (index, node) in nodes.enumerated() {
            var name = node.name.flatMap { Self.isValidName($0) ? $0 : nil }
            if name == nil, distinct, let routerID = routerIDs[index] {
                name = routerID.name
                ledger.carry(routerID.location)
            }
            var candidate = name ?? "node\(index + 1)"
            while names.contains(candidate) { candidate += "-\(index + 1)" }
            names.append(candidate)
        }
        for file in files {
            if let routerID = file.routerID {
                ledger.list(routerID.location, "router_id \(routerID.name)", "vipd names each node in cluster.nodes (\(names.joined(separator: ", ")))")
            }
        }
        return names
    }

    /// A vipd name: letters, digits, `.`, `_`, `-`, starting with a letter or digit.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
    }
}
