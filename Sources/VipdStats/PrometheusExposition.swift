/// Prometheus' text exposition format (version 0.0.4), written by hand: `# HELP` and `# TYPE` per
/// family, one line per sample, label values and help texts escaped as the format requires.
public struct PrometheusExposition: Sendable {
    /// The family types vipd exposes.
    public enum MetricType: String, Sendable {
        case counter, gauge, histogram
    }

    /// One sample line: the family name plus `suffix` (`_bucket`, `_sum`, `_count` for histograms).
    public struct Sample: Sendable, Equatable {
        public var suffix: String
        public var labels: [(name: String, value: String)]
        public var value: Double

        public init(suffix: String = "", labels: [(name: String, value: String)], value: Double) {
            self.suffix = suffix
            self.labels = labels
            self.value = value
        }

        public static func == (lhs: Sample, rhs: Sample) -> Bool {
            lhs.suffix == rhs.suffix && lhs.value.bitPattern == rhs.value.bitPattern
                && lhs.labels.map(\.name) == rhs.labels.map(\.name) && lhs.labels.map(\.value) == rhs.labels.map(\.value)
        }
    }

    /// The exposition so far.
    public private(set) var text = ""

    public init() {}

    /// Appends a family: its help, type and samples. Names must match `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public mutating func append(_ name: String, _ type: MetricType, help: String, samples: [Sample]) {
        text += "# HELP \(name) \(Self.escapedHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
        for sample in samples {
            text += name + sample.suffix
            if !sample.labels.isEmpty {
                text += "{" + sample.labels.map { "\($0.name)=\"\(Self.escapedLabelValue($0.value))\"" }.joined(separator: ",") + "}"
            }
            text += " " + Self.format(sample.value) + "\n"
        }
    }

    /// The samples of one histogram series: cumulative `_bucket` lines with `le` (ending with `+Inf`,
    /// which counts everything), `_sum` and `_count`.
    public static func histogramSamples(_ histogram: HistogramStats, labels: [(name: String, value: String)]) -> [Sample] {
        let buckets = zip(histogram.upperBounds, histogram.cumulativeCounts).map { bound, count in
            Sample(suffix: "_bucket", labels: labels + [("le", format(bound))], value: Double(count))
        }
        return buckets + [
            Sample(suffix: "_bucket", labels: labels + [("le", "+Inf")], value: Double(histogram.count)),
            Sample(suffix: "_sum", labels: labels, value: histogram.sum),
            Sample(suffix: "_count", labels: labels, value: Double(histogram.count)),
        ]
    }

    /// A sample value: integers without a fraction, `+Inf`, `-Inf`, `NaN`, otherwise the shortest
    /// decimal that reads back as the same double.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Label values escape `\`, `"` and line feeds.
    static func escapedLabelValue(_ value: String) -> String {
        escaped(value, quote: true)
    }

    /// Help texts escape `\` and line feeds.
    static func escapedHelp(_ value: String) -> String {
        escaped(value, quote: false)
    }

    private static func escaped(_ value: String, quote: Bool) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\"" where quote: result += "\\\""
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
