/// Where a message body ends (RFC 9112 §6).
enum HTTP1BodyFraming: Equatable {
    /// No body.
    case none
    /// Exactly this many bytes (more than zero).
    case length(Int)
    /// Chunked transfer coding, up to the last chunk and its trailer section.
    case chunked
    /// Until the connection closes (responses only).
    case untilClose
}
