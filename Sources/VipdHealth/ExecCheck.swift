import FoundationEssentials
import NIOCore
import VipdCore
import VipdSystem

/// Passes when a command exits with status 0 within the timeout (`kind: exec`, keepalived's
/// `MISC_CHECK`).
///
/// The command runs through `/bin/sh -c` (``ShellCommand``, the launcher of track scripts and
/// notify commands) with the server in its environment: `VIPD_POOL`, `VIPD_SERVER` (its name),
/// `VIPD_SERVER_ADDRESS`, `VIPD_SERVER_PORT`. A command still running at the timeout fails, and
/// its process group is killed. The check never connects itself, so a transparent pool's source
/// does not apply.
public struct ExecCheck: HealthCheck {
    public let command: String
    public let pool: String
    public let server: String

    public init(command: String, pool: String, server: String) {
        self.command = command
        self.pool = pool
        self.server = server
    }

    /// vipd's environment with the server's variables added.
    public func environment(for endpoint: SocketEndpoint, inheriting inherited: [String: String]) -> [String: String] {
        var environment = inherited
        environment["VIPD_POOL"] = pool
        environment["VIPD_SERVER"] = server
        environment["VIPD_SERVER_ADDRESS"] = endpoint.address.text
        environment["VIPD_SERVER_PORT"] = "\(endpoint.port)"
        return environment
    }

    public func run(
        against endpoint: SocketEndpoint, from source: TransparentSource?, timeout: Duration, on eventLoop: any EventLoop
    ) -> EventLoopFuture<CheckOutcome> {
        let promise = eventLoop.makePromise(of: CheckOutcome.self)
        let started = ContinuousClock.now
        let environment = environment(for: endpoint, inheriting: ProcessInfo.processInfo.environment)
        ShellCommand.launch(command, environment: environment, timeout: timeout) { end in
            promise.succeed(CheckOutcome(passed: end.succeeded, detail: end.description, duration: ContinuousClock.now - started))
        }
        return promise.futureResult
    }
}
