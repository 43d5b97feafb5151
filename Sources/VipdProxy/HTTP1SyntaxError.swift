/// Why bytes read from a peer are not an acceptable HTTP/1.1 message.
struct HTTP1SyntaxError: Error, Equatable {
    enum Kind: Equatable {
        /// The head is longer, or has more fields, than allowed.
        case headTooLarge
        /// A chunked body declares more bytes than allowed.
        case bodyTooLarge
        /// An HTTP version other than 1.0 and 1.1.
        case unsupportedVersion
        /// Anything else that breaks the grammar (RFC 9112).
        case malformed
    }

    let kind: Kind
    /// What is wrong, for the log (never echoes the peer's bytes).
    let reason: String

    static func malformed(_ reason: String) -> HTTP1SyntaxError { HTTP1SyntaxError(kind: .malformed, reason: reason) }
}

extension HTTP1SyntaxError: CustomStringConvertible {
    var description: String { reason }
}
