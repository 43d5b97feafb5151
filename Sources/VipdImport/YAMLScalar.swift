/// Writes strings as YAML scalars the vipd loader reads back unchanged.
enum YAMLScalar {
    /// `text` plain when YAML reads it back as the same string, else quoted.
    static func plainOrQuoted(_ text: String) -> String {
        isSafePlain(text) ? text : quoted(text)
    }

    /// `text` in single quotes (`'` doubled), or in double quotes with escapes when it holds control characters.
    static func quoted(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            return "'" + text.replacingAll("'", with: "''") + "'"
        }
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// Words YAML 1.1 or 1.2 reads as booleans or null.
    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]

    /// Letters, digits and `_ . / : -`, starting with a letter, digit or `_`, and not a number,
    /// boolean or null.
    private static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !reserved.contains(text.lowercased()) else { return false }
        let allowed = { (scalar: Unicode.Scalar) in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_./:-".unicodeScalars.contains(scalar))
        }
        let numeric = text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || "._-+".unicodeScalars.contains($0) }
        return allowed(first) && first != "-" && first != "." && first != ":" && text.unicodeScalars.allSatisfy(allowed)
            && !numeric && !text.hasSuffix(":")
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement`.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        reduce(into: "") { result, character in
            if character == target { result += replacement } else { result.append(character) }
        }
    }
}
