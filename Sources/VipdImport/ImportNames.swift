/// The names `vipd import` gives listeners, pools and servers.
enum ImportNames {
    /// `name` made a valid vipd name (letters, digits, `.`, `_`, `-`, other characters becoming `-`,
    /// starting with a letter or digit) and unique among `taken` (`-2`, `-3`, … appended).
    static func unique(_ name: String, taken: [String]) -> String {
        var valid = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "-" })
        if !(valid.first.map { $0.isLetter || $0.isNumber } ?? false) { valid = "x" + valid }
        var candidate = valid
        var counter = 2
        while taken.contains(candidate) {
            candidate = "\(valid)-\(counter)"
            counter += 1
        }
        return candidate
    }
}
