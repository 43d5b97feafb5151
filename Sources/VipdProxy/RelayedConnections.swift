import Synchronization

/// The TCP-mode connections of one tracker that relay now, so that a stopping vipd can hand them,
/// open, to another process (``detach(within:)``).
public final class RelayedConnections: Sendable {
    private let total = Atomic<Int>(0)

    init() {}

    /// Connections relaying now.
    public var count: Int { total.load(ordering: .relaxed) }

    func added() {
        total.add(1, ordering: .relaxed)
    }

    func removed() {
        total.subtract(1, ordering: .relaxed)
    }

    /// How often a detach looks whether the paused connections sent what they had read.
    static let settleCheckInterval = Duration.milliseconds(5)

    /// Stops reading on every relayed connection of this tracker, waits until what each already read
    /// reached the other side's kernel buffer (at most `limit`), then takes both sockets out of the
    /// relay, unclosed (their log line says `end=handed-over`), and returns them. A connection that
    /// closes meanwhile, or does not settle in time, is not returned: it stays paused, and the drain closes it.
    public func detach(within limit: Duration) async -> [MovedConnection] {
        guard count > 0 else { return [] }
        let deadline = ContinuousClock.now + limit
        var moved: [MovedConnection] = []
        for loop in RelayLoops.shared.loops {
            await loop.submit { [self] in
                for connection in loop.connections.members where connection.tracker.relayed === self {
                    connection.pause()
                }
            }
            while true {
                let (taken, unsettled) = await loop.submit { [self] in
                    var taken: [MovedConnection] = []
                    var unsettled = 0
                    for connection in loop.connections.members where connection.tracker.relayed === self && connection.isRelaying {
                        if connection.isSettled { taken.append(connection.handOver()) } else { unsettled += 1 }
                    }
                    return (taken, unsettled)
                }
                moved += taken
                guard unsettled > 0, ContinuousClock.now < deadline else { break }
                try? await Task.sleep(for: Self.settleCheckInterval)
            }
        }
        return moved
    }
}
