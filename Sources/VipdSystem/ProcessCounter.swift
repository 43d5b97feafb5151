/// Counts running processes by name, reading `/proc` as `pgrep` does, without starting a process
/// (`track.processes`).
public enum ProcessCounter {
    /// How much of a command line is read for its first word.
    static let commandLineLimit = 4096

    /// How many running processes have each of `names` (see `ProcessEntry.isNamed`), from every
    /// `/proc/PID/stat` and `/proc/PID/cmdline` of this PID namespace; a process that ends while it
    /// is read is not counted. Nil when `procRoot` cannot be read.
    public static func count(_ names: Set<String>, procRoot: String = "/proc") -> [String: Int]? {
        guard let entries = DirectoryListing.names(in: procRoot) else { return nil }
        var counts = Dictionary(uniqueKeysWithValues: names.map { ($0, 0) })
        guard !names.isEmpty else { return counts }
        for entry in entries where entry.first.map({ ("1"..."9").contains($0) }) == true {
            guard let stat = try? HostFile.bytes("\(procRoot)/\(entry)/stat", limit: 1024),
                var process = ProcessEntry(stat: stat), !process.hasEnded
            else { continue }
            if names.contains(where: { $0 != process.comm }),
                let commandLine = try? HostFile.bytes("\(procRoot)/\(entry)/cmdline", limit: commandLineLimit)
            {
                process.firstWord = ProcessEntry.firstWord(commandLine: commandLine)
            }
            for name in names where process.isNamed(name) { counts[name, default: 0] += 1 }
        }
        return counts
    }
}
