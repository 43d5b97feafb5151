/// One problem found in a config file, with the place it was found.
///
/// `description` reads `FILE:LINE:COLUMN: KEYPATH: message`, e.g.
/// `vipd.yaml:12:17: pools.ssh.check.interval: invalid duration "2x" (use e.g. 500ms, 2s, 1m, 1h)`.
/// Problems that concern the whole file (it cannot be read) have line and column 0 and print as
/// `FILE: message`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name as given to the loader.
    public var file: String
    /// 1-based line, 0 when the problem concerns the whole file.
    public var line: Int
    /// 1-based column counted in Unicode scalars, 0 when the problem concerns the whole file.
    public var column: Int
    /// Where in the document, e.g. `pools.ssh.servers[0].address`; empty for YAML syntax errors.
    public var keyPath: String
    /// What is wrong, and when possible how to fix it.
    public var message: String

    public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let position = line == 0 ? file : "\(file):\(line):\(column)"
        return keyPath.isEmpty ? "\(position): \(message)" : "\(position): \(keyPath): \(message)"
    }
}

/// Every problem found in one config file: the loader reports them all at once, not just the first.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems in file order (by line, then column; ties keep the order they were found in).
    public let errors: [ConfigError]

    /// Sorts `errors` into file order.
    public init(_ errors: [ConfigError]) {
        self.errors = errors.enumerated()
            .sorted {
                ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
            }
            .map(\.element)
    }

    /// One error per line, in file order.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
