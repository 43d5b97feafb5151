import FuzzDriver
import NIOCore
@testable import VipdProxy

/// A message body as the proxy reads it: the input's head is parsed as a request (first byte
/// even) or a response (odd), its framing derived as the proxy derives it, and the rest of the
/// input read as the body, in pieces of a few bytes then all at once, then the connection closed.
fuzzMain { input in
    guard let first = input.first else { return }
    let isRequest = first % 2 == 0
    let pieceSize = Int(first / 2 % 8) + 1
    var buffer = ByteBuffer(bytes: input.dropFirst())
    var parser = HTTP1HeadParser(maxBytes: 16384, maxFields: 100)
    guard let head = try? parser.take(from: &buffer) else { return }
    var reader: HTTP1BodyReader
    if isRequest {
        guard let request = try? HTTP1RequestHead(head),
            case .success(let framing) = HTTPRequestValidation.framing(of: request, maxBodyBytes: 1_048_576)
        else { return }
        reader = HTTP1BodyReader(framing: framing, maxPayload: 1_048_576)
    } else {
        guard let response = try? HTTP1ResponseHead(head, requestMethodIsHead: false) else { return }
        reader = HTTP1BodyReader(framing: response.framing, decodingChunks: pieceSize % 2 == 0)
    }
    var arrived = ByteBuffer()
    while buffer.readableBytes > 0, !reader.isEnded {
        var piece = buffer.readSlice(length: min(pieceSize, buffer.readableBytes))!
        arrived.writeBuffer(&piece)
        do {
            while let piece = try reader.read(from: &arrived), !piece.ended {}
        } catch {
            return
        }
    }
    _ = reader.connectionClosed()
}
