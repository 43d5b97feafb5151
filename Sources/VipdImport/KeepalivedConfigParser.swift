/// One statement of keepalived.conf: its words and, when it opens a `{ … }` block, the statements inside.
public struct KeepalivedStatement: Sendable, Equatable {
    /// The keyword and its arguments, quotes resolved (never empty).
    public var words: [String]
    public var location: SourceLocation
    /// The statements between the braces; nil when the statement has no block.
    public var block: [KeepalivedStatement]?

    public init(words: [String], location: SourceLocation, block: [KeepalivedStatement]? = nil) {
        self.words = words
        self.location = location
        self.block = block
    }

    public var keyword: String { words[0] }
    public var arguments: ArraySlice<String> { words.dropFirst() }
    /// The statement as keepalived read it, words joined by one space.
    public var text: String { words.joined(separator: " ") }

    /// This statement and every statement nested in it, in file order.
    public var flattened: [KeepalivedStatement] { [self] + (block ?? []).flatMap(\.flattened) }
}

/// keepalived.conf as a tree of statements, each with its file:line.
public struct KeepalivedConfig: Sendable, Equatable {
    public var file: String
    public var statements: [KeepalivedStatement]

    /// Every statement of the file, nested ones included, in file order.
    public var allStatements: [KeepalivedStatement] { statements.flatMap(\.flattened) }
}

/// Reads keepalived.conf as keepalived does: words per line, `!` and `#` comments (at the start of a
/// word), `"…"` quoting, `{` `}` blocks that may open and close on the same line or on others.
public enum KeepalivedConfigParser {
    /// Parses `source`; throws on unbalanced braces (naming the line of the brace that is never closed or
    /// has nothing to close), a block without a keyword, or an unterminated quote.
    public static func parse(_ source: SourceText) throws(ImportError) -> KeepalivedConfig {
        // The blocks being read, outermost first; the bottom one is the file itself.
        var stack: [(statement: KeepalivedStatement?, children: [KeepalivedStatement])] = [(nil, [])]
        for (index, line) in source.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var pending: [String] = []
            var pendingColumn = 0
            func flush() {
                guard !pending.isEmpty else { return }
                let location = SourceLocation(file: source.path, line: index + 1, column: pendingColumn)
                stack[stack.count - 1].children.append(KeepalivedStatement(words: pending, location: location))
                pending = []
            }
            for token in try tokens(of: line, at: SourceLocation(file: source.path, line: index + 1)) {
                let location = SourceLocation(file: source.path, line: index + 1, column: token.column)
                switch (token.text, token.quoted) {
                case ("{", false):
                    guard !pending.isEmpty else { throw ImportError(at: location, "\"{\" without a keyword before it") }
                    let opener = KeepalivedStatement(
                        words: pending, location: SourceLocation(file: source.path, line: index + 1, column: pendingColumn),
                        block: [])
                    pending = []
                    stack.append((opener, []))
                case ("}", false):
                    flush()
                    guard stack.count > 1, let opened = stack.popLast(), var statement = opened.statement else {
                        throw ImportError(at: location, "\"}\" closes nothing: remove it or add the block it should end")
                    }
                    statement.block = opened.children
                    stack[stack.count - 1].children.append(statement)
                default:
                    if pending.isEmpty { pendingColumn = token.column }
                    pending.append(token.text)
                }
            }
            flush()
        }
        if stack.count > 1, let unclosed = stack.last?.statement {
            throw ImportError(
                at: unclosed.location, "the \"{\" of \"\(unclosed.text)\" is never closed: add \"}\" where the block ends")
        }
        return KeepalivedConfig(file: source.path, statements: stack[0].children)
    }

    /// One word of a line: its text, its column, and whether it was quoted (a quoted `{` is a word).
    struct Token: Equatable {
        var text: String
        var column: Int
        var quoted: Bool
    }

    /// The words of one line up to a comment; braces are words of their own even when attached.
    static func tokens(of line: Substring, at location: SourceLocation) throws(ImportError) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var start = 0
        var quoted = false
        var inQuote = false
        var column = 0
        func finish() {
            if !current.isEmpty || quoted { tokens.append(Token(text: current, column: start, quoted: quoted)) }
            current = ""
            quoted = false
        }
        for character in line {
            column += 1
            if inQuote {
                if character == "\"" { inQuote = false } else { current.append(character) }
                continue
            }
            switch character {
            case " ", "\t", "\r":
                finish()
            case "{", "}":
                finish()
                tokens.append(Token(text: String(character), column: column, quoted: false))
            case "!", "#":
                if current.isEmpty && !quoted {
                    finish()
                    return tokens
                }
                current.append(character)
            case "\"":
                if current.isEmpty && !quoted { start = column }
                inQuote = true
                quoted = true
            default:
                if current.isEmpty && !quoted { start = column }
                current.append(character)
            }
        }
        if inQuote { throw ImportError(at: location, "unterminated quote: close it on the same line") }
        finish()
        return tokens
    }
}
