/// One line of the import's report on standard error: a directive that was not carried as it is
/// (or a value that was inferred), where it was written, why, and what vipd does instead.
public struct ImportNote: Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    /// The directive as written (secrets left out), e.g. `option forwardfor except 127.0.0.0/8`.
    public var directive: String
    /// Why it was not carried and what vipd does instead, in words.
    public var reason: String

    public init(location: SourceLocation, directive: String, reason: String) {
        self.location = location
        self.directive = directive
        self.reason = reason
    }

    /// `FILE:LINE: directive: reason`.
    public var description: String { "\(location): \(directive): \(reason)" }
}
