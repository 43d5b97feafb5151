import NIOCore
import VipdConfig
import VipdCore

/// The result of one health check, as an admin reads it.
public struct CheckOutcome: Sendable, Equatable {
    public var passed: Bool
    /// What happened, e.g. `SSH banner "SSH-2.0-OpenSSH_9.2p1 Debian-2"`, `connection refused`,
    /// `no SSH banner within 2000 ms`, `HTTP status 503, expected 200`.
    public var detail: String
    /// From the start of the connect to the result.
    public var duration: Duration

    public init(passed: Bool, detail: String, duration: Duration) {
        self.passed = passed
        self.detail = detail
        self.duration = duration
    }
}

/// One kind of health check.
public protocol HealthCheck: Sendable {
    /// Checks `endpoint` once, from `source` when given (a transparent pool's), else from this
    /// node's address. The future never fails: every failure is a failed ``CheckOutcome``, and it
    /// completes within about `timeout` (connect included).
    func run(
        against endpoint: SocketEndpoint, from source: TransparentSource?, timeout: Duration, on eventLoop: any EventLoop
    ) -> EventLoopFuture<CheckOutcome>
}

extension HealthCheck {
    /// Checks `endpoint` once from this node's address.
    public func run(against endpoint: SocketEndpoint, timeout: Duration, on eventLoop: any EventLoop) -> EventLoopFuture<CheckOutcome> {
        run(against: endpoint, from: nil, timeout: timeout, on: eventLoop)
    }
}

/// The check of server `server` of pool `pool` for a configured kind (`check.kind`); only `exec`
/// uses the names. `none` (nil) has no check: its servers are always up.
public func makeHealthCheck(_ kind: HealthCheckKind, pool: String, server: String) -> any HealthCheck {
    switch kind {
    case .tcp: return TCPConnectCheck()
    case .sshBanner(let pattern): return SSHBannerCheck(pattern: pattern)
    case .http(let settings): return HTTPCheck(settings: settings)
    case .exec(let command): return ExecCheck(command: command, pool: pool, server: server)
    }
}

/// Bytes from the network quoted for a log line: printable ASCII as is, everything else as `\xNN`
/// (and `"`, `\` escaped), so a hostile banner cannot forge log lines.
func quotedForLog<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    var text = "\""
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""): text += "\\\""
        case UInt8(ascii: "\\"): text += "\\\\"
        case 0x20...0x7e: text.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return text + "\""
}
