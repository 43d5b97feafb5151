import VipdCore

/// Reads YAML nodes into typed values, collecting every problem with its position instead of stopping
/// at the first. Each `read…` method reports what is wrong and returns nil; callers go on with the rest.
final class ConfigReader {
    /// The file name used in errors.
    let file: String
    /// Everything found so far, in the order found.
    private(set) var errors: [ConfigError] = []

    init(file: String) {
        self.file = file
    }

    // MARK: Reporting

    func report(_ message: String, at position: TextPosition?, path: String) {
        errors.append(
            ConfigError(
                file: file, line: position?.line ?? 0, column: position?.column ?? 0, keyPath: path, message: message))
    }

    func report(_ message: String, at node: YAMLNode, path: String) {
        report(message, at: node.position, path: path)
    }

    /// `path.key`, or `key` at the top level.
    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// How a node looks, for "expected X, got Y" messages.
    static func describe(_ node: YAMLNode) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return isNull(scalar) ? "an empty value" : "\"\(scalar.text)\""
        }
    }

    /// True for an empty plain value, `~` or `null`.
    static func isNull(_ scalar: YAMLNode.Scalar) -> Bool {
        scalar.isPlain && ["", "~", "null", "Null", "NULL"].contains(scalar.text)
    }

    func reportType(expected: String, got node: YAMLNode, path: String) {
        report("expected \(expected), got \(Self.describe(node))", at: node, path: path)
    }

    // MARK: Mappings

    /// One key and its value.
    struct Entry {
        var name: String
        var key: YAMLNode
        var value: YAMLNode
    }

    /// The entries of a mapping, with duplicate keys and non-string keys reported and left out.
    /// Reports and returns nil when `node` is not a mapping.
    func entries(of node: YAMLNode, path: String) -> [Entry]? {
        guard case .mapping(let mapping) = node else {
            reportType(expected: "a mapping", got: node, path: path)
            return nil
        }
        var result: [Entry] = []
        var seen: [String: YAMLNode] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report("keys must be plain names, got \(Self.describe(key))", at: key, path: path)
                continue
            }
            let name = scalar.text
            if let first = seen[name] {
                let firstAt = " (first at line \(first.position.line), column \(first.position.column))"
                report("duplicate key \"\(name)\"\(firstAt)", at: key, path: Self.join(path, name))
                continue
            }
            seen[name] = key
            result.append(Entry(name: name, key: key, value: value))
        }
        return result
    }

    /// The fields of a fixed-schema mapping such as a listener.
    struct Fields {
        /// The mapping's key path.
        var path: String
        /// Where a missing required key is reported: the key that names this mapping.
        var owner: TextPosition?
        var entries: [Entry]

        subscript(name: String) -> YAMLNode? { entries.first { $0.name == name }?.value }

        /// The key path of field `name`.
        func path(_ name: String) -> String { ConfigReader.join(path, name) }
    }

    /// The fields of `node`, the `mapping` at `path`, whose keys must be among the mapping's keys.
    /// Unknown keys are reported with vipd's word for a haproxy or keepalived word, or a suggestion
    /// when they look like a typo.
    func fields(of node: YAMLNode, path: String, owner: TextPosition?, as mapping: ConfigMapping) -> Fields? {
        assert(mapping.matches(path), "\(path) is read as \(mapping.path)")
        guard let entries = entries(of: node, path: path) else { return nil }
        let allowed = mapping.keys
        var known: [Entry] = []
        for entry in entries {
            if allowed.contains(entry.name) {
                known.append(entry)
            } else {
                report(
                    "unknown key \"\(entry.name)\" (\(unknownKeyHint(for: entry.name, among: allowed)))", at: entry.key,
                    path: Self.join(path, entry.name))
            }
        }
        return Fields(path: path, owner: owner ?? node.position, entries: known)
    }

    /// The value of a required field; reports and returns nil when it is missing.
    func required(_ name: String, in fields: Fields) -> YAMLNode? {
        guard let value = fields[name] else {
            report("missing required key \"\(name)\"", at: fields.owner, path: fields.path)
            return nil
        }
        return value
    }

    /// The entries of a mapping from admin-chosen names (listeners, pools, nodes) to their settings.
    /// Names must be non-empty and use letters, digits, `.`, `_` and `-`, starting with a letter or digit.
    /// When `emptyMessage` is given, an empty mapping is reported with it.
    func namedEntries(of node: YAMLNode, path: String, emptyMessage: String? = nil) -> [Entry]? {
        guard let entries = entries(of: node, path: path) else { return nil }
        if entries.isEmpty, let emptyMessage {
            report(emptyMessage, at: node, path: path)
        }
        return entries.filter { entry in
            let scalars = entry.name.unicodeScalars
            let valid =
                scalars.first.map(Self.isLetterOrDigit) == true
                && scalars.allSatisfy { Self.isLetterOrDigit($0) || $0 == "." || $0 == "_" || $0 == "-" }
            if !valid {
                report(
                    "invalid name \"\(entry.name)\": use letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit",
                    at: entry.key, path: Self.join(path, entry.name))
            }
            return valid
        }
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    // MARK: Scalars

    /// The text of a non-empty scalar.
    func readString(_ node: YAMLNode, path: String) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            reportType(expected: "a string", got: node, path: path)
            return nil
        }
        return scalar.text
    }

    /// A plain decimal integer within `range`.
    func readInt(_ node: YAMLNode, path: String, range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, scalar.isPlain, Self.isDecimalInteger(scalar.text)
        else {
            reportType(expected: "an integer", got: node, path: path)
            return nil
        }
        guard let value = Int(scalar.text), range.contains(value) else {
            let bounds =
                range.upperBound == .max
                ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            report("\(scalar.text) is out of range: must be \(bounds)", at: node, path: path)
            return nil
        }
        return value
    }

    /// An optional sign followed by ASCII digits.
    static func isDecimalInteger(_ text: String) -> Bool {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }

    /// `true` or `false`.
    func readBool(_ node: YAMLNode, path: String) -> Bool? {
        if case .scalar(let scalar) = node, scalar.isPlain {
            switch scalar.text {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        reportType(expected: "a boolean (true or false)", got: node, path: path)
        return nil
    }

    /// A duration greater than zero (or zero too when `allowZero`), such as `2s` or `1m30s`.
    ///
    /// A bare number is refused with a hint that keeps the meaning it has in the tool the key comes from
    /// (`bareNumber`): haproxy reads `2000` as milliseconds, keepalived reads `1` as seconds.
    func readDuration(
        _ node: YAMLNode, path: String, allowZero: Bool = false, bareNumber: BareNumberMeaning = .vipdOwn
    ) -> Duration? {
        guard let text = readString(node, path: path) else { return nil }
        do {
            let duration = try Duration(configText: text)
            guard duration > .zero || (allowZero && duration == .zero) else {
                report("duration must be greater than zero", at: node, path: path)
                return nil
            }
            return duration
        } catch {
            switch error {
            case .missingUnit:
                report("duration \"\(text)\" needs a unit\(bareNumber.hint(for: text)) (units: ms, s, m, h, d)", at: node, path: path)
            case .tooLarge:
                report("duration \"\(text)\" is too large", at: node, path: path)
            case .invalid:
                report("invalid duration \"\(text)\" (use e.g. 500ms, 2s, 1m, 1h)", at: node, path: path)
            }
            return nil
        }
    }

    /// An IP address with a port: `192.168.2.232:22` or `[2001:db8::1]:22`.
    func readEndpoint(_ node: YAMLNode, path: String) -> SocketEndpoint? {
        guard let text = readString(node, path: path) else { return nil }
        if let endpoint = SocketEndpoint(parsing: text) { return endpoint }
        if let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            SocketEndpoint(parsing: "\(text[..<colon]):1") != nil
        {
            report("port \(port) is out of range: must be between 1 and 65535", at: node, path: path)
        } else {
            report(
                "invalid address \"\(text)\": must be an IP address and port like 192.168.2.232:22 or [2001:db8::1]:22",
                at: node, path: path)
        }
        return nil
    }

    /// An IP address without a port.
    func readAddress(_ node: YAMLNode, path: String) -> IPAddress? {
        guard let text = readString(node, path: path) else { return nil }
        if let address = IPAddress(text) { return address }
        report(
            "invalid address \"\(text)\": must be an IP address without a port, like 192.168.2.230 or 2001:db8::1",
            at: node, path: path)
        return nil
    }

    /// One of the raw values of `T`.
    func readChoice<T: RawRepresentable & CaseIterable>(_ node: YAMLNode, path: String, as type: T.Type) -> T?
    where T.RawValue == String {
        readChoice(node, path: path, among: T.allCases.map(\.rawValue)).flatMap(T.init(rawValue:))
    }

    /// One of `choices`.
    func readChoice(_ node: YAMLNode, path: String, among choices: [String]) -> String? {
        guard let text = readString(node, path: path) else { return nil }
        if choices.contains(text) { return text }
        let hint = closestMatch(to: text, among: choices).map { " (did you mean \"\($0)\"?)" } ?? ""
        report("invalid value \"\(text)\"\(hint); use one of: \(choices.joined(separator: ", "))", at: node, path: path)
        return nil
    }
}
