/// One process as `/proc/PID` shows it, for tracking processes by name (`track.processes`) (pure).
///
/// A process has a name, `comm` (`/proc/PID/comm`, the second field of `/proc/PID/stat`: the
/// executable's file name cut to 15 bytes, or what the process set with `prctl(PR_SET_NAME)`), and a
/// command line whose first word is usually the program as it was started (`exec -a NAME` sets it).
public struct ProcessEntry: Sendable, Equatable {
    /// The process name.
    public var comm: String
    /// The state letter of `/proc/PID/stat` (`R`, `S`, `Z`, …).
    public var state: UInt8
    /// The command line's first word; nil when not read, or when the command line is empty (a
    /// kernel thread, a zombie).
    public var firstWord: String?

    public init(comm: String, state: UInt8, firstWord: String? = nil) {
        self.comm = comm
        self.state = state
        self.firstWord = firstWord
    }

    /// The process from `stat`, the bytes of `/proc/PID/stat`: `PID (COMM) STATE …`, where COMM may
    /// hold spaces and parentheses (it ends at the last `)`); nil when `stat` is not such a line.
    public init?(stat: some Collection<UInt8>) {
        let bytes = Array(stat)
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
            let close = bytes.lastIndex(of: UInt8(ascii: ")")), close > open,
            close + 2 < bytes.count, bytes[close + 1] == UInt8(ascii: " ")
        else { return nil }
        self.init(comm: String(decoding: bytes[(open + 1)..<close], as: UTF8.self), state: bytes[close + 2])
    }

    /// The first word of `commandLine`, the bytes of `/proc/PID/cmdline` (the arguments, each ended
    /// by a NUL; a process that rewrote it may have one string with spaces): up to the first NUL or
    /// space; nil when that is empty.
    public static func firstWord(commandLine: some Collection<UInt8>) -> String? {
        let word = commandLine.prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
        return word.isEmpty ? nil : String(decoding: word, as: UTF8.self)
    }

    /// A zombie (`Z`) or dead (`X`) process: it has ended, whatever its name.
    public var hasEnded: Bool { state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") }

    /// Whether the process is one named `name`: its `comm` is `name`, or the first word of its command
    /// line is `name` or a path ending in `/name`. A process that has ended is none.
    public func isNamed(_ name: String) -> Bool {
        guard !hasEnded, !name.isEmpty else { return false }
        if comm == name { return true }
        guard let firstWord else { return false }
        return firstWord == name || (!name.contains("/") && firstWord.hasSuffix("/" + name))
    }
}
