extension Duration {
    /// The duration as a vipd config value, largest units first and exact to the millisecond:
    /// `2s`, `1m30s`, `1h`, `1500ms`; `0s` for zero or less. Whole seconds and milliseconds are
    /// counted apart, so that however long a duration an imported file gives, it has its text.
    var configText: String {
        guard self > .zero else { return "0s" }
        let (wholeSeconds, attoseconds) = components
        var seconds = wholeSeconds
        var text = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where seconds >= size {
            text += "\(seconds / size)\(unit)"
            seconds %= size
        }
        let milliseconds = attoseconds / 1_000_000_000_000_000
        if milliseconds > 0 { text += "\(milliseconds)ms" }
        return text.isEmpty ? "0s" : text
    }
}
