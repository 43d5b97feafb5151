import NIOCore

@testable import VipdProxy

/// Heads parsed from text, for tests of what is built from them.
enum HTTP1Samples {
    /// The head at the start of `text` (which must hold a complete one).
    static func head(_ text: String) throws -> HTTP1Head {
        var buffer = ByteBuffer(string: text)
        var parser = HTTP1HeadParser(maxBytes: 65536, maxFields: 1000)
        guard let head = try parser.take(from: &buffer) else { throw HTTP1SyntaxError.malformed("incomplete sample") }
        return head
    }

    static func request(_ text: String) throws -> HTTP1RequestHead {
        try HTTP1RequestHead(head(text))
    }

    static func response(_ text: String, toHead: Bool = false) throws -> HTTP1ResponseHead {
        try HTTP1ResponseHead(head(text), requestMethodIsHead: toHead)
    }
}
