import Yams

/// A line and column in the YAML text (1-based, columns counted in Unicode scalars like Yams' `Mark`).
struct TextPosition: Hashable {
    var line: Int
    var column: Int

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    init(_ mark: Mark) {
        self.init(line: mark.line, column: mark.column)
    }
}

/// The node tree of a config file, composed so that duplicate keys do not hide the file's other errors.
///
/// Yams' composer stops at the first mapping with a duplicate key. To still check the whole file, the
/// reported occurrence of the key is renamed in a private copy of the text (one Unicode scalar replaced
/// by a private-use scalar, so no line or column moves) and the text is composed again.
/// `renamedKeys` maps each renamed key's position to its real name; `ConfigReader` reads the key under
/// its real name and reports the duplicate itself.
struct YAMLDocument {
    /// The document's root; nil for an empty file or when `syntaxError` is set.
    var root: Node?
    /// The real names of keys renamed to get past Yams' duplicate key check, by key position.
    var renamedKeys: [TextPosition: String] = [:]
    /// The YAML syntax error that stopped composing, if any.
    var syntaxError: (position: TextPosition?, message: String)?

    /// Composing restarts once per duplicate key; past this many the duplicate is reported as fatal.
    static let maximumRenames = 64

    /// Composes `yaml`, ignoring a leading byte order mark (which Yams would read as content).
    init(composing yaml: String) {
        var text = yaml.unicodeScalars.first == "\u{FEFF}" ? String(yaml.unicodeScalars.dropFirst()) : yaml
        for round in 0..<Self.maximumRenames {
            do {
                root = try Yams.compose(yaml: text)
                return
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                let position = TextPosition(context.mark)
                guard let key = duplicates.first,
                    let marker = Unicode.Scalar(0xE000 + round),
                    let renamed = Self.renamingKey(key, at: position, in: text, to: marker)
                else {
                    // Yams names keys it cannot print "<uncovertable>".
                    let name = duplicates.first.flatMap { $0 == "<uncovertable>" ? nil : " \"\($0)\"" } ?? ""
                    syntaxError = (position, "duplicate key\(name)")
                    return
                }
                text = renamed
                renamedKeys[position] = key
            } catch {
                syntaxError = Self.describe(error)
                return
            }
        }
        syntaxError = (nil, "too many duplicate keys")
    }

    /// `text` with the first character of the key `key` starting at `position` replaced by `marker`;
    /// nil when the text there is not that key written plain or quoted.
    static func renamingKey(_ key: String, at position: TextPosition, in text: String, to marker: Unicode.Scalar)
        -> String?
    {
        var scalars = Array(text.unicodeScalars)
        guard var offset = scalarOffset(of: position, in: scalars), let first = key.unicodeScalars.first,
            !["\"", "'", "\\"].contains(first)
        else { return nil }
        if scalars[offset] == "\"" || scalars[offset] == "'" { offset += 1 }
        guard offset < scalars.count, scalars[offset] == first else { return nil }
        scalars[offset] = marker
        return String(String.UnicodeScalarView(scalars))
    }

    /// The index in `scalars` of `position`, counting line breaks the way libyaml does.
    static func scalarOffset(of position: TextPosition, in scalars: [Unicode.Scalar]) -> Int? {
        var line = 1
        var index = 0
        while line < position.line {
            guard index < scalars.count else { return nil }
            switch scalars[index] {
            case "\r":
                if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                line += 1
            case "\n", "\u{85}", "\u{2028}", "\u{2029}":
                line += 1
            default:
                break
            }
            index += 1
        }
        let offset = index + position.column - 1
        guard position.column >= 1, offset < scalars.count,
            !scalars[index..<offset].contains(where: { ["\r", "\n", "\u{85}", "\u{2028}", "\u{2029}"].contains($0) })
        else { return nil }
        return offset
    }

    /// A Yams error as a position and a message for the admin.
    static func describe(_ error: Error) -> (position: TextPosition?, message: String) {
        func withContext(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return "YAML syntax error: \(problem)" }
            return
                "YAML syntax error: \(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        switch error {
        case YamlError.scanner(let context, let problem, let mark, _),
            YamlError.parser(let context, let problem, let mark, _),
            YamlError.composer(let context, let problem, let mark, _):
            return (TextPosition(mark), withContext(problem, context))
        case YamlError.reader(let problem, let offset, _, let yaml):
            return (offset.flatMap { position(ofCharacterOffset: $0, in: yaml) }, "unreadable YAML text: \(problem)")
        default:
            return (nil, "YAML error: \(error)")
        }
    }

    /// The line and column of the `offset`-th Character of `text`.
    static func position(ofCharacterOffset offset: Int, in text: String) -> TextPosition? {
        guard offset >= 0, offset <= text.count else { return nil }
        let prefix = text.prefix(offset)
        let line = prefix.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        let lineStart = prefix.lastIndex(where: \.isNewline).map { prefix.index(after: $0) } ?? prefix.startIndex
        return TextPosition(line: line, column: prefix[lineStart...].unicodeScalars.count + 1)
    }
}
