import Logging
import VipdCore
import VipdMonitor
#if canImport(Glibc)
import Glibc
#endif

/// Plain log lines on standard error: `2026-11-21T22:30:01.123Z notice message key=value`.
public struct ConsoleLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        let line = "\(Self.timestamp()) \(event.level) \(event.message)\(fields)\n"
        writeFully(line, to: STDERR_FILENO)
    }

    private static func timestamp() -> String {
        MonitorInstant(sinceEpoch: WallClock.sinceEpoch()).isoText
    }
}
