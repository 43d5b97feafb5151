/// Why a haproxy.cfg keyword is not carried into vipd.yaml, and what vipd does instead.
enum HAProxyKeywordReasons {
    static let httpMode = "not translated: the listener comes out as mode: tcp (bytes forwarded unchanged); set mode: http by hand for vipd's HTTP mode"

    /// The reason for a keyword of the `global` section.
    static func global(_ directive: HAProxyDirective) -> String {
        switch directive.keyword {
        case "daemon", "master-worker": return "vipd runs in the foreground under systemd (Type=notify)"
        case "log", "log-tag", "log-send-hostname":
            return "vipd logs to standard error (journald under systemd), one line per finished connection"
        case "maxconn": return "vipd has no process-wide limit; each listener has maxconn"
        case "user", "group", "uid", "gid": return "vipd runs as the user of its systemd unit"
        case "chroot": return "vipd does not chroot"
        case "pidfile": return "systemd tracks vipd's process; there is no PID file"
        case "stats": return "haproxy's runtime socket: vipd's is vipd ctl (global.control_socket)"
        case "nbthread", "nbproc", "cpu-map": return "vipd sizes its event loops to the CPUs itself"
        default:
            if directive.keyword.hasPrefix("ssl-") || directive.keyword.hasPrefix("tune.ssl") {
                return "vipd does not terminate TLS; it forwards TLS unchanged"
            }
            return unknownOr(directive, "a haproxy process setting with no vipd equivalent")
        }
    }

    /// The reason for a keyword of a frontend, backend, listen or defaults section that vipd does not carry.
    static func proxy(_ directive: HAProxyDirective) -> String {
        let words = directive.keyword == "no" ? Array(directive.words.dropFirst()) : directive.words
        if ["option", "timeout"].contains(words.first), words.count > 1 {
            let name = "\(words[0]) \(words[1])"
            if let reason = optionReasons[name] { return reason }
            return words[0] == "timeout" ? "vipd has no such timeout" : "vipd has no such option; not carried"
        }
        switch directive.keyword {
        case "http-request", "http-response", "http-after-response", "redirect", "compression", "capture", "errorfile",
            "errorfiles", "cookie", "unique-id-format", "unique-id-header", "monitor-uri", "http-reuse", "http-check",
            "http-error", "errorloc", "errorloc302", "errorloc303", "filter":
            return httpMode
        case "stats": return "not translated: add stats: { bind: \"node:8404\" } for vipd's stats page"
        case "mode": return httpMode
        case "acl": return "vipd has no ACLs; every connection of a listener goes to its pool"
        case "use_backend", "use-server":
            return "vipd has no content switching: every connection of a listener goes to its pool (default_backend)"
        case "tcp-request", "tcp-response": return "vipd has no tcp-request or tcp-response rules"
        case "log": return "vipd logs to standard error (journald under systemd), one line per finished connection"
        case "log-format", "log-format-sd", "error-log-format", "log-tag":
            return "vipd's connection log line has a fixed format (client, listener, pool/server, times, bytes)"
        case "hash-type": return "vipd's source balancing uses its own hash of the client address"
        case "fullconn", "stick-table", "stick", "persist", "dispatch", "source", "description", "id", "backlog",
            "rate-limit", "load-server-state-from-file", "server-state-file-name", "server-template":
            return unknownOr(directive, "vipd has no equivalent; not carried")
        case "disabled", "enabled": return "vipd has no disabled proxies: leave the listener out instead"
        default: return unknownOr(directive, "vipd has no equivalent; not carried")
        }
    }

    /// Reasons for `option NAME` and `timeout NAME`, by those two words.
    private static let optionReasons: [String: String] = [
        "option forwardfor": "not translated (the listener is mode: tcp): vipd's mode: http appends X-Forwarded-For by default",
        "option http-server-close": httpMode, "option httpclose": httpMode, "option http-keep-alive": httpMode,
        "option http-buffer-request": httpMode, "option httplog": httpMode, "option http-use-htx": httpMode,
        "option http-pretend-keepalive": httpMode, "option http-no-delay": httpMode,
        "option dontlognull": "vipd logs every connection, also those that carried no data",
        "option dontlog-normal": "vipd logs every connection", "option logasap": "vipd logs a connection when it ends",
        "option log-health-checks": "vipd logs every server state change, not each check",
        "option abortonclose": "vipd has no request queue to abort from",
        "option tcpka": "vipd does not set TCP keep-alive", "option clitcpka": "vipd does not set TCP keep-alive",
        "option srvtcpka": "vipd does not set TCP keep-alive",
        "option splice-auto": "vipd copies through user space", "option splice-request": "vipd copies through user space",
        "option splice-response": "vipd copies through user space",
        "option ssl-hello-chk": "vipd has no TLS hello check; the pool's check is kind tcp",
        "option mysql-check": "vipd has no MySQL check; the pool's check is kind tcp",
        "option pgsql-check": "vipd has no PostgreSQL check; the pool's check is kind tcp",
        "option redis-check": "vipd has no Redis check; the pool's check is kind tcp",
        "option smtpchk": "vipd has no SMTP check; the pool's check is kind tcp",
        "option ldap-check": "vipd has no LDAP check; the pool's check is kind tcp",
        "option external-check": "vipd has no external checks; the pool's check is kind tcp",
        "option allbackups": "vipd sends to one backup server at a time, the first that is up",
        "option persist": "vipd has no persistence", "option prefer-last-server": "vipd has no persistence",
        "option independent-streams": "vipd's idle timeout already counts both directions",
        "option nolinger": "vipd closes connections normally",
        "option transparent": "vipd connects from the node's own address",
        "timeout http-request": httpMode, "timeout http-keep-alive": httpMode,
        "timeout queue": "vipd queues nothing: connections beyond maxconn wait in the kernel backlog",
        "timeout tarpit": httpMode,
        "timeout client-fin": "vipd's idle_timeout also covers half-closed connections",
        "timeout server-fin": "vipd's idle_timeout also covers half-closed connections",
    ]

    /// `reason`, unless the keyword is no haproxy keyword at all (a note copied along with the file).
    private static func unknownOr(_ directive: HAProxyDirective, _ reason: String) -> String {
        let looksLikeKeyword = directive.keyword.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
        }
        return looksLikeKeyword ? reason : "not a haproxy keyword (a note copied along with the file?); ignored"
    }
}
