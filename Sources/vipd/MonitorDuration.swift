import ArgumentParser
import VipdCore

/// `vipd monitor --duration`: how long a live capture runs, in the config's duration units
/// (`10s`, `500ms`, `1m30s`, `1h`) or as plain seconds (`30`, `2.5`).
struct MonitorDuration: Sendable, Equatable {
    /// The length in seconds.
    let seconds: Double
    /// As typed, for the "watching … for 10s" line.
    let text: String

    /// Parses `text`; a usage error names the forms that work.
    init(parsing text: String) throws(ValidationError) {
        if let plain = Double(text), plain.isFinite {
            guard plain > 0 else { throw ValidationError("--duration \(text): give a positive duration, e.g. 10s, 500ms, 1m30s") }
            seconds = plain
            self.text = "\(text) s"
            return
        }
        guard let duration = try? Duration(configText: text) else {
            throw ValidationError(
                "--duration \(text): not a duration; write NUMBER UNIT parts with units d, h, m, s, ms (10s, 500ms, 1m30s) or plain seconds")
        }
        guard duration > .zero else { throw ValidationError("--duration \(text): give a positive duration, e.g. 10s, 500ms, 1m30s") }
        seconds = duration.timeInterval
        self.text = text
    }
}
