import NIOCore

/// Closes a client connection after the listener's idle timeout without a byte either way. Both
/// glue halves tell it of each read burst (``noteActivity()``); the event loop's ``IdleSweep``
/// for the timeout checks it. Confined to the client channel's event loop.
final class IdleTimeoutCloser {
    private let channel: any Channel
    private let record: ConnectionRecord
    private let sweep: IdleSweep
    /// Sweeps since the last activity (counted by the sweep).
    var quietSweeps = 0
    /// Where the sweep keeps this closer, -1 when it does not.
    var slot = -1

    private init(channel: any Channel, record: ConnectionRecord, sweep: IdleSweep) {
        self.channel = channel
        self.record = record
        self.sweep = sweep
    }

    /// Watches the client `channel` from now until it closes; call on its event loop.
    static func start(for channel: any Channel, record: ConnectionRecord, timeout: Duration, sweeps: IdleSweeps) -> IdleTimeoutCloser {
        let closer = IdleTimeoutCloser(channel: channel, record: record, sweep: sweeps.sweep(on: channel.eventLoop, timeout: timeout))
        closer.sweep.add(closer)
        channel.closeFuture.assumeIsolated().whenComplete { _ in closer.sweep.remove(closer) }
        return closer
    }

    /// The idle timeout watched.
    var timeout: Duration { sweep.timeout }

    /// A byte went either way.
    @inline(__always)
    func noteActivity() {
        quietSweeps = 0
    }

    /// Called by the sweep when the timeout passed without activity.
    func expire() {
        sweep.remove(self)
        record.noteEnd(.idleTimeout)
        channel.close(promise: nil)
    }
}
