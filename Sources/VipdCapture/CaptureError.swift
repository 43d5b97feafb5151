/// What went wrong opening, reading or writing a capture file, or capturing on an interface.
///
/// The message alone is enough to act on: it starts with the file's path (or `capture on
/// INTERFACE`), says what failed and, for a damaged file, at which byte, e.g.
/// `capture.pcap: truncated packet record at byte 1234: header says 60 captured bytes, only 10 remain`.
public struct CaptureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The one-line message.
    public let description: String
    /// Where in the capture file the damage starts, nil when no file position applies.
    public let byteOffset: Int?

    /// An error with `description` as its message and, for a damaged file, the byte offset the
    /// message names.
    public init(_ description: String, byteOffset: Int? = nil) {
        self.description = description
        self.byteOffset = byteOffset
    }
}
