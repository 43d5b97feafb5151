import VipdConfig
import VipdCore
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// Several state machines on one simulated segment, driven only by their own deadlines and each
/// other's advertisements (1 ms latency): elections, failover, preemption and handover end to end.
private struct Segment {
    struct Node {
        var machine: Machine
        var isUp = true
        var holdsAddresses = false
        var handoverResult: IPAddress??
        var silentPeers: [IPAddress] = []
        var log: [String] = []
    }

    var nodes: [Node]
    var now = at(.zero)
    private var inFlight: [(deliverAt: TestClock.Instant, from: Int, advertisement: VRRPAdvertisement)] = []
    /// Every instant at which no node held the addresses, or more than one did.
    private(set) var holderCounts: [(TestClock.Instant, Int)] = []

    init(_ settings: [VRRPInstanceSettings]) {
        nodes = settings.map { Node(machine: Machine(settings: $0)) }
    }

    var holders: [Int] { nodes.indices.filter { nodes[$0].holdsAddresses } }

    mutating func apply(_ actions: [Action], at index: Int, deadlineBefore: TestClock.Instant?) {
        var expectedDeadline = deadlineBefore
        for action in actions {
            switch action {
            case .sendAdvertisement(let advertisement):
                inFlight.append((now.advanced(by: .milliseconds(1)), index, advertisement))
            case .addVirtualAddresses:
                XCTAssertFalse(nodes[index].holdsAddresses)
                nodes[index].holdsAddresses = true
            case .removeVirtualAddresses:
                XCTAssertTrue(nodes[index].holdsAddresses)
                nodes[index].holdsAddresses = false
            case .announceVirtualAddresses:
                XCTAssertTrue(nodes[index].holdsAddresses)
            case .wakeUp(let deadline):
                expectedDeadline = deadline
            case .cancelWakeUp:
                expectedDeadline = nil
            case .transition(let transition):
                nodes[index].log.append(transition.logLine(instance: "VI_1"))
            case .peerWentSilent(let peer):
                nodes[index].silentPeers.append(peer)
            case .drop(let reason, let sender):
                XCTFail("unexpected drop: \(reason.description(sender: sender))")
            case .handoverFinished(let newMaster):
                nodes[index].handoverResult = .some(newMaster)
            case .noMasterWhileInFault:
                nodes[index].log.append("VI_1: no master while in FAULT")
            case .masterHeardWhileInFault(let master):
                nodes[index].log.append("VI_1: \(master) is master while in FAULT")
            }
        }
        // The wake-up actions always describe the machine's next deadline.
        XCTAssertEqual(expectedDeadline, nodes[index].machine.nextDeadline)
        holderCounts.append((now, holders.count))
    }

    mutating func perform(_ index: Int, _ event: (inout Machine, TestClock.Instant) -> [Action]) {
        let before = nodes[index].machine.nextDeadline
        let actions = event(&nodes[index].machine, now)
        apply(actions, at: index, deadlineBefore: before)
    }

    /// Processes deadlines and deliveries in time order up to `end`.
    mutating func run(until end: TestClock.Instant) {
        while true {
            let deadlines = nodes.indices.compactMap { index in
                nodes[index].isUp ? nodes[index].machine.nextDeadline.map { ($0, index) } : nil
            }
            let nextTimer = deadlines.min { $0.0 < $1.0 }
            let nextDelivery = inFlight.indices.min { inFlight[$0].deliverAt < inFlight[$1].deliverAt }
            let timerAt = nextTimer?.0
            let deliveryAt = nextDelivery.map { inFlight[$0].deliverAt }
            guard let next = [timerAt, deliveryAt].compactMap({ $0 }).min(), next <= end else { break }
            now = next
            if let deliveryAt, deliveryAt == next, let slot = nextDelivery {
                let message = inFlight.remove(at: slot)
                let source = nodes[message.from].machine.settings.primaryAddress
                for index in nodes.indices where index != message.from && nodes[index].isUp {
                    let packet = VRRPReceivedPacket(
                        advertisement: message.advertisement, source: source, destination: multicastGroup, hopLimit: 255)
                    perform(index) { $0.advertisementReceived(packet, now: $1) }
                }
            } else if let (_, index) = nextTimer {
                perform(index) { $0.timerFired(now: $1) }
            }
        }
        now = end
    }

    /// The node stops dead: no more adverts, timers or address removal (a crash or power loss).
    mutating func crash(_ index: Int) {
        nodes[index].isUp = false
        nodes[index].holdsAddresses = false
        inFlight.removeAll { $0.from == index }
        holderCounts.append((now, holders.count))
    }

    /// A crashed node boots again with a fresh machine and starts.
    mutating func reboot(_ index: Int) {
        nodes[index] = Node(machine: Machine(settings: nodes[index].machine.settings))
        perform(index) { $0.start(now: $1) }
    }

    func longestTime(withHolders count: Int, after start: TestClock.Instant) -> Duration {
        var longest = Duration.zero
        var since: TestClock.Instant?
        for (instant, holders) in holderCounts where instant >= start {
            if holders == count {
                if since == nil { since = instant }
            } else if let begin = since {
                longest = max(longest, begin.duration(to: instant))
                since = nil
            }
        }
        return longest
    }
}

final class VRRPSimulationTests: XCTestCase {
    private let nodeA = address("10.0.0.3")
    private let nodeB = address("10.0.0.2")
    private let nodeC = address("10.0.0.1")

    private func segment(version: VRRPVersion, preemptB: Bool = true) -> Segment {
        var segment = Segment([
            makeSettings(version: version, priority: 150, primaryAddress: nodeA),
            makeSettings(version: version, priority: 100, preempt: preemptB, primaryAddress: nodeB),
            makeSettings(version: version, priority: 50, primaryAddress: nodeC),
        ])
        for index in segment.nodes.indices {
            segment.perform(index) { $0.start(now: $1) }
        }
        return segment
    }

    func testElectionFailoverAndPreemptionBothVersions() {
        for version in VRRPVersion.allCases {
            var segment = segment(version: version)
            segment.run(until: at(seconds: 20))
            XCTAssertEqual(segment.holders, [0], "\(version)")
            XCTAssertEqual(segment.nodes.map(\.machine.state), [.master, .backup, .backup])
            XCTAssertEqual(segment.nodes[1].machine.masterAddress, nodeA)
            XCTAssertEqual(segment.nodes[2].machine.masterAddress, nodeA)

            // A dies: B (the higher backup) takes over within Master_Down_Interval and names A.
            segment.crash(0)
            segment.run(until: at(seconds: 30))
            XCTAssertEqual(segment.holders, [1], "\(version)")
            XCTAssertEqual(segment.nodes[1].silentPeers, [nodeA])
            XCTAssertEqual(segment.nodes[2].machine.masterAddress, nodeB)
            XCTAssertEqual(segment.nodes[2].machine.state, .backup)
            XCTAssertLessThanOrEqual(segment.longestTime(withHolders: 0, after: at(seconds: 20)), .seconds(4))

            // A comes back and preempts B.
            segment.reboot(0)
            segment.run(until: at(seconds: 40))
            XCTAssertEqual(segment.holders, [0], "\(version)")
            XCTAssertEqual(segment.nodes.map(\.machine.state), [.master, .backup, .backup])
            XCTAssertTrue(segment.nodes[0].log.last!.hasPrefix("VI_1: BACKUP -> MASTER (preempting master 10.0.0.2"))
            XCTAssertEqual(segment.longestTime(withHolders: 0, after: at(seconds: 30)), .zero)
        }
    }

    func testNoPreemptKeepsTheCurrentMaster() {
        var segment = Segment([
            makeSettings(version: .v3, priority: 150, preempt: false, primaryAddress: nodeA),
            makeSettings(version: .v3, priority: 100, preempt: false, primaryAddress: nodeB),
        ])
        segment.perform(1) { $0.start(now: $1) }
        segment.run(until: at(seconds: 10))
        XCTAssertEqual(segment.holders, [1])
        segment.perform(0) { $0.start(now: $1) }
        segment.run(until: at(seconds: 60))
        XCTAssertEqual(segment.holders, [1])
        XCTAssertEqual(segment.nodes[0].machine.state, .backup)
    }

    func testMakeBeforeBreakHandover() {
        for version in VRRPVersion.allCases {
            var segment = segment(version: version)
            segment.run(until: at(seconds: 20))
            segment.perform(0) { $0.beginHandover(now: $1) }
            segment.run(until: at(seconds: 30))
            XCTAssertEqual(segment.nodes[0].handoverResult, .some(nodeB), "\(version)")
            XCTAssertEqual(segment.nodes[0].machine.state, .initialize)
            XCTAssertEqual(segment.holders, [1])
            XCTAssertEqual(segment.nodes[1].silentPeers, [])
            XCTAssertTrue(segment.nodes[1].log.last!.contains("master 10.0.0.3 left: it sent priority 0"))
            // Never without a holder, and both held the addresses only until the new master's first
            // advertisement arrived (Skew_Time plus the latency).
            XCTAssertEqual(segment.longestTime(withHolders: 0, after: at(seconds: 20)), .zero)
            XCTAssertLessThan(segment.longestTime(withHolders: 2, after: at(seconds: 20)), .seconds(1))
        }
    }

    func testHandoverWithoutBackupsTimesOut() {
        var segment = Segment([makeSettings(priority: 150, primaryAddress: nodeA, handoverTimeout: .seconds(5))])
        segment.perform(0) { $0.start(now: $1) }
        segment.run(until: at(seconds: 10))
        segment.perform(0) { $0.beginHandover(now: $1) }
        segment.run(until: at(seconds: 20))
        XCTAssertEqual(segment.nodes[0].handoverResult, .some(nil))
        XCTAssertEqual(segment.holders, [])
        XCTAssertEqual(segment.nodes[0].log.last, "VI_1: MASTER -> INIT (handover: no new master within 5 s)")
    }

    func testMasterFaultHandsOverThroughPriorityZero() {
        var segment = segment(version: .v2)
        segment.run(until: at(seconds: 20))
        segment.perform(0) { $0.faultDetected(reason: "interface eth0 down", now: $1) }
        segment.run(until: at(seconds: 21))
        XCTAssertEqual(segment.holders, [1])
        XCTAssertEqual(segment.nodes[0].machine.state, .fault)
        segment.perform(0) { $0.faultCleared(now: $1) }
        segment.run(until: at(seconds: 40))
        XCTAssertEqual(segment.holders, [0])
    }
}
