import NIOCore
import NIOHTTP1
import VipdConfig

/// A response vipd writes itself: an error, or the sorry page. Small, complete (Content-Length),
/// not cached (unless a sorry page's `response` says otherwise), and always followed by closing the
/// client connection.
struct HTTPErrorResponse: Equatable {
    let status: HTTPResponseStatus
    let contentType: String
    let body: [UInt8]
    /// Other header fields (a sorry page's `response`).
    var fields: [HTTPResponseFile.Field] = []

    /// A plain-text error: the status line's code and reason, then `explanation` on a line of its own when given.
    static func plain(_ status: HTTPResponseStatus, explanation: String? = nil) -> HTTPErrorResponse {
        HTTPErrorResponse(
            status: status, contentType: "text/plain; charset=utf-8",
            body: Array("\(status.code) \(status.reasonPhrase)\n\(explanation.map { $0 + "\n" } ?? "")".utf8))
    }

    /// The configured sorry page, or a plain 503 when none is configured.
    static func sorry(_ page: SorryPage?) -> HTTPErrorResponse {
        guard let page else { return plain(.serviceUnavailable) }
        return HTTPErrorResponse(
            status: HTTPResponseStatus(statusCode: page.status), contentType: page.contentType, body: page.body, fields: page.fields)
    }

    /// Writes the whole response, head and body, as HTTP/1.1.
    func write(to buffer: inout ByteBuffer) {
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        HTTPForwardedHeaders.writeField("Content-Type", contentType, to: &buffer)
        HTTPForwardedHeaders.writeField("Content-Length", String(body.count), to: &buffer)
        if !fields.contains(where: { $0.name.lowercased() == "cache-control" }) {
            HTTPForwardedHeaders.writeField("Cache-Control", "no-store", to: &buffer)
        }
        HTTPForwardedHeaders.writeField("Connection", "close", to: &buffer)
        for field in fields { HTTPForwardedHeaders.writeField(field.name, field.value, to: &buffer) }
        buffer.writeStaticString("\r\n")
        buffer.writeBytes(body)
    }
}
