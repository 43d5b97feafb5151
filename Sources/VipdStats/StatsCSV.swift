import FoundationEssentials
import VipdProxy

/// A snapshot as haproxy's CSV statistics (`/stats.csv`, and `/stats;csv` where haproxy's
/// `stats uri /stats` served it): a `# pxname,svname,…` header line, then per listener a
/// `FRONTEND` row, per pool one row per server and a `BACKEND` row. Columns keep haproxy's names
/// where the meaning is the same (``columns``), so scripts written for haproxy's CSV read it; empty
/// where vipd has no such figure. Lines end with a comma, as haproxy's do.
public enum StatsCSV {
    public static let contentType = "text/csv; charset=utf-8"

    /// The columns, in order: haproxy's names, then vipd's own (`no_server`).
    ///
    /// `pxname` listener or pool, `svname` `FRONTEND`, `BACKEND` or the server, `scur` connections or
    /// requests served now, `stot` connections and requests in all, `bin`/`bout` bytes from/to clients,
    /// `ereq` bad requests and request timeouts, `econ` connect errors, `eresp` responses the server
    /// broke off or did not send in time, `wretr` retries on another server, `wredis` connections
    /// taken after another server failed, `status` (`UP`, `DOWN`, `DRAIN`, `MAINT`, `no check`;
    /// `OPEN` for a listener), `weight`, `act`/`bck` (server: 1 for active/backup; backend: servers
    /// of each kind taking new connections), `chkdown` up→down transitions, `lastchg` seconds since
    /// the last one, `downtime` seconds down in all, `type` (0 frontend, 1 backend, 2 server), `rate`
    /// new connections per second, `check_duration` milliseconds of the last check, `last_chk` its
    /// result, `hrsp_1xx` … `hrsp_other` HTTP responses by class, `req_tot` HTTP requests, and
    /// `no_server` connections or requests refused for want of a server.
    public static let columns = [
        "pxname", "svname", "scur", "stot", "bin", "bout", "ereq", "econ", "eresp", "wretr", "wredis", "status", "weight",
        "act", "bck", "chkdown", "lastchg", "downtime", "type", "rate", "check_duration", "last_chk",
    ] + HTTPStatusClassCounters.classes.map { "hrsp_" + $0 } + ["req_tot", "no_server"]

    /// The CSV text of `snapshot`.
    public static func render(_ snapshot: StatsSnapshot) -> String {
        var lines = ["# " + columns.joined(separator: ",") + ","]
        for listener in snapshot.listeners {
            lines.append(line([
                "pxname": listener.name, "svname": "FRONTEND", "stot": "\(listener.connections)",
                "ereq": "\(listener.badRequests + listener.requestTimeouts)", "status": "OPEN", "type": "0",
                "no_server": "\(listener.noServer)",
            ].merging(statusClasses(listener.httpResponses)) { $1 }))
        }
        for pool in snapshot.pools {
            for server in pool.servers {
                lines.append(line(serverFields(server, pool: pool.name, now: snapshot.generatedAt)))
            }
            lines.append(line(backendFields(pool, listeners: snapshot.listeners)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func serverFields(_ server: ServerStats, pool: String, now: Double) -> [String: String] {
        var fields = [
            "pxname": pool, "svname": server.name, "scur": "\(server.activeConnections)",
            "stot": "\(server.totalConnections + server.totalRequests)", "bin": "\(server.bytesIn)", "bout": "\(server.bytesOut)",
            "econ": "\(server.connectErrors)", "eresp": "\(server.responseErrors + server.timeouts)",
            "wretr": "\(server.retries)", "wredis": "\(server.redispatches)", "status": status(of: server),
            "weight": "\(server.weight)", "act": server.backup ? "0" : "1", "bck": server.backup ? "1" : "0",
            "chkdown": "\(server.downCount)", "downtime": "\(Int(server.downtimeSeconds))", "type": "2",
            "rate": "\(Int(server.connectionRate.rounded()))", "req_tot": "\(server.totalRequests)",
        ].merging(statusClasses(server.httpResponses)) { $1 }
        if let lastChange = server.lastChange { fields["lastchg"] = "\(Int(max(0, now - lastChange)))" }
        if let check = server.lastCheck {
            fields["check_duration"] = "\(Int((check.durationSeconds * 1000).rounded()))"
            fields["last_chk"] = check.detail
        }
        return fields
    }

    private static func backendFields(_ pool: PoolStats, listeners: [ListenerStats]) -> [String: String] {
        func sum(_ value: (ServerStats) -> Int) -> String { "\(pool.servers.map(value).reduce(0, +))" }
        let usable = pool.servers.filter(\.takesNewConnections)
        var responses: [String: Int] = [:]
        for server in pool.servers { responses.merge(server.httpResponses, uniquingKeysWith: +) }
        return [
            "pxname": pool.name, "svname": "BACKEND", "scur": sum(\.activeConnections),
            "stot": sum { $0.totalConnections + $0.totalRequests }, "bin": sum(\.bytesIn), "bout": sum(\.bytesOut),
            "econ": sum(\.connectErrors), "eresp": sum { $0.responseErrors + $0.timeouts }, "wretr": sum(\.retries),
            "wredis": sum(\.redispatches), "status": usable.isEmpty ? "DOWN" : "UP", "weight": "\(usable.map(\.weight).reduce(0, +))",
            "act": "\(usable.filter { !$0.backup }.count)", "bck": "\(usable.filter(\.backup).count)", "type": "1",
            "req_tot": sum(\.totalRequests), "no_server": "\(pool.noServerRefusals(listeners: listeners))",
        ].merging(statusClasses(responses)) { $1 }
    }

    /// haproxy's status words: `UP`, `DOWN`, `DRAIN` (up, drained), `MAINT`, `no check` (not checked).
    static func status(of server: ServerStats) -> String {
        switch server.adminState {
        case "maint": return "MAINT"
        case "drain" where server.isUp: return "DRAIN"
        default: return server.checked || !server.isUp ? server.state : "no check"
        }
    }

    private static func statusClasses(_ counts: [String: Int]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: HTTPStatusClassCounters.classes.map { ("hrsp_" + $0, "\(counts[$0] ?? 0)") })
    }

    private static func line(_ fields: [String: String]) -> String {
        columns.map { escaped(fields[$0] ?? "") }.joined(separator: ",") + ","
    }

    /// A field as CSV has it: quoted, with quotes doubled, when it holds a comma, a quote or a line break.
    static func escaped(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }
}
