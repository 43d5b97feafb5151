import FuzzDriver
import NIOCore
@testable import VipdProxy

/// The HTTP/1 head parser on bytes from a client and from a server: every head the input holds
/// (pipelined), each read as a request and as a response the way the proxy reads them.
fuzzMain { input in
    var buffer = ByteBuffer(bytes: input)
    var parser = HTTP1HeadParser(maxBytes: 16384, maxFields: 100)
    while let head = try? parser.take(from: &buffer) {
        if let request = try? HTTP1RequestHead(head) {
            _ = HTTPRequestValidation.framing(of: request, maxBodyBytes: 10_485_760)
        }
        _ = try? HTTP1ResponseHead(head, requestMethodIsHead: false)
        _ = try? HTTP1ResponseHead(head, requestMethodIsHead: true)
    }
}
