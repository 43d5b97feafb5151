import VipdConfig

/// The listeners and pools of every keepalived file's virtual servers, beside haproxy.cfg's.
///
/// vipd runs the same file on every node, so a virtual server that several nodes' files declare
/// (the usual LVS pair) is carried once: the first file's, every difference in a later file
/// remarked. A virtual server whose address and port a haproxy.cfg listener binds is not carried.
struct KeepalivedVirtualServers {
    var listeners: [ListenerConfig] = []
    var pools: [PoolConfig] = []
    /// Comment lines for vipd.yaml by key path.
    var comments: [String: [String]] = [:]
    /// The virtual servers carried, with their final names, for comparing later files' ones.
    private var carried: [KeepalivedVirtualServer] = []

    /// Adds one file's virtual servers next to `proxy`'s listeners and pools.
    mutating func add(_ servers: [KeepalivedVirtualServer], besides proxy: HAProxyTranslation, ledger: inout ImportLedger) {
        for var server in servers {
            let bind = server.listener.bind
            let location = server.statement.location
            if let clash = proxy.listeners.first(where: { $0.bind.conflicts(with: bind) }) {
                ledger.remark(
                    location, server.statement.text,
                    "not carried: haproxy.cfg's listener \(clash.name) binds \(clash.bind) already, and vipd keeps that one")
                continue
            }
            if let earlier = carried.first(where: { $0.listener.bind == bind }) {
                comments["listeners.\(earlier.listener.name)", default: []].append("\(location) \(server.statement.text)")
                let differences = Self.differences(earlier, server)
                if !differences.isEmpty {
                    ledger.remark(
                        location, server.statement.text,
                        "\(differences.joined(separator: ", ")) differ from \(earlier.statement.location); vipd runs one setting on every node: that file's is kept")
                }
                continue
            }
            let name = ImportNames.unique(server.pool.name, taken: proxy.pools.map(\.name) + pools.map(\.name) + proxy.listeners.map(\.name) + listeners.map(\.name))
            server.pool.name = name
            server.listener.name = name
            server.listener.pool = name
            carried.append(server)
            listeners.append(server.listener)
            pools.append(server.pool)
            comments["listeners.\(name)"] = ["\(location) \(server.statement.text)"]
            comments["pools.\(name)"] = server.poolComments
        }
    }

    /// The settings in which two files' versions of one virtual server differ.
    private static func differences(_ lhs: KeepalivedVirtualServer, _ rhs: KeepalivedVirtualServer) -> [String] {
        var fields: [String] = []
        if lhs.pool.balance != rhs.pool.balance { fields.append("lvs_sched / persistence_timeout") }
        if lhs.pool.servers != rhs.pool.servers { fields.append("real servers") }
        if lhs.pool.check != rhs.pool.check { fields.append("health checks") }
        return fields
    }
}
