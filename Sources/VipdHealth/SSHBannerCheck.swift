import NIOCore
import NIOPosix
import VipdConfig
import VipdCore

/// Passes when the server's first line, read within the timeout, matches a pattern
/// (`kind: ssh-banner`, default `^SSH-2\.0-`).
///
/// Reads up to the first LF, at most 255 bytes as RFC 4253 allows for the identification line
/// (a trailing CR is dropped). After a matching banner the check closes politely: it sends its own
/// identification `SSH-2.0-vipd-check`, shuts down its sending side, reads until sshd closes, then
/// closes. Measured against OpenSSH 9.2 (docs/health-check-noise.md), sshd then logs a single
/// INFO line per check (`Connection closed by ADDR port N [preauth]`) instead of haproxy's two
/// lines with an error-level `kex_exchange_identification: ...`.
public struct SSHBannerCheck: HealthCheck {
    /// The regular expression (Swift `Regex` syntax, a superset of the usual PCRE subset)
    /// the banner line must match somewhere; anchor it with `^`.
    public let pattern: String

    /// The identification string sent before closing.
    public static let identification: [UInt8] = Array("SSH-2.0-vipd-check\r\n".utf8)
    /// RFC 4253 4.2: the identification line is at most 255 characters including CR LF.
    public static let maximumLineLength = 255

    public init(pattern: String = HealthCheckKind.defaultSSHBannerPattern) {
        self.pattern = pattern
    }

    public func run(
        against endpoint: SocketEndpoint, from source: TransparentSource?, timeout: Duration, on eventLoop: any EventLoop
    ) -> EventLoopFuture<CheckOutcome> {
        do {
            _ = try Regex(pattern)
        } catch {
            return eventLoop.makeSucceededFuture(
                CheckOutcome(passed: false, detail: "invalid banner pattern \(pattern): \(error)", duration: .zero))
        }
        let pattern = self.pattern
        return runProbe(
            endpoint: endpoint, source: source, timeout: timeout, eventLoop: eventLoop,
            kind: ProbeKind(
                makeHandler: { state in SSHBannerHandler(state: state, pattern: pattern) },
                connected: { _, _ in }
            )
        )
    }
}

/// Reads the banner line, reports, then closes politely; discards everything after the line.
final class SSHBannerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let state: ProbeState
    private let pattern: String
    private let regex: Regex<AnyRegexOutput>?
    private var received: [UInt8] = []
    private var done = false

    init(state: ProbeState, pattern: String) {
        self.state = state
        self.pattern = pattern
        // Regex is not Sendable: compiled here, on the channel's event loop (validated in run()).
        self.regex = try? Regex(pattern)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let timeoutText = state.timeout.millisecondsText
        state.detailOnTimeout = { [weak self] in
            guard let self else { return "no SSH banner within \(timeoutText)" }
            if self.received.isEmpty { return "no SSH banner within \(timeoutText)" }
            return "incomplete SSH banner \(quotedForLog(self.received)) within \(timeoutText)"
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }  // discarding while closing politely
        var buffer = unwrapInboundIn(data)
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        received += bytes
        if let lf = received.firstIndex(of: UInt8(ascii: "\n")), lf < SSHBannerCheck.maximumLineLength {
            var line = received[..<lf]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            conclude(context: context, line: Array(line))
        } else if received.count >= SSHBannerCheck.maximumLineLength {
            done = true
            state.finish(
                passed: false,
                detail: "no end of line in the first \(SSHBannerCheck.maximumLineLength) bytes \(quotedForLog(received.prefix(40)))…, not an SSH banner")
            context.close(promise: nil)
        }
    }

    private func conclude(context: ChannelHandlerContext, line: [UInt8]) {
        done = true
        let quoted = quotedForLog(line)
        if let regex, String(decoding: line, as: UTF8.self).firstMatch(of: regex) != nil {
            state.finish(passed: true, detail: "SSH banner \(quoted)")
            closePolitely(context.channel, farewell: SSHBannerCheck.identification, limit: max(state.timeout, .seconds(1)))
        } else {
            state.finish(passed: false, detail: "banner \(quoted) does not match \(pattern)")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            let detail = received.isEmpty
                ? "connection closed by server before SSH banner"
                : "connection closed by server after \(quotedForLog(received)), before end of SSH banner"
            state.finish(passed: false, detail: detail)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            state.finish(passed: false, detail: "\(describeConnectionError(error)) before SSH banner")
        }
        context.close(promise: nil)
    }
}
