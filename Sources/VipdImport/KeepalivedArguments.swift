extension ImportLedger {
    /// The single argument of a keepalived `statement` read with `parse`, the statement carried; lists
    /// the statement (`expected WHAT; not carried`) and returns nil when the argument is missing or
    /// malformed, and remarks words after it.
    mutating func argument<T>(of statement: KeepalivedStatement, _ what: String, _ parse: (String) -> T?) -> T? {
        guard let word = statement.arguments.first, let value = parse(word) else {
            list(statement.location, statement.text, "expected \(what); not carried")
            return nil
        }
        carry(statement.location)
        remarkExtraWords(statement, after: 2)
        return value
    }

    /// Remarks the words of `statement` after the first `count` as not understood.
    mutating func remarkExtraWords(_ statement: KeepalivedStatement, after count: Int) {
        guard statement.words.count > count else { return }
        let extra = statement.words.dropFirst(count).joined(separator: " ")
        remark(statement.location, statement.text, "\"\(extra)\" not understood; ignored")
    }
}
