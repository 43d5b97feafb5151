import VipdVRRP

/// `vipd ctl`'s human output, pure: the status overview and the server table.
public enum ControlText {
    /// `status`: the node, each VRRP instance, each peer's (and the warnings they make together), each
    /// pool with its servers, the monitor's findings.
    public static func status(_ report: StatusReport) -> String {
        var lines = ["node \(report.node ?? "(none)"), config \(report.configPath)"]
        if report.instances.isEmpty {
            lines.append("VRRP: no instances")
        }
        lines += report.instances.map { "VRRP " + instanceText($0) }
        for peer in report.peers {
            var line = "peer \(peer.node) (\(peer.address))"
            if let error = peer.error {
                line += ": does not answer (\(error))" + (peer.lastSeen.map { ", last answered \($0)" } ?? ", never answered")
            }
            lines.append(line)
            lines += peer.instances.map { "  VRRP " + instanceText($0) }
        }
        lines += report.clusterWarnings.map { "CLUSTER WARNING \($0)" }
        for pool in report.pools {
            let usable = pool.servers.filter(\.takesNewConnections).count
            lines.append("pool \(pool.name) (\(pool.balance)): \(usable)/\(pool.servers.count) servers take new connections")
            lines += pool.servers.map { "  " + serverLine($0) }
        }
        switch report.findings {
        case nil:
            lines.append("monitor: not running")
        case let findings? where findings.isEmpty:
            lines.append("monitor: no findings")
        case let findings?:
            lines.append("monitor: \(findings.count) finding(s)")
            for finding in findings {
                lines.append("  \(finding.severity.uppercased()) \(finding.kind) since \(finding.since): \(finding.summary)")
                lines.append("    fix: \(finding.fix)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `VI_1: BACKUP, priority 50, master 10.0.0.1`, with the configured priority, hold, fault and sync
    /// group when they matter.
    private static func instanceText(_ instance: VRRPInstanceStatus) -> String {
        var line = "\(instance.name): \(instance.state), priority \(instance.effectivePriority)"
        if instance.effectivePriority != instance.priority { line += " (configured \(instance.priority))" }
        if let master = instance.masterAddress { line += ", master \(master)" }
        if instance.isHeld { line += ", HELD by vipd ctl handover until vipd ctl ready" }
        if let fault = instance.faultReason { line += ", fault: \(fault)" }
        if let group = instance.syncGroup { line += ", sync group \(group)" + (instance.syncGroupState.map { " \($0)" } ?? "") }
        if let moved = instance.movedSessions, moved > 0 {
            line += ", still serving \(moved) session(s) moved away with the virtual addresses"
        }
        if let previous = instance.forwardingTo {
            line += ", forwarding segments of \(previous)'s sessions to it (\(instance.forwardedSegments ?? 0) so far)"
        }
        return line
    }

    /// `servers`: one aligned row per server with a header.
    public static func servers(_ servers: [ServerReport]) -> String {
        let header = ["SERVER", "ADDRESS", "HEALTH", "CHECK", "ADMIN", "WEIGHT", "CONNS"]
        let rows = servers.map { server in
            [
                "\(server.pool)/\(server.name)\(server.backup ? " (backup)" : "")", server.address, server.health.uppercased(),
                server.check, server.admin.rawValue, weightText(server), String(server.activeConnections),
            ]
        }
        return table([header] + rows)
    }

    /// One server in words, for `status` and the answer to `drain`, `maint`, `ready`, `weight`.
    public static func serverLine(_ server: ServerReport) -> String {
        var line = "\(server.name) \(server.address)\(server.backup ? " backup" : ""): \(server.health.uppercased()) (\(server.check))"
        if server.admin != .ready { line += ", \(server.admin.rawValue)" }
        line += ", weight \(weightText(server)), \(server.activeConnections) connection(s)"
        return line
    }

    /// `50` or, when changed at run time, `50 (configured 1)`.
    private static func weightText(_ server: ServerReport) -> String {
        server.weight == server.configuredWeight ? "\(server.weight)" : "\(server.weight) (configured \(server.configuredWeight))"
    }

    /// Left-aligned columns two spaces apart, no trailing spaces.
    private static func table(_ rows: [[String]]) -> String {
        let widths = rows.reduce(into: [Int](repeating: 0, count: rows.first?.count ?? 0)) { widths, row in
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
