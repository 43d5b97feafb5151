/// A relay loop as the systemd watchdog sees it: a heartbeat sent to it is answered from its thread,
/// so a stuck loop stops the answers.
public struct RelayLoopHeartbeat: Sendable {
    private let loop: RelayLoop

    /// The loop's number, from 1.
    public var number: Int { loop.index + 1 }

    /// Runs `heartbeat` on the loop's thread.
    public func send(_ heartbeat: @escaping @Sendable () -> Void) {
        loop.execute(heartbeat)
    }

    /// Every relay loop of the process (starting them, when no TCP-mode listener did yet).
    public static var all: [RelayLoopHeartbeat] {
        RelayLoops.shared.loops.map { RelayLoopHeartbeat(loop: $0) }
    }
}
