import Logging

/// The fields of one native journal record for a swift-log event (systemd.journal-fields(7)):
/// MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, the source location, and each metadata key as an
/// upper-case `VIPD_` field (`pool` → `VIPD_POOL`, `vrrp_state` → `VIPD_VRRP_STATE`).
public enum JournalRecord {
    /// The `KEY=value` fields, MESSAGE first; metadata sorted by field name.
    public static func fields(
        message: String, level: Logger.Level, metadata: Logger.Metadata, identifier: String,
        file: String, line: UInt, function: String
    ) -> [String] {
        var fields = [
            "MESSAGE=\(message)",
            "PRIORITY=\(priority(of: level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(file)",
            "CODE_LINE=\(line)",
            "CODE_FUNC=\(function)",
        ]
        let custom = metadata.compactMap { key, value in fieldName(forMetadataKey: key).map { ($0, "\(value)") } }
        fields += Dictionary(custom, uniquingKeysWith: { first, _ in first })
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
        return fields
    }

    /// syslog(3) priority of a swift-log level: trace and debug 7, info 6, notice 5, warning 4,
    /// error 3, critical 2.
    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The journal field for a metadata key: upper-cased, characters other than letters, digits
    /// and `_` turned into `_`, prefixed `VIPD_` (unless already), at most 64 characters (the
    /// journal's limit); nil for a key with nothing usable in it.
    public static func fieldName(forMetadataKey key: String) -> String? {
        let cleaned = String(key.uppercased().unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "A"..."Z", "0"..."9", "_": Character(scalar)
            default: "_"
            }
        })
        let trimmed = cleaned.drop { $0 == "_" }
        guard !trimmed.isEmpty else { return nil }
        let name = trimmed.hasPrefix("VIPD_") ? String(trimmed) : "VIPD_" + trimmed
        return String(name.prefix(64))
    }
}
