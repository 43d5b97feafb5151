import Dispatch
import NIOConcurrencyHelpers
import VipdCore

/// New TCP connections to `address:port` from inside a lab namespace, one every `interval`, each
/// counted a success when the server's first line (the SSH banner) arrives within `timeout`: what a
/// user hammering `ssh VIP` during a failover sees.
public final class BannerProbeLoop: @unchecked Sendable {
    /// One connection attempt: when it started and whether a banner arrived.
    public struct Outcome: Sendable, Equatable {
        /// When the connection attempt began.
        public let at: ContinuousClock.Instant
        /// True when the first line arrived within the timeout.
        public let succeeded: Bool

        /// An outcome; see the properties.
        public init(at: ContinuousClock.Instant, succeeded: Bool) {
            self.at = at
            self.succeeded = succeeded
        }
    }

    /// The longest a loop runs when nobody calls `stop()`.
    public static let maximumRunTime: Duration = .seconds(600)

    private let address: String
    private let port: Int
    private let namespace: NetworkNamespace
    private let interval: Duration
    private let timeout: Duration
    private let lock = NIOLock()
    private var outcomes: [Outcome] = []
    private var started = false
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// A loop probing `address:port` from `namespace`; `start()` begins it.
    public init(address: String, port: Int, from namespace: NetworkNamespace, every interval: Duration, timeout: Duration) {
        self.address = address
        self.port = port
        self.namespace = namespace
        self.interval = interval
        self.timeout = timeout
    }

    /// Starts probing on a thread inside the namespace.
    public func start() {
        lock.withLock { started = true }
        let probing: @Sendable () -> Void = { [self] in
            _ = try? namespace.perform { [self] in
                let deadline = ContinuousClock.now + Self.maximumRunTime
                while !lock.withLock({ stopped }), ContinuousClock.now < deadline {
                    let began = ContinuousClock.now
                    let banner = BannerProbe.firstLine(address: address, port: port, timeout: timeout)
                    lock.withLock { outcomes.append(Outcome(at: began, succeeded: banner != nil)) }
                    sleepBlockingThisThread(for: interval)
                }
            }
            finished.signal()
        }
        // Without a thread there are no outcomes, which the caller sees.
        if (try? DetachedThread.start(probing)) == nil { finished.signal() }
    }

    /// Every outcome so far, in order.
    public var results: [Outcome] { lock.withLock { outcomes } }

    /// Stops probing (waits at most the probe timeout plus five seconds) and returns every outcome in
    /// order. Safe to call more than once, and before `start()`.
    @discardableResult
    public func stop() -> [Outcome] {
        let running = lock.withLock { () -> Bool in
            defer { stopped = true }
            return started && !stopped
        }
        if running { _ = finished.wait(timeout: .now() + timeout.timeInterval + 5) }
        return results
    }
}
