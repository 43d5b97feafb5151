import NIOCore

/// Closes a client connection after the listener's idle timeout without a byte either way. The
/// event loop's ``IdleSweep`` for the timeout asks it at each sweep whether the record's byte counts
/// (which the glue adds to once per read burst) moved, so the relay itself does nothing for it.
/// Confined to the client channel's event loop.
final class IdleTimeoutCloser: SlotListMember {
    private let channel: any Channel
    private let record: ConnectionRecord
    private let sweep: IdleSweep
    /// Sweeps in a row that found the byte counts unchanged.
    private var quietSweeps = 0
    /// Bytes either way at the last sweep; -1 before the first, so that the first sweep starts the
    /// count as a byte would (the connection may have started just before it).
    private var bytesAtLastSweep = -1
    /// Where the sweep keeps this closer, -1 when it does not.
    var slotListIndex = -1

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

    /// Called by the sweep: the sweeps in a row, this one included, that found no new byte either way.
    func sweptQuiet() -> Int {
        let bytes = record.bytesFromClient &+ record.bytesFromServer
        if bytes == bytesAtLastSweep {
            quietSweeps += 1
        } else {
            quietSweeps = 0
            bytesAtLastSweep = bytes
        }
        return quietSweeps
    }

    /// Called by the sweep when the timeout passed without activity.
    func expire() {
        sweep.remove(self)
        record.noteEnd(.idleTimeout)
        channel.close(promise: nil)
    }
}
