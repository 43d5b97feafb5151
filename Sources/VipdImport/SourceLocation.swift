/// Where a directive was written: the file as named on the command line, its line and column (from 1).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE`, the form every message of `vipd import` uses.
    public var description: String { "\(file):\(line)" }
}

/// A configuration file's text and the name to use for it in messages.
public struct SourceText: Sendable, Equatable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}
