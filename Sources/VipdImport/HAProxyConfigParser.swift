/// One keyword line of haproxy.cfg, split into words as haproxy splits them.
public struct HAProxyDirective: Sendable, Equatable {
    /// The keyword and its arguments, quotes and escapes resolved (never empty).
    public var words: [String]
    public var location: SourceLocation

    public init(words: [String], location: SourceLocation) {
        self.words = words
        self.location = location
    }

    public var keyword: String { words[0] }
    /// The words after the keyword.
    public var arguments: ArraySlice<String> { words.dropFirst() }
    /// The line as haproxy read it, words joined by one space.
    public var text: String { words.joined(separator: " ") }
}

/// The kinds of section haproxy.cfg has; vipd import translates the first five.
public enum HAProxySectionKind: Sendable, Equatable {
    case global, defaults, frontend, backend, listen
    /// `userlist`, `peers`, `resolvers`, `mailers`, `program`, `http-errors`, `ring`, `cache`, …
    case other(String)

    /// Section keywords haproxy 2.x knows besides the five proxies and global.
    static let otherKeywords: Set<String> = [
        "userlist", "peers", "resolvers", "mailers", "program", "http-errors", "ring", "cache", "fcgi-app",
        "log-forward", "crt-store", "traces", "dynamic-update",
    ]

    init?(keyword: String) {
        switch keyword {
        case "global": self = .global
        case "defaults": self = .defaults
        case "frontend": self = .frontend
        case "backend": self = .backend
        case "listen": self = .listen
        default:
            guard Self.otherKeywords.contains(keyword) else { return nil }
            self = .other(keyword)
        }
    }
}

/// A section of haproxy.cfg: its header line and the keyword lines under it.
public struct HAProxySection: Sendable, Equatable {
    public var kind: HAProxySectionKind
    /// The header line itself (`backend ssh_back`).
    public var header: HAProxyDirective
    public var directives: [HAProxyDirective]

    /// The section's name (`ssh_back`); nil for `global` and an unnamed `defaults`.
    public var name: String? { header.words.count > 1 ? header.words[1] : nil }
    /// `frontend NAME from DEFAULTS`: the named defaults section to inherit from.
    public var defaultsName: String? {
        let words = header.words
        guard let from = words.firstIndex(of: "from"), from >= 2, from + 1 < words.count else { return nil }
        return words[from + 1]
    }
}

/// haproxy.cfg as sections of keyword lines, each with its file:line.
public struct HAProxyConfig: Sendable, Equatable {
    public var file: String
    public var sections: [HAProxySection]

    /// Every directive of the file, headers included, in file order.
    public var allDirectives: [HAProxyDirective] { sections.flatMap { [$0.header] + $0.directives } }
}

/// Reads haproxy.cfg the way haproxy does: one keyword per line, `#` comments, `"…"` (with `\` escapes)
/// and `'…'` quoting, `\` escapes outside quotes, sections started by their keyword.
public enum HAProxyConfigParser {
    /// Parses `source`; throws on what haproxy itself refuses to read (an unterminated quote, a keyword
    /// before the first section, a proxy without a name).
    public static func parse(_ source: SourceText) throws(ImportError) -> HAProxyConfig {
        var sections: [HAProxySection] = []
        for (index, line) in source.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let location = SourceLocation(file: source.path, line: index + 1)
            guard let (words, column) = try splitWords(line, at: location) else { continue }
            let directive = HAProxyDirective(words: words, location: SourceLocation(file: source.path, line: index + 1, column: column))
            if let kind = HAProxySectionKind(keyword: words[0]) {
                if [.frontend, .backend, .listen].contains(kind), words.count < 2 {
                    throw ImportError(at: location, "\"\(words[0])\" needs a name, e.g. \"\(words[0]) ssh\"")
                }
                sections.append(HAProxySection(kind: kind, header: directive, directives: []))
            } else if sections.isEmpty {
                throw ImportError(
                    at: location, "\"\(words[0])\" is outside any section: haproxy.cfg starts with global, defaults, frontend, backend or listen")
            } else {
                sections[sections.count - 1].directives.append(directive)
            }
        }
        return HAProxyConfig(file: source.path, sections: sections)
    }

    /// What haproxy makes of `\r`, `\n` and `\t`; any other escaped character stands for itself.
    private static let escapes: [Character: Character] = ["r": "\r", "n": "\n", "t": "\t"]

    /// The words of one line and the column of the first; nil for a blank or comment-only line.
    static func splitWords(_ line: Substring, at location: SourceLocation) throws(ImportError) -> ([String], Int)? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var firstColumn = 0
        var quote: Character?
        var escaped = false
        var column = 0
        for character in line {
            column += 1
            if escaped {
                current.append(escapes[character] ?? character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\", open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case " ", "\t", "\r":
                if inWord { words.append(current) }
                current = ""
                inWord = false
                continue
            case "#":
                if inWord { words.append(current) }
                return words.isEmpty ? nil : (words, firstColumn)
            default:
                break
            }
            if !inWord {
                inWord = true
                if words.isEmpty { firstColumn = column }
            }
            switch character {
            case "\\": escaped = true
            case "\"", "'": quote = character
            default: current.append(character)
            }
        }
        if quote != nil { throw ImportError(at: location, "unterminated quote: close it on the same line") }
        if inWord { words.append(current) }
        return words.isEmpty ? nil : (words, firstColumn)
    }
}
