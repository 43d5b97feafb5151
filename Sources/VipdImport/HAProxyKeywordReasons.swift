/// Why a haproxy.cfg keyword is not carried into vipd.yaml, and what vipd does instead.
enum HAProxyKeywordReasons {
    /// For an HTTP setting vipd translates in mode http, met in a proxy of mode tcp.
    static let httpOnly = "an HTTP setting in a mode tcp proxy: haproxy does not use it there either"

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
        case "http-request", "http-response", "http-after-response":
            return "vipd has no \(directive.keyword) rules; of them it carries only the no-server page (http-request return … file … if { nbsrv(BACKEND) eq 0 })"
        case "redirect": return "vipd does not redirect"
        case "compression": return "vipd does not compress; responses pass unchanged"
        case "capture": return "vipd's access log line has a fixed format, without captured headers"
        case "errorfile":
            return "vipd answers its own errors with small built-in responses; of errorfile it carries only 503, haproxy's no-server response (http.sorry_page: { response })"
        case "errorfiles", "http-error", "errorloc", "errorloc302", "errorloc303":
            return "vipd answers its own errors with small built-in responses; only the no-server page is a file of yours (http.sorry_page)"
        case "cookie": return "vipd has no cookie persistence"
        case "unique-id-format", "unique-id-header": return "vipd adds no request ID"
        case "monitor-uri": return "vipd has no monitor URI; its stats listener serves /stats.json and /metrics"
        case "http-reuse": return httpOnly
        case "http-check": return "http-check rules apply with option httpchk only; haproxy does not use them here either"
        case "filter": return "vipd has no filters"
        case "stats": return "vipd's stats page has a listener of its own, not a proxy's: add stats: { bind: \"node:8404\" }"
        case "mode": return "this proxy has no vipd listener or pool, so its mode is not used"
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
        "option forwardfor": httpOnly, "option http-server-close": httpOnly, "option httpclose": httpOnly,
        "option forceclose": httpOnly, "option http-keep-alive": httpOnly, "option httplog": httpOnly,
        "option http-buffer-request": "vipd forwards a request body as it arrives, without waiting for all of it",
        "option http-use-htx": "vipd needs no such switch", "option http-no-delay": "vipd forwards each read at once",
        "option http-pretend-keepalive": "vipd tells each server keep-alive or close itself (http.server_reuse)",
        "option forwarded": "not translated: set http.forwarded: true for an RFC 7239 Forwarded header (for= and proto=)",
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
        "timeout http-request": httpOnly, "timeout http-keep-alive": httpOnly,
        "timeout queue": "vipd queues nothing: connections beyond maxconn wait in the kernel backlog",
        "timeout tarpit": "vipd has no tarpit",
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
