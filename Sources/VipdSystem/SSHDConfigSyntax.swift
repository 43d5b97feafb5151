/// One configuration line of an sshd_config file: `Keyword arguments...`.
public struct SSHDDirective: Sendable, Equatable {
    /// 1-based line number in its file.
    public let line: Int
    /// The keyword as written, e.g. `ListenAddress`.
    public let keyword: String
    /// The arguments, with double quotes removed.
    public let arguments: [String]

    public init(line: Int, keyword: String, arguments: [String]) {
        self.line = line
        self.keyword = keyword
        self.arguments = arguments
    }

    /// Whether the keyword is `name`, compared as sshd does (case-insensitively).
    public func `is`(_ name: String) -> Bool { keyword.lowercased() == name.lowercased() }

    /// The arguments joined by spaces, as they would be written back.
    public var value: String { arguments.joined(separator: " ") }
}

/// sshd_config's line syntax (pure): blank lines and `#` comments are skipped; the keyword ends at
/// whitespace or `=` (`ListenAddress=10.0.0.1` is allowed); arguments are split at whitespace, and
/// double quotes group an argument that contains spaces.
public enum SSHDConfigSyntax {
    /// The directives of `text`, in order.
    public static func directives(in text: String) -> [SSHDDirective] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, rawLine in
            var rest = rawLine.drop { $0 == " " || $0 == "\t" }
            if rest.last == "\r" { rest = rest.dropLast() }
            guard let first = rest.first, first != "#" else { return nil }
            let keyword = rest.prefix { !($0 == " " || $0 == "\t" || $0 == "=") }
            var tail = rest.dropFirst(keyword.count).drop { $0 == " " || $0 == "\t" }
            if tail.first == "=" { tail = tail.dropFirst() }
            return SSHDDirective(line: index + 1, keyword: String(keyword), arguments: arguments(tail))
        }
    }

    /// Whitespace-separated words, `"quoted words"` kept together; a `#` starting a word ends the line.
    private static func arguments(_ text: Substring) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quoted = false
        for character in text {
            if quoted {
                if character == "\"" { quoted = false } else { current.append(character) }
            } else if character == "\"" {
                quoted = true
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else if character == "#" && !inWord {
                break
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
