import FuzzDriver
import Foundation
import VipdMonitor
import VipdMonitorSession

/// One scratch file per process, so that parallel jobs do not share it.
private let scratchPath = NSTemporaryDirectory() + "/vipd-fuzz-capture-\(getpid()).pcap"

/// `vipd monitor --read` on the input as a pcap or pcapng file (libpcap reads files only, so the
/// input goes to a scratch file first): the capture analysis, every event rendered as text and
/// as JSON, and the summary and table, as the command prints them.
fuzzMain { input in
    guard FileManager.default.createFile(atPath: scratchPath, contents: Data(input)) else {
        fatalError("cannot write \(scratchPath)")
    }
    guard
        let (analyzer, counts) = try? CaptureFileAnalysis.analyze(
            path: scratchPath, interfaceLabel: "capture", settings: MonitorSettings(),
            onEvent: { event, state in
                _ = JSONReport.object(for: event, state: state).text
                _ = EventLines.lines(for: event, state: state)
            })
    else { return }
    _ = MonitorSummary.lines(analyzer: analyzer, capture: [counts], at: analyzer.latestTime)
    _ = MonitorSummary.json(analyzer: analyzer, capture: [counts], at: analyzer.latestTime).text
    _ = LiveTable.lines(analyzer: analyzer, capture: [counts], at: analyzer.latestTime, width: 120)
}
