import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The daemon process as the Prometheus client libraries export it (`process_*`): resident and
/// virtual memory, CPU time, open and allowed file descriptors, start time. Read from `/proc`
/// (``current()``); the parsing is pure (``init(stat:bootTime:clockTicksPerSecond:pageSize:openFDs:maxFDs:)``).
public struct ProcessStats: Codable, Sendable, Equatable {
    public var residentMemoryBytes: Double
    public var virtualMemoryBytes: Double
    /// User and system CPU time, in seconds.
    public var cpuSeconds: Double
    public var openFDs: Int
    /// The soft limit of open file descriptors.
    public var maxFDs: Int
    /// When the process started, in seconds since the Unix epoch.
    public var startTimeSeconds: Double

    public init(
        residentMemoryBytes: Double, virtualMemoryBytes: Double, cpuSeconds: Double, openFDs: Int, maxFDs: Int,
        startTimeSeconds: Double
    ) {
        self.residentMemoryBytes = residentMemoryBytes
        self.virtualMemoryBytes = virtualMemoryBytes
        self.cpuSeconds = cpuSeconds
        self.openFDs = openFDs
        self.maxFDs = maxFDs
        self.startTimeSeconds = startTimeSeconds
    }

    /// The figures in `stat` (the text of `/proc/PID/stat`), given the boot time (`btime` of
    /// `/proc/stat`, seconds since the epoch), the clock ticks per second and the page size; nil
    /// when `stat` is not such a line.
    public init?(stat: String, bootTime: Double, clockTicksPerSecond: Double, pageSize: Double, openFDs: Int, maxFDs: Int) {
        // The command name, in parentheses, may hold spaces and parentheses: the fields start after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state) of proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24.
        guard fields.count > 21, let utime = Double(fields[11]), let stime = Double(fields[12]),
            let startTicks = Double(fields[19]), let vsize = Double(fields[20]), let rss = Double(fields[21]),
            clockTicksPerSecond > 0
        else { return nil }
        self.init(
            residentMemoryBytes: rss * pageSize, virtualMemoryBytes: vsize, cpuSeconds: (utime + stime) / clockTicksPerSecond,
            openFDs: openFDs, maxFDs: maxFDs, startTimeSeconds: bootTime + startTicks / clockTicksPerSecond)
    }

    /// The boot time in `procStat` (the text of `/proc/stat`, its `btime` line).
    public static func bootTime(procStat: String) -> Double? {
        procStat.split(separator: "\n").lazy.compactMap { line -> Double? in
            let words = line.split(separator: " ")
            guard words.count == 2, words[0] == "btime" else { return nil }
            return Double(words[1])
        }.first
    }

    /// This process now; nil when `/proc` cannot be read.
    public static func current() -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let procStat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let bootTime = bootTime(procStat: procStat),
            let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        else { return nil }
        var limit = rlimit()
        let maxFDs = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 0
        return ProcessStats(
            stat: stat, bootTime: bootTime, clockTicksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
            pageSize: Double(sysconf(Int32(_SC_PAGESIZE))), openFDs: fds.count, maxFDs: maxFDs)
    }
}
