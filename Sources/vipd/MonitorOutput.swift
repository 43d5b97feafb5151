import FoundationEssentials
import VipdCore
import VipdMonitor
#if canImport(Glibc)
import Glibc
#endif

/// Where `vipd monitor` writes: event lines, JSON lines, or a redrawn table, then the summary.
struct MonitorOutput: Sendable {
    /// JSON lines instead of text.
    let json: Bool
    /// A terminal: the table is redrawn instead of printing event lines.
    let table: Bool

    /// Prints one event (not in table mode: the table shows the current state instead).
    func print(_ event: MonitorEvent, state: MonitorState) {
        guard !table else { return }
        if json {
            write(JSONReport.object(for: event, state: state).text)
        } else {
            EventLines.lines(for: event, state: state).forEach(write)
        }
    }

    /// Clears the terminal and draws `lines`.
    func redraw(_ lines: [String]) {
        write("\u{1B}[H\u{1B}[2J" + lines.joined(separator: "\n"))
    }

    /// The end-of-run summary.
    func printSummary(analyzer: MonitorAnalyzer, capture: [CaptureCounts], at time: MonitorInstant) {
        if json {
            write(MonitorSummary.json(analyzer: analyzer, capture: capture, at: time).text)
        } else {
            if table { write("") }
            MonitorSummary.lines(analyzer: analyzer, capture: capture, at: time).forEach(write)
        }
    }

    private func write(_ line: String) {
        writeFully(line + "\n", to: STDOUT_FILENO)
    }
}
