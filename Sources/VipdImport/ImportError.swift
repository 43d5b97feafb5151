/// Input `vipd import` cannot read or translate at all (a syntax error, a file that cannot be read,
/// node addresses it cannot find): the message names the place and what to do.
public struct ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// nil when the problem is not at one place of a file (e.g. no node address anywhere).
    public var location: SourceLocation?
    public var message: String

    public init(at location: SourceLocation?, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE: message`, or the message alone.
    public var description: String { location.map { "\($0): \(message)" } ?? message }
}
