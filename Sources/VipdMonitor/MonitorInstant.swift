/// A point in capture time: the packet timestamps of a capture, or the wall clock of a live monitor.
///
/// The analyzer never reads a clock: every instant it works with is passed in, so a pcap file
/// replays exactly as it happened and tests drive time by hand.
public struct MonitorInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Time since the Unix epoch (1970-01-01T00:00:00Z).
    public var sinceEpoch: Duration

    /// The instant `sinceEpoch` after the Unix epoch.
    public init(sinceEpoch: Duration) { self.sinceEpoch = sinceEpoch }

    public static func < (lhs: MonitorInstant, rhs: MonitorInstant) -> Bool { lhs.sinceEpoch < rhs.sinceEpoch }
    public static func + (lhs: MonitorInstant, rhs: Duration) -> MonitorInstant {
        MonitorInstant(sinceEpoch: lhs.sinceEpoch + rhs)
    }
    public static func - (lhs: MonitorInstant, rhs: Duration) -> MonitorInstant {
        MonitorInstant(sinceEpoch: lhs.sinceEpoch - rhs)
    }
    public static func - (lhs: MonitorInstant, rhs: MonitorInstant) -> Duration { lhs.sinceEpoch - rhs.sinceEpoch }

    /// UTC date and time with milliseconds, ISO 8601: `2026-11-21T23:59:01.234Z`.
    public var isoText: String {
        let (date, time) = civilParts
        return "\(date)T\(time)Z"
    }

    /// UTC time of day with milliseconds, for tables and event lines: `23:59:01.234`.
    public var timeOfDayText: String { civilParts.time }

    public var description: String { isoText }

    /// (`YYYY-MM-DD`, `hh:mm:ss.mmm`) in UTC, by Howard Hinnant's days-to-civil algorithm.
    /// Seconds and milliseconds are taken apart without multiplying, so that any instant a capture
    /// file holds, however far from now, has its text.
    private var civilParts: (date: String, time: String) {
        let (wholeSeconds, attoseconds) = sinceEpoch.components
        // Both components carry the sign; before the epoch, a fraction of a second borrows one.
        let truncatedMilliseconds = attoseconds / 1_000_000_000_000_000
        let borrows = truncatedMilliseconds < 0
        let milliseconds = borrows ? truncatedMilliseconds + 1000 : truncatedMilliseconds
        var (days, secondOfDay) = wholeSeconds.quotientAndRemainder(dividingBy: 86_400)
        if borrows { secondOfDay -= 1 }
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }

        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        let date = "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
        let time = "\(padded(secondOfDay / 3600, 2)):\(padded(secondOfDay / 60 % 60, 2)):\(padded(secondOfDay % 60, 2))"
            + ".\(padded(milliseconds, 3))"
        return (date, time)
    }
}

/// `value` in decimal, left-padded with zeros to `width` digits.
private func padded(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
