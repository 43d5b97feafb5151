// Trimming without Foundation's CharacterSet.

extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, line breaks, as
    /// `Character.isWhitespace` defines them).
    public func trimmingWhitespace() -> String {
        trimming(while: \.isWhitespace)
    }

    /// The text without the leading and trailing characters that satisfy `predicate`.
    public func trimming(while predicate: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !predicate($0) }), let last = lastIndex(where: { !predicate($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
