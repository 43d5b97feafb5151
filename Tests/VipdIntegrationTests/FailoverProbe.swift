import Foundation
import VipdLab

/// New TCP connections to VIP:22 from the lab's client, one every `every`, each counted a success
/// when the SSH banner arrives: what a user hammering `ssh VIP` during a failover sees.
final class FailoverProbe: @unchecked Sendable {
    struct Outcome: Sendable {
        let at: Date
        let succeeded: Bool
    }

    private let lab: VRRPLab
    private let interval: Duration
    private let lock = NSLock()
    private var outcomes: [Outcome] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(lab: VRRPLab, every interval: Duration) {
        self.lab = lab
        self.interval = interval
    }

    /// Starts probing on a thread inside the client's namespace.
    func start() {
        let namespace = lab.lab.client.namespace
        Thread.detachNewThread { [self] in
            _ = try? namespace.perform { [self] in
                // Bounded: at most ten minutes even if nobody calls stop().
                let deadline = Date().addingTimeInterval(600)
                while !lock.withLock({ stopped }), Date() < deadline {
                    let began = Date()
                    let banner = BannerProbe.firstLine(address: VRRPLab.vip, port: 22, timeout: .milliseconds(300))
                    lock.withLock { outcomes.append(Outcome(at: began, succeeded: banner != nil)) }
                    Thread.sleep(forTimeInterval: interval.timeInterval)
                }
            }
            finished.signal()
        }
    }

    /// Stops probing and returns every outcome in order.
    func stop() -> [Outcome] {
        lock.withLock { stopped = true }
        _ = finished.wait(timeout: .now() + 5)
        return lock.withLock { outcomes }
    }
}
