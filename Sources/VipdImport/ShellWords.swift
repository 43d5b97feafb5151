/// A keepalived `script` line read as one simple shell command: its words, quotes removed, with
/// each command substitution (`$(...)` or `` `...` ``) kept whole as one word.
///
/// Only what the liveness checks of haproxy + keepalived pairs use is understood; a line with a
/// pipe, a list (`;`, `&&`, `||`), a background `&`, an unclosed quote or a variable is not a
/// simple command and gives nil.
enum ShellWords {
    /// The words of `command`, or nil when it is not a simple command.
    static func split(_ command: String) -> [String]? {
        let scalars = Array(command.unicodeScalars)
        var words: [String] = []
        var word = ""
        var inWord = false
        var index = 0
        func finishWord() {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        }
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t":
                finishWord()
                index += 1
            case "'":
                guard let close = scalars[(index + 1)...].firstIndex(of: "'") else { return nil }
                word += String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                inWord = true
                index = close + 1
            case "\"":
                guard let close = scalars[(index + 1)...].firstIndex(of: "\"") else { return nil }
                let quoted = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                // Inside double quotes only a whole command substitution is understood.
                if quoted.contains("$"), !isSubstitution(quoted) { return nil }
                if quoted.contains("`"), !isSubstitution(quoted) { return nil }
                word += quoted
                inWord = true
                index = close + 1
            case "`":
                guard let close = scalars[(index + 1)...].firstIndex(of: "`") else { return nil }
                word += String(String.UnicodeScalarView(scalars[index...close]))
                inWord = true
                index = close + 1
            case "$":
                guard index + 1 < scalars.count, scalars[index + 1] == "(",
                    let close = closingParenthesis(in: scalars, openingAt: index + 1)
                else { return nil }
                word += String(String.UnicodeScalarView(scalars[index...close]))
                inWord = true
                index = close + 1
            case "|", ";", "(", ")", "\\", "*", "?", "~", "{", "}":
                return nil
            case "&":
                // Only as part of a redirection: `2>&1`, `>&2`, `&>/dev/null`.
                let previous = index > 0 ? scalars[index - 1] : " "
                let next = index + 1 < scalars.count ? scalars[index + 1] : " "
                guard previous == ">" || next == ">" else { return nil }
                word.unicodeScalars.append(scalar)
                inWord = true
                index += 1
            default:
                word.unicodeScalars.append(scalar)
                inWord = true
                index += 1
            }
        }
        finishWord()
        return words
    }

    /// `words` without their redirections (`>/dev/null`, `2>&1`, `&> /dev/null`, `< file`): a
    /// redirection operator written apart from its target takes the next word with it.
    static func droppingRedirections(_ words: [String]) -> [String] {
        var kept: [String] = []
        var skipNext = false
        for word in words {
            if skipNext {
                skipNext = false
                continue
            }
            let operatorPart = word.drop(while: \.isNumber)
            guard let first = operatorPart.first, first == ">" || first == "<" || operatorPart.hasPrefix("&>") else {
                kept.append(word)
                continue
            }
            // `>/dev/null` and `2>&1` hold their target; `>` alone takes the next word.
            skipNext = operatorPart.drop { ">&<".contains($0) }.isEmpty
        }
        return kept
    }

    /// The command inside a whole-word substitution `$(...)` or `` `...` ``, or nil.
    static func substitutedCommand(_ word: String) -> String? {
        if word.hasPrefix("$("), word.hasSuffix(")") { return String(word.dropFirst(2).dropLast()) }
        if word.count >= 2, word.hasPrefix("`"), word.hasSuffix("`") { return String(word.dropFirst().dropLast()) }
        return nil
    }

    /// Whether `text` is exactly one command substitution.
    private static func isSubstitution(_ text: String) -> Bool {
        guard let inner = substitutedCommand(text) else { return false }
        return !inner.contains("`") && !inner.contains("$(")
    }

    /// The index of the `)` that closes the `(` at `open`, counting nested parentheses.
    private static func closingParenthesis(in scalars: [Unicode.Scalar], openingAt open: Int) -> Int? {
        var depth = 0
        for index in open..<scalars.count {
            if scalars[index] == "(" { depth += 1 }
            if scalars[index] == ")" {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        return nil
    }
}
