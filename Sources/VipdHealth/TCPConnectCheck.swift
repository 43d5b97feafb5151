import NIOCore
import NIOPosix
import VipdCore

/// Passes when a TCP connection is established within the timeout (`kind: tcp`).
///
/// The connection is then closed with a reset (SO_LINGER 0), like haproxy's connect-only check:
/// measured against OpenSSH 9.2 this leaves no line at all in sshd's log, where a normal close
/// (FIN) gives two, one at error level (see docs/health-check-noise.md).
public struct TCPConnectCheck: HealthCheck {
    public init() {}

    public func run(
        against endpoint: SocketEndpoint, from source: TransparentSource?, timeout: Duration, on eventLoop: any EventLoop
    ) -> EventLoopFuture<CheckOutcome> {
        runProbe(endpoint: endpoint, source: source, timeout: timeout, eventLoop: eventLoop, kind: ProbeKind(makeHandler: nil) { state, channel in
            state.finish(passed: true, detail: "TCP connection established")
            closeWithReset(channel)
        })
    }
}

/// Closes at once with an RST instead of a FIN.
func closeWithReset(_ channel: any Channel) {
    if let provider = channel as? any SocketOptionProvider {
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in
            channel.close(promise: nil)
        }
    } else {
        channel.close(promise: nil)
    }
}
