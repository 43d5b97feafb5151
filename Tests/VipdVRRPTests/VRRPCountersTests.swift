import VipdVRRP
import XCTest

final class VRRPCountersTests: XCTestCase {
    func testDropCountersCountPerKey() {
        var counters = VRRPDropCounters()
        XCTAssertEqual(counters.total, 0)
        counters.record(.hopLimit(64))
        counters.record(.hopLimit(1))
        counters.record(.wrongPassword)
        XCTAssertEqual(counters["wrong_ttl"], 2)
        XCTAssertEqual(counters[.hopLimit(9)], 2)
        XCTAssertEqual(counters[.wrongPassword], 1)
        XCTAssertEqual(counters["vrid_mismatch"], 0)
        XCTAssertEqual(counters.total, 3)
        XCTAssertEqual(counters.countsByKey, ["wrong_ttl": 2, "wrong_password": 1])
    }

    func testTransitionCountersCountPerEdge() {
        var counters = VRRPTransitionCounters()
        counters.record(from: .backup, to: .master)
        counters.record(from: .backup, to: .master)
        counters.record(from: .master, to: .backup)
        XCTAssertEqual(counters[from: .backup, to: .master], 2)
        XCTAssertEqual(counters[from: .master, to: .backup], 1)
        XCTAssertEqual(counters[from: .master, to: .fault], 0)
        XCTAssertEqual(counters.total, 3)
        XCTAssertEqual(
            counters.countsByEdge,
            [.init(from: .backup, to: .master): 2, .init(from: .master, to: .backup): 1])
        XCTAssertEqual(VRRPTransitionCounters.Edge(from: .backup, to: .master).description, "BACKUP -> MASTER")
    }
}

final class VRRPTransitionTests: XCTestCase {
    func testLogLineHasKeepalivedShape() {
        let transition = VRRPTransition(
            from: .backup, to: .master,
            reason: .masterDownTimerExpired(lastMaster: address("10.0.0.1"), silentFor: .nanoseconds(3_609_375_000)))
        XCTAssertEqual(
            transition.logLine(instance: "VI_1"),
            "VI_1: BACKUP -> MASTER (master down timer expired: no advertisement from 10.0.0.1 for 3.61 s)")
    }

    func testReasonDescriptions() {
        let expectations: [(VRRPTransitionReason, String)] = [
            (.started, "startup"),
            (.addressOwner, "address owner, priority 255"),
            (.masterDownTimerExpired(lastMaster: nil, silentFor: .seconds(3)),
             "master down timer expired: no advertisement for 3 s"),
            (.masterDownTimerExpired(lastMaster: higherPeer, silentFor: .milliseconds(3_600)),
             "master down timer expired: no advertisement from 10.0.0.3 for 3.6 s"),
            (.masterDownTimerExpired(lastMaster: higherPeer, silentFor: .milliseconds(50)),
             "master down timer expired: no advertisement from 10.0.0.3 for 0.05 s"),
            (.masterLeft(higherPeer), "master 10.0.0.3 left: it sent priority 0"),
            (.preempted(master: lowerPeer, masterPriority: 50, ourPriority: 100),
             "preempting master 10.0.0.1: its priority 50 is below ours, 100"),
            (.higherPriorityAdvertisement(from: higherPeer, priority: 150, ourPriority: 100),
             "advertisement from 10.0.0.3 with higher priority 150, ours is 100"),
            (.equalPriorityHigherAddress(from: higherPeer, priority: 100),
             "advertisement from 10.0.0.3 with our priority 100 and a higher address"),
            (.fault("interface eth0 down"), "fault: interface eth0 down"),
            (.faultCleared, "fault cleared"),
            (.shutdown, "shutdown"),
            (.handoverCompleted(newMaster: lowerPeer), "handover: 10.0.0.1 is master now"),
            (.handoverTimedOut(after: .nanoseconds(4_996_093_750)), "handover: no new master within 5 s"),
            (.handoverWhileNotMaster, "handover requested while not master"),
        ]
        for (reason, text) in expectations {
            XCTAssertEqual(reason.description, text)
        }
        XCTAssertEqual(
            VRRPTransition(from: .master, to: .fault, reason: .fault("interface eth0 down")).logLine(instance: "VI_2"),
            "VI_2: MASTER -> FAULT (fault: interface eth0 down)")
    }
}
