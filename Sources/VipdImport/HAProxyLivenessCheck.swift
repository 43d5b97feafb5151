/// Recognises the `vrrp_script` every haproxy + keepalived pair has: a command that only checks that
/// haproxy runs, which vipd makes unnecessary (its proxy and VRRP speaker are one process).
///
/// The forms found in the field, each with any path to the program, options, and output redirected:
/// `pidof haproxy`, `killall -0 haproxy`, `pgrep -x haproxy`, `pkill -0 haproxy`, `ps -C haproxy`,
/// `systemctl is-active --quiet haproxy.service`, `service haproxy status`, `kill -0 $(cat /run/haproxy.pid)`
/// (or `` `cat …` ``, `$(< …)`, `$(pidof haproxy)`), `test -d /proc/$(cat /run/haproxy.pid)` and
/// `[ -e /proc/… ]`, and any of them wrapped in `sh -c '…'` or `bash -c "…"`.
enum HAProxyLivenessCheck {
    /// Whether `command` only checks that haproxy's process (or unit) is alive.
    static func matches(_ command: String) -> Bool {
        guard let all = ShellWords.split(command) else { return false }
        let words = ShellWords.droppingRedirections(all)
        guard let first = words.first else { return false }
        let program = programName(first)
        let arguments = Array(words.dropFirst())
        if ["sh", "bash", "dash"].contains(program), arguments.count == 2, arguments[0] == "-c" {
            return matches(arguments[1])
        }
        switch program {
        case "pidof", "killall", "pgrep", "pkill":
            return namesHAProxyAfterOptions(arguments)
        case "ps":
            return arguments.count == 2 && arguments[0] == "-C" && isHAProxy(arguments[1])
        case "systemctl":
            let verbs = arguments.filter { !$0.hasPrefix("-") }
            return verbs.count == 2 && ["is-active", "status"].contains(verbs[0]) && isHAProxy(verbs[1])
        case "service":
            return arguments.count == 2 && isHAProxy(arguments[0]) && arguments[1] == "status"
        case "kill":
            return (arguments.count == 2 && arguments[0] == "-0" && isHAProxyPID(arguments[1]))
                || (arguments.count == 3 && arguments[0] == "-s" && arguments[1] == "0" && isHAProxyPID(arguments[2]))
        case "test":
            return isProcDirectoryTest(arguments)
        case "[":
            return arguments.last == "]" && isProcDirectoryTest(Array(arguments.dropLast()))
        default:
            return false
        }
    }

    /// Whether `text`, a track script's command that is not a liveness check, still names haproxy (it
    /// will fail once vipd replaces haproxy).
    static func namesHAProxy(_ text: String) -> Bool {
        text.lowercased().contains("haproxy")
    }

    /// What the import says, on standard error and above the script in vipd.yaml, of a carried script
    /// that names haproxy.
    static let stillNamesHAProxy =
        "WARNING: carried, but it names haproxy, which vipd replaces: once haproxy is stopped this script fails on every node and each instance that tracks it goes to FAULT (weight 0) or loses priority; rewrite it, or track vipd's pools instead (track.pools)"

    /// The program's name without its directory: `/usr/bin/killall` is `killall`.
    private static func programName(_ word: String) -> String {
        String(word.split(separator: "/").last ?? Substring(word))
    }

    /// `haproxy` or its systemd unit.
    private static func isHAProxy(_ word: String) -> Bool {
        ["haproxy", "haproxy.service"].contains(word)
    }

    /// Options (words starting with `-`, such as `-0`, `-x`, `-s`) then `haproxy`, the last word.
    private static func namesHAProxyAfterOptions(_ arguments: [String]) -> Bool {
        guard let target = arguments.last, isHAProxy(target) else { return false }
        return arguments.dropLast().allSatisfy { $0.hasPrefix("-") }
    }

    /// A substitution that prints haproxy's PID: `$(cat /run/haproxy.pid)`, `$(< /run/haproxy.pid)`,
    /// `$(head -1 /var/run/haproxy/haproxy.pid)`, `$(pidof haproxy)`, `$(pgrep -x haproxy)`.
    private static func isHAProxyPID(_ word: String) -> Bool {
        guard let inner = ShellWords.substitutedCommand(word), let all = ShellWords.split(inner) else { return false }
        if all.count == 2, all[0] == "<" { return isHAProxyPIDFile(all[1]) }
        let words = ShellWords.droppingRedirections(all)
        guard let first = words.first else { return false }
        let arguments = Array(words.dropFirst())
        switch programName(first) {
        case "cat", "head":
            guard let file = arguments.last else { return false }
            return isHAProxyPIDFile(file) && arguments.dropLast().allSatisfy { $0.hasPrefix("-") }
        case "pidof", "pgrep":
            return namesHAProxyAfterOptions(arguments)
        default:
            return false
        }
    }

    /// A path whose file name names haproxy and ends in `.pid`, such as `/run/haproxy.pid`.
    private static func isHAProxyPIDFile(_ path: String) -> Bool {
        let name = programName(path)
        return name.hasSuffix(".pid") && name.lowercased().contains("haproxy")
    }

    /// `-d /proc/$(cat /run/haproxy.pid)` or `-e …`: haproxy's PID has a /proc directory.
    private static func isProcDirectoryTest(_ arguments: [String]) -> Bool {
        guard arguments.count == 2, ["-d", "-e"].contains(arguments[0]), arguments[1].hasPrefix("/proc/") else {
            return false
        }
        return isHAProxyPID(String(arguments[1].dropFirst("/proc/".count)))
    }
}
