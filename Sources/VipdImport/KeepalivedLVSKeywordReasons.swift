/// Why a keyword inside keepalived's `virtual_server`, `real_server` or a health checker is not
/// carried into vipd.yaml, and what vipd does instead.
enum KeepalivedLVSKeywordReasons {
    /// `lvs_method` / `lb_kind` (virtual, real or sorry server): vipd is a proxy, not a forwarder.
    static let forwarding =
        "vipd proxies: the servers see connections from this node instead of the client's address and answer through it, with no route back through the director; with servers that are cluster nodes running vipd, transparent: true on the pool gives them the client's address"

    /// A keyword of `virtual_server` that vipd does not carry.
    static func virtualServer(_ statement: KeepalivedStatement) -> String {
        switch statement.keyword {
        case "lvs_method", "lb_kind", "sorry_server_lvs_method": return forwarding
        case "ha_suspend":
            return "vipd binds its listeners with IP_FREEBIND and checks the servers whether or not this node holds the address"
        case "quorum", "hysteresis", "quorum_up", "quorum_down":
            return "vipd has no quorum; to move the VIP when the pool has no server up, track the pool from the VRRP instance (track.pools)"
        case "omega": return "vipd runs no command when it stops"
        case "smtp_alert": return "vipd sends no mail"
        case "snmp_name": return "vipd has no SNMP; its stats listener serves Prometheus metrics (stats)"
        case "persistence_granularity": return "vipd's balance: source hashes the whole client address"
        case "persistence_engine": return "vipd has no persistence engines"
        case "ops", "hashed", "flag-1", "flag-2", "flag-3", "sh-port", "sh-fallback", "mh-port", "mh-fallback":
            return "vipd has no IPVS scheduler flags"
        case "ip_family": return "vipd takes the family from the addresses"
        case "sorry_server_inhibit": return "vipd's backup server takes connections whenever no other server is up"
        case "weight": return "expected a weight 1-65535; not carried"
        default: return other(statement.keyword)
        }
    }

    /// A keyword of `real_server` that vipd does not carry.
    static func realServer(_ statement: KeepalivedStatement) -> String {
        switch statement.keyword {
        case "lvs_method", "lb_kind": return forwarding
        case "notify_up", "notify_down":
            return "vipd runs no command when a server changes state; it logs it (server POOL/SERVER is UP or DOWN, with VIPD_POOL and VIPD_SERVER journal fields)"
        case "uthreshold", "lthreshold": return "vipd limits connections per listener (maxconn), not per server"
        case "smtp_alert": return "vipd sends no mail"
        case "snmp_name": return "vipd has no SNMP; its stats listener serves Prometheus metrics (stats)"
        case "DNS_CHECK", "UDP_CHECK": return "vipd has no UDP checks; not carried"
        case "PING_CHECK": return "vipd has no ping check; not carried"
        case "BFD_CHECK": return "vipd has no BFD check; not carried"
        case "FILE_CHECK": return "vipd has no file check (a kind: exec check can read the file); not carried"
        default: return other(statement.keyword)
        }
    }

    /// A keyword of a health checker that vipd does not carry.
    static func checker(_ statement: KeepalivedStatement) -> String {
        switch statement.keyword {
        case "connect_ip": return "vipd checks each server at its own address"
        case "bindto", "bind_if", "bind_port": return "vipd's checks leave from this node's address"
        case "fwmark": return "vipd does not mark its check packets"
        case "warmup": return "vipd checks every server at once when it starts"
        case "log_all_failures": return "vipd logs every failed check (at info level when it does not change the server's state)"
        case "http_protocol": return "vipd sends HTTP/1.1 with Connection: close"
        case "fast_recovery": return "vipd checks one URL; a server is up again after rise passed checks"
        case "url": return "vipd's http check requests one path (the first url); keepalived requires every url to pass"
        case "digest": return "vipd's http check checks the status only"
        case "regex", "regex_no_match", "regex_options", "regex_stack", "regex_min_offset", "regex_max_offset":
            return "vipd's http check checks the status only"
        case "enable_sni", "sni_name", "tls_compliant": return "vipd's checks do not speak TLS"
        case "helo_name": return "vipd's check connects only; it sends no HELO"
        case "user":
            return "vipd runs the command as its own user (root under the shipped unit), with the unit's sandbox"
        case "misc_dynamic":
            return "vipd's exec check passes on exit status 0 only: keepalived also takes 2-255 as up (with weight status - 2), vipd takes them as failures and keeps the server's weight; make the command exit 0 when the server is up"
        default: return other(statement.keyword)
        }
    }

    private static func other(_ keyword: String) -> String {
        KeepalivedKeywordReasons.looksLikeKeyword(keyword.lowercased()) ? "vipd has no equivalent; not carried" : KeepalivedKeywordReasons.notAKeyword
    }
}
