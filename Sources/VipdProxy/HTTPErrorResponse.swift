import NIOCore
import NIOHTTP1
import VipdConfig

/// A response vipd writes itself: an error, or the sorry page. Small, complete (Content-Length),
/// never cached, and always followed by closing the client connection.
struct HTTPErrorResponse: Equatable {
    let status: HTTPResponseStatus
    let contentType: String
    let body: [UInt8]

    /// A plain-text error: the status line's code and reason, and one line of detail.
    static func plain(_ status: HTTPResponseStatus) -> HTTPErrorResponse {
        HTTPErrorResponse(
            status: status, contentType: "text/plain; charset=utf-8",
            body: Array("\(status.code) \(status.reasonPhrase)\n".utf8))
    }

    /// The configured sorry page, or a plain 503 when none is configured.
    static func sorry(_ page: SorryPage?) -> HTTPErrorResponse {
        guard let page else { return plain(.serviceUnavailable) }
        return HTTPErrorResponse(
            status: HTTPResponseStatus(statusCode: page.status), contentType: page.contentType, body: page.body)
    }

    /// The response head, in the client's HTTP version.
    func head(version: HTTPVersion) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Connection", value: "close")
        return HTTPResponseHead(version: version, status: status, headers: headers)
    }
}
