/// The import's bookkeeping: every directive read must end up carried or listed, never dropped silently.
///
/// Translators `carry` what they translated and `list` what they could not, with the reason; whatever
/// no translator touched is listed at the end by `listUnaccounted`.
struct ImportLedger {
    /// What goes to standard error, in the order found.
    private(set) var notes: [ImportNote] = []
    /// Directives already carried or listed, by where they start.
    private var accounted: Set<SourceLocation> = []

    /// Marks a directive as carried into the vipd configuration.
    mutating func carry(_ location: SourceLocation) {
        accounted.insert(location)
    }

    /// Lists a directive that was not carried; a directive is listed once however often it is met.
    mutating func list(_ location: SourceLocation, _ directive: String, _ reason: String) {
        guard accounted.insert(location).inserted else { return }
        notes.append(ImportNote(location: location, directive: directive, reason: reason))
    }

    /// Adds a remark about a directive that is carried, but changed or completed (an inferred value,
    /// an extra word left out); it does not count as accounting for the directive.
    mutating func remark(_ location: SourceLocation, _ directive: String, _ reason: String) {
        let note = ImportNote(location: location, directive: directive, reason: reason)
        if !notes.contains(note) { notes.append(note) }
    }

    /// Whether a directive was carried or listed already.
    func isAccounted(_ location: SourceLocation) -> Bool { accounted.contains(location) }

    /// Lists every directive of `directives` not accounted for yet, with `reason`.
    mutating func listUnaccounted(_ directives: [(location: SourceLocation, text: String)], reason: (String) -> String) {
        for directive in directives where !accounted.contains(directive.location) {
            list(directive.location, directive.text, reason(directive.text))
        }
    }

    /// The notes in file order (files in the order given, then line and column).
    func sortedNotes(fileOrder: [String]) -> [ImportNote] {
        notes.enumerated().sorted { lhs, rhs in
            let left = lhs.element.location
            let right = rhs.element.location
            let leftFile = fileOrder.firstIndex(of: left.file) ?? fileOrder.count
            let rightFile = fileOrder.firstIndex(of: right.file) ?? fileOrder.count
            if leftFile != rightFile { return leftFile < rightFile }
            if (left.line, left.column) != (right.line, right.column) { return (left.line, left.column) < (right.line, right.column) }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
