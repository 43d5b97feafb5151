import NIOCore
import Synchronization

/// The relay loops of the process, one per CPU, started on first use and kept for the life of the
/// process (as NIO's shared event loop group): every TCP-mode listener has a listening socket on each.
final class RelayLoops: Sendable {
    /// The process's loops.
    static let shared = RelayLoops(count: System.coreCount)

    let loops: [RelayLoop]
    private let nextIndex = Atomic<Int>(0)

    private init(count: Int) {
        loops = (0..<max(count, 1)).map(RelayLoop.init(index:))
        for loop in loops { loop.start() }
    }

    /// A loop, taking turns.
    func next() -> RelayLoop {
        loops[nextIndex.add(1, ordering: .relaxed).oldValue % loops.count]
    }
}
