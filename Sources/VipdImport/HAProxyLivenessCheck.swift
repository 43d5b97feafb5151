/// Recognises the `vrrp_script` every haproxy + keepalived pair has: a command that only checks that
/// haproxy runs, which vipd makes unnecessary (its proxy and VRRP speaker are one process).
enum HAProxyLivenessCheck {
    /// Whether `command` is `pidof`, `killall`, `pgrep`, `pkill` or `systemctl` (any path) aimed at
    /// `haproxy` or `haproxy.service`, output redirections aside, with no other shell construct.
    static func matches(_ command: String) -> Bool {
        let words = command.split(separator: " ").filter {
            !$0.hasPrefix(">") && !$0.hasPrefix("2>") && !$0.hasPrefix("&>") && $0 != "/dev/null"
        }
        guard words.count >= 2, let program = words.first?.split(separator: "/").last, let target = words.last else { return false }
        let checkers: Set<Substring> = ["pidof", "killall", "pgrep", "pkill", "systemctl"]
        let shell: Set<Character> = ["|", ";", "&", "`", "$"]
        return checkers.contains(program) && ["haproxy", "haproxy.service"].contains(target)
            && !command.contains { shell.contains($0) }
    }
}
