/// A control request that cannot be carried out, or a control socket that cannot be used; the
/// message says what to do.
public struct ControlError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
