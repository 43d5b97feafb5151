import ArgumentParser
import FoundationEssentials
import VipdConfig
import VipdCore
import VipdMonitor
import VipdMonitorSession
#if canImport(Glibc)
import Glibc
#endif

/// `vipd monitor`: watches VRRP advertisements, ARP and NA on the wire (live or from a capture
/// file) and names split brain and its cause. Exit 0 when healthy, 2 with findings, 1 on error.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Watch VRRP on the wire and name split brain, its cause and the fix.",
        discussion: """
            Live on one or more interfaces (root or CAP_NET_RAW), or after the fact with --read. On a
            terminal a table is redrawn every second; otherwise one line per event (--json: JSON lines),
            then a summary. Exit status: 0 healthy, 2 when a warning or critical finding began, 1 on error, \
            64 on a command line it cannot understand.
            """)

    @Option(name: .customLong("interface"), help: "An interface to capture on (repeatable); default: the configured VRRP interfaces.")
    var interfaces: [String] = []

    @Option(help: "Analyze this pcap or pcapng file instead of capturing.")
    var read: String?

    @Option(help: "Also write the frames the monitor uses (VRRP, ARP, NA, ICMP) to this pcap file.")
    var write: String?

    @Flag(help: "JSON lines: one object per event, and a summary object at the end.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Stop a live capture after this long: a duration as in the config (10s, 500ms, 1m30s) or plain seconds (default: until Ctrl-C).",
            valueName: "duration"))
    var duration: String?

    /// `--duration`, parsed.
    private var liveDuration: MonitorDuration? {
        get throws { try duration.map { try MonitorDuration(parsing: $0) } }
    }

    @Option(help: "A cluster configuration: its VRRP groups must have a master, and its node names label addresses.")
    var config: String?

    func validate() throws {
        _ = try liveDuration
        if read != nil, duration != nil { throw ValidationError("--duration applies to live captures, not to --read") }
        if read == nil, interfaces.isEmpty, config == nil {
            throw ValidationError("name the interface to watch, e.g. --interface eth0 (or give --config with vrrp instances)")
        }
    }

    func run() throws {
        let configuration = try config.map { path in try ConfigOption.load(from: path) }
        let output = MonitorOutput(json: json, table: read == nil && !json && isatty(STDOUT_FILENO) == 1)
        let healthy: Bool
        if let read {
            healthy = try analyzeFile(read, configuration: configuration, output: output)
        } else {
            healthy = try watchLive(configuration: configuration, output: output)
        }
        if !healthy { throw ExitCode(2) }
    }

    private func analyzeFile(_ path: String, configuration: VipdConfiguration?, output: MonitorOutput) throws -> Bool {
        let configuredInterfaces = Set(configuration?.vrrp.map(\.interface) ?? [])
        let label = interfaces.first ?? (configuredInterfaces.count == 1 ? configuredInterfaces.first! : "capture")
        let settings = configuration.map { MonitorSettings(configuration: $0, interfaceLabel: { _ in label }) } ?? MonitorSettings()
        do {
            let (analyzer, counts) = try CaptureFileAnalysis.analyze(
                path: path, interfaceLabel: label, settings: settings, evidencePath: write
            ) { event, state in output.print(event, state: state) }
            output.printSummary(analyzer: analyzer, capture: [counts], at: analyzer.latestTime)
            return MonitorSummary.isHealthy(analyzer)
        } catch {
            printError("vipd monitor: \(error)")
            throw ExitCode(1)
        }
    }

    private func watchLive(configuration: VipdConfiguration?, output: MonitorOutput) throws -> Bool {
        let duration = try liveDuration
        let chosen = interfaces.isEmpty ? Array(Set(configuration?.vrrp.map(\.interface) ?? [])).sorted() : interfaces
        guard !chosen.isEmpty else {
            printError("vipd monitor: \(config ?? "the configuration") has no vrrp instances; name the interface to watch, e.g. --interface eth0")
            throw ExitCode(1)
        }
        let settings = configuration.map { MonitorSettings(configuration: $0) } ?? MonitorSettings()
        let monitor: LiveMonitor
        do {
            monitor = try LiveMonitor(
                interfaces: chosen, settings: settings, evidencePath: write,
                onFailure: { error in printError("vipd monitor: \(error)") }
            ) { event, state in output.print(event, state: state) }
        } catch {
            printError("vipd monitor: \(error)")
            throw ExitCode(1)
        }
        let interruption = Interruption()
        monitor.start()
        if !output.table && !output.json {
            writeFully(
                "vipd monitor: watching \(chosen.joined(separator: ", ")) for VRRP, ARP and NA"
                    + (duration.map { " for \($0.text)" } ?? " (Ctrl-C to stop)") + "\n", to: STDOUT_FILENO)
        }
        let deadline = duration.map { Date().addingTimeInterval($0.seconds) }
        var nextRedraw = Date()
        while !interruption.happened, deadline.map({ Date() < $0 }) ?? true {
            if output.table, Date() >= nextRedraw {
                let lines = monitor.withAnalyzer { analyzer in
                    LiveTable.lines(analyzer: analyzer, capture: monitor.counts(), at: .now(), width: terminalWidth())
                }
                output.redraw(lines)
                nextRedraw = Date().addingTimeInterval(1)
            }
            sleepBlockingThisThread(for: .milliseconds(50))
        }
        let counts = monitor.counts()
        monitor.stopBlockingThisThread()
        return monitor.withAnalyzer { analyzer in
            output.printSummary(analyzer: analyzer, capture: counts, at: .now())
            return MonitorSummary.isHealthy(analyzer)
        }
    }

    /// The terminal's width in columns (120 when it cannot be asked).
    private func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 120 }
        return Int(size.ws_col)
    }
}
