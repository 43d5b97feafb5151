/// Why a keepalived.conf keyword is not carried into vipd.yaml, and what vipd does instead.
enum KeepalivedKeywordReasons {
    /// The reason for a statement at the top level or inside `global_defs`.
    static func global(_ statement: KeepalivedStatement) -> String {
        let keyword = statement.keyword
        switch keyword {
        case "notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout", "smtp_alert",
            "smtp_helo_name":
            return "vipd sends no mail; use a vrrp notify command (notify.master, notify.any) instead"
        case "enable_script_security", "script_user":
            return "vipd runs track scripts and notify commands with /bin/sh -c as its own user"
        case "router_id": return "vipd names each node in cluster.nodes"
        case "include":
            return "not followed: vipd import reads only the files it is given (pass one keepalived.conf per node)"
        case "real_server": return "a real_server belongs inside a virtual_server; not carried"
        case "static_ipaddress", "static_routes", "static_rules", "virtual_routes", "virtual_rules":
            return "vipd manages the virtual addresses only; set static ones with the host's network configuration"
        case "lvs_sync_daemon", "lvs_flush", "lvs_timeouts": return "vipd has no LVS"
        default:
            if keyword.hasPrefix("@") || keyword.hasPrefix("$") { return "keepalived's conditional configuration is not read by vipd import" }
            return looksLikeKeyword(keyword) ? "vipd has no equivalent; not carried" : notAKeyword
        }
    }

    /// The reason for a statement inside `vrrp_instance` that vipd does not carry.
    static func instance(_ statement: KeepalivedStatement) -> String {
        switch statement.keyword {
        case "dont_track_primary":
            return "vipd always tracks the instance's interface (link down puts the instance in FAULT)"
        case "virtual_ipaddress_excluded":
            return "vipd has no excluded addresses; list them under virtual_addresses (they are then advertised too)"
        case "smtp_alert": return "vipd sends no mail; use a notify command instead"
        case "use_vmac", "vmac_xmit_base": return "vipd uses the interface's own MAC address and announces the VIPs with gratuitous ARP"
        case "garp_lower_prio_delay", "garp_lower_prio_repeat":
            return "vipd answers a lower-priority master with the announcements of a takeover (garp.count, garp.repeat_after); it has no separate delay or count for it"
        case "mcast_dst_ip": return "vipd advertises to 224.0.0.18 / ff02::12 or, with unicast, to the other nodes"
        case "notify_master_rx_lower_pri", "notify_priority_changes": return "vipd has no such notify; notify.any runs on every state change"
        case "lvs_sync_daemon_interface": return "vipd has no LVS"
        case "track_bfd": return "vipd does not track BFD sessions"
        default: return looksLikeKeyword(statement.keyword) ? "vipd has no equivalent; not carried" : notAKeyword
        }
    }

    static let notAKeyword = "not a keepalived keyword (a note copied along with the file?); ignored"

    static func looksLikeKeyword(_ word: String) -> Bool {
        word.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
