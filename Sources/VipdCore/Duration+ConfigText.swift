// Duration as a vipd config writes it: `500ms`, `2s`, `1m30s`, `1h`, `1d12h`.

extension Duration {
    /// The units a config duration may use, largest first, with their length in milliseconds.
    static let configUnits: [(name: String, milliseconds: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// Parses a config duration: one or more `NUMBER UNIT` parts with units `d`, `h`, `m`, `s`, `ms`,
    /// largest unit first and each unit at most once, e.g. `500ms`, `2s`, `1m30s`, `1h`, `1d12h`.
    ///
    /// Numbers are non-negative integers; `0s` parses (the loader decides whether zero is allowed).
    public init(configText text: String) throws(DurationSyntaxError) {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { throw .invalid }
        if scalars.allSatisfy({ ("0"..."9").contains($0) }) { throw .missingUnit }
        var milliseconds: Int64 = 0
        var nextAllowedUnit = 0
        var index = 0
        while index < scalars.count {
            var number: Int64 = 0
            let numberStart = index
            while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                let (shifted, overflowA) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflowB) = shifted.addingReportingOverflow(Int64(scalars[index].value - 48))
                guard !overflowA, !overflowB else { throw .tooLarge }
                number = sum
                index += 1
            }
            guard index > numberStart else { throw .invalid }
            let unitStart = index
            while index < scalars.count, ("a"..."z").contains(scalars[index]) { index += 1 }
            let unit = String(String.UnicodeScalarView(scalars[unitStart..<index]))
            guard !unit.isEmpty else { throw index == scalars.count ? .missingUnit : .invalid }
            guard let unitIndex = Self.configUnits.firstIndex(where: { $0.name == unit }),
                unitIndex >= nextAllowedUnit
            else { throw .invalid }
            nextAllowedUnit = unitIndex + 1
            let (part, overflowA) = number.multipliedReportingOverflow(by: Self.configUnits[unitIndex].milliseconds)
            let (total, overflowB) = milliseconds.addingReportingOverflow(part)
            guard !overflowA, !overflowB else { throw .tooLarge }
            milliseconds = total
        }
        self = .milliseconds(milliseconds)
    }

    /// The duration as a vipd config value, largest units first and exact to the millisecond:
    /// `2s`, `1m30s`, `1h`, `1s500ms`; `0s` for zero or less. Whole seconds and milliseconds are
    /// counted apart, so that however long a duration an imported file gives, it has its text.
    public var configText: String {
        guard self > .zero else { return "0s" }
        let (wholeSeconds, attoseconds) = components
        var seconds = wholeSeconds
        var text = ""
        for unit in Self.configUnits where unit.milliseconds >= 1000 {
            let size = unit.milliseconds / 1000
            guard seconds >= size else { continue }
            text += "\(seconds / size)\(unit.name)"
            seconds %= size
        }
        let milliseconds = attoseconds / 1_000_000_000_000_000
        if milliseconds > 0 { text += "\(milliseconds)ms" }
        return text.isEmpty ? "0s" : text
    }
}
