import CSystemd
import Logging

/// A swift-log handler writing native journal records through libsystemd's sd_journal_sendv:
/// the message, its priority, `SYSLOG_IDENTIFIER`, the source location and every metadata key as
/// a `VIPD_…` field (see ``JournalRecord``), so `journalctl VIPD_POOL=ssh` finds a pool's records.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let identifier: String

    /// - Parameter identifier: `SYSLOG_IDENTIFIER`, what `journalctl -t` selects.
    public init(identifier: String = "vipd", level: Logger.Level = .info) {
        self.identifier = identifier
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = JournalRecord.fields(
            message: "\(event.message)", level: event.level, metadata: merged, identifier: identifier,
            file: event.file, line: event.line, function: event.function)
        Self.send(fields)
    }

    /// One record from `fields` (`KEY=value` each) in one sd_journal_sendv call.
    private static func send(_ fields: [String]) {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes += field.utf8
            ranges.append(start..<bytes.count)
        }
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var vectors = ranges.map { iovec(iov_base: base + $0.lowerBound, iov_len: $0.count) }
            _ = sd_journal_sendv(&vectors, Int32(vectors.count))
        }
    }
}
