import NIOCore
import NIOPosix
import VipdConfig
import VipdCore

/// Passes when an HTTP/1.1 request gets a response whose status is one of the expected ones
/// (`kind: http`).
///
/// Sends `METHOD PATH HTTP/1.1` with `Host`, `User-Agent: vipd-check` and `Connection: close`,
/// reads only the status line (at most 4096 bytes), then stops sending and reads the rest
/// until the server closes (bounded), so the server sees an orderly close.
public struct HTTPCheck: HealthCheck {
    public let settings: HTTPCheckSettings

    /// The longest status line accepted.
    static let maximumStatusLineLength = 4096

    public init(settings: HTTPCheckSettings = HTTPCheckSettings()) {
        self.settings = settings
    }

    /// The request bytes for `endpoint`.
    public func request(for endpoint: SocketEndpoint) -> String {
        let host: String
        if let configured = settings.host {
            host = configured
        } else {
            let address = endpoint.address.family == .v6 ? "[\(endpoint.address.text)]" : endpoint.address.text
            host = endpoint.port == 80 ? address : "\(address):\(endpoint.port)"
        }
        return "\(settings.method) \(settings.path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: vipd-check\r\n"
            + "Accept: */*\r\nConnection: close\r\n\r\n"
    }

    public func run(
        against endpoint: SocketEndpoint, from source: TransparentSource?, timeout: Duration, on eventLoop: any EventLoop
    ) -> EventLoopFuture<CheckOutcome> {
        let request = Array(request(for: endpoint).utf8)
        let expected = settings.expectStatus
        return runProbe(
            endpoint: endpoint, source: source, timeout: timeout, eventLoop: eventLoop,
            kind: ProbeKind(
                makeHandler: { state in HTTPStatusHandler(state: state, request: request, expected: expected) },
                connected: { _, _ in }
            )
        )
    }

    /// Parses `HTTP/1.1 200 OK` into 200; nil when the line is not an HTTP status line.
    static func parseStatusLine(_ line: [UInt8]) -> Int? {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let status = Int(parts[1]),
              (100...599).contains(status)
        else { return nil }
        return status
    }

    /// `200`, `200 or 204`, `200, 204 or 301`.
    static func describeExpected(_ statuses: [Int]) -> String {
        let words = statuses.map(String.init)
        guard words.count > 1 else { return words.first ?? "none" }
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }
}

/// Writes the request, reads the status line, reports, then closes politely.
final class HTTPStatusHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let state: ProbeState
    private let request: [UInt8]
    private let expected: [Int]
    private var received: [UInt8] = []
    private var done = false

    init(state: ProbeState, request: [UInt8], expected: [Int]) {
        self.state = state
        self.request = request
        self.expected = expected
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let timeoutText = state.timeout.millisecondsText
        state.detailOnTimeout = { [weak self] in
            guard let self else { return "no HTTP response within \(timeoutText)" }
            if self.received.isEmpty { return "no HTTP response within \(timeoutText)" }
            return "incomplete HTTP status line \(quotedForLog(self.received.prefix(80))) within \(timeoutText)"
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        var buffer = unwrapInboundIn(data)
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        received += bytes
        if let lf = received.firstIndex(of: UInt8(ascii: "\n")) {
            var line = received[..<lf]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            done = true
            guard let status = HTTPCheck.parseStatusLine(Array(line)) else {
                state.finish(passed: false, detail: "invalid HTTP status line \(quotedForLog(line.prefix(80)))")
                context.close(promise: nil)
                return
            }
            if expected.contains(status) {
                state.finish(passed: true, detail: "HTTP status \(status)")
            } else {
                state.finish(passed: false, detail: "HTTP status \(status), expected \(HTTPCheck.describeExpected(expected))")
            }
            closePolitely(context.channel, farewell: nil, limit: max(state.timeout, .seconds(1)))
        } else if received.count >= HTTPCheck.maximumStatusLineLength {
            done = true
            state.finish(passed: false, detail: "no HTTP status line in the first \(HTTPCheck.maximumStatusLineLength) bytes")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            let detail = received.isEmpty
                ? "connection closed by server before HTTP response"
                : "connection closed by server after \(quotedForLog(received.prefix(80))), before end of HTTP status line"
            state.finish(passed: false, detail: detail)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            state.finish(passed: false, detail: "\(describeConnectionError(error)) before HTTP response")
        }
        context.close(promise: nil)
    }
}
