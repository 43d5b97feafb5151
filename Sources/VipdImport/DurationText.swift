extension Duration {
    /// The duration as a vipd config value, largest units first and exact to the millisecond:
    /// `2s`, `1m30s`, `1h`, `1500ms`; `0s` for zero or less.
    var configText: String {
        let (seconds, attoseconds) = components
        var milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "0s" }
        var text = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        where milliseconds >= size {
            text += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return text
    }
}
