extension Duration {
    /// Seconds rounded to centiseconds without trailing zeros, for log lines: `3.61 s`, `0.5 s`, `3 s`.
    /// Negative durations read as `0 s`.
    public var secondsText: String {
        let (seconds, attoseconds) = components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        let centiseconds = Swift.max(0, (nanoseconds + 5_000_000) / 10_000_000)
        let whole = centiseconds / 100
        let fraction = centiseconds % 100
        if fraction == 0 { return "\(whole) s" }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10) s" }
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction) s"
    }
}
