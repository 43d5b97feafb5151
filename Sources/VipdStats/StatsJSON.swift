import FoundationEssentials

/// A snapshot as `/stats.json`: the snapshot's fields, keys sorted, times in seconds since the Unix epoch.
public enum StatsJSON {
    public static let contentType = "application/json"

    /// The JSON text of `snapshot`; throws only for a number JSON cannot hold (NaN, infinity).
    public static func render(_ snapshot: StatsSnapshot) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(snapshot), as: UTF8.self)
    }
}
