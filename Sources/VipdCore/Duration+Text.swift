// Duration as vipd's logs, check details and reports write it.

extension Duration {
    /// Seconds rounded to centiseconds without trailing zeros, for log lines: `3.61 s`, `0.5 s`, `3 s`.
    /// Negative durations read as `0 s`. Exact for any duration, however long (a capture's
    /// timestamps and a config's values are not trusted to be reasonable).
    public var secondsText: String {
        guard self > .zero else { return "0 s" }
        let (seconds, attoseconds) = components
        let roundedCentiseconds = (attoseconds + 5_000_000_000_000_000) / 10_000_000_000_000_000
        // In UInt64, the carry of a fraction rounded up to a whole second cannot overflow.
        let whole = UInt64(seconds) + UInt64(roundedCentiseconds / 100)
        let fraction = roundedCentiseconds % 100
        if fraction == 0 { return "\(whole) s" }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10) s" }
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction) s"
    }

    /// `2000 ms`, the unit the check details and logs use.
    public var millisecondsText: String { "\(wholeMilliseconds) ms" }
}
