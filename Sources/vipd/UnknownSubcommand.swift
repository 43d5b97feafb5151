import VipdConfig

/// The first word of a command line that names no subcommand, with the subcommand it most likely
/// meant ("did you mean"); ArgumentParser itself only says that the argument is unexpected.
enum UnknownSubcommand {
    /// The message for `arguments` (without the program name), or nil when the first one is a known
    /// subcommand, `help`, or an option ArgumentParser answers (`--help`, `--version`).
    ///
    /// haproxy's `-c -f FILE` and keepalived's `-t -f FILE` typed without `check` are pointed to `vipd check`.
    /// `hidden` subcommands (not for people) are accepted but never listed or suggested.
    static func message(arguments: [String], subcommands: [String], hidden: [String] = []) -> String? {
        guard let first = arguments.first else { return nil }
        if ["-c", "-t", "-f"].contains(first) {
            return "vipd: \(first) belongs to vipd check: vipd check \(arguments.joined(separator: " "))"
        }
        guard !first.hasPrefix("-"), !subcommands.contains(first), !hidden.contains(first), first != "help" else { return nil }
        let list = subcommands.joined(separator: ", ")
        guard let suggestion = closestMatch(to: first, among: subcommands) else {
            return "vipd: unknown command \"\(first)\" (the commands: \(list); vipd --help)"
        }
        return "vipd: unknown command \"\(first)\" (did you mean \"\(suggestion)\"?)"
    }
}
