import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// Routers on two simulated networks, each running one instance per network it is on, the
/// instances of a router grouped as the speaker groups them: state machines, `VRRPSyncGroup` and
/// tracking (each member tracks its interface with weight 0), driven only by deadlines and each
/// other's advertisements (1 ms latency). After every event no grouped router is MASTER on one
/// network and not on the other.
private struct Site {
    struct Router {
        var name: String
        /// One machine per network; nil where the router is not on that network.
        var members: [Machine?]
        var group: VRRPSyncGroup?
        var linkUp: [Bool]
        /// More tracked objects per network (e.g. a process with a weight).
        var tracking: [[TrackedObjectStatus]]
        var reported: [VRRPSyncGroup.MemberStatus?]
        var log: [String] = []
    }

    static let networks = 2
    var routers: [Router] = []
    var now = at(.zero)
    private var inFlight: [(deliverAt: TestClock.Instant, router: Int, network: Int, advertisement: VRRPAdvertisement)] = []

    static func instance(_ network: Int) -> String { "VI_\(network + 1)" }

    /// Adds router `name` (number `number` in its addresses) with `priority` on `networks`, grouped
    /// as `group` (nil: its instances are on their own); returns its index.
    @discardableResult
    mutating func add(
        _ name: String, number: Int, priority: UInt8, networks: [Int] = [0, 1], group: SyncGroupConfig.Priority? = .own
    ) -> Int {
        let members = (0..<Self.networks).map { network -> Machine? in
            guard networks.contains(network) else { return nil }
            var settings = VRRPInstanceSettings(
                name: Self.instance(network), version: .v3, virtualRouterID: UInt8(51 + network), priority: priority,
                primaryAddress: address("10.0.\(network).\(number)"), virtualAddresses: [address("10.0.\(network).100")])
            settings.syncGroup = group == nil ? nil : "gateway"
            return Machine(settings: settings)
        }
        let config = group.map {
            SyncGroupConfig(name: "gateway", instances: networks.map(Self.instance), priority: $0)
        }
        routers.append(
            Router(
                name: name, members: members, group: config.map(VRRPSyncGroup.init), linkUp: [true, true],
                tracking: [[], []], reported: [nil, nil]))
        return routers.count - 1
    }

    func state(_ router: Int, _ network: Int) -> VRRPState? { routers[router].members[network]?.state }

    /// The routers holding network `network`'s virtual address.
    func holders(_ network: Int) -> [String] {
        routers.filter { $0.members[network]?.state == .master }.map(\.name)
    }

    mutating func start(_ router: Int) {
        applyTracking(router)
        for network in 0..<Self.networks where routers[router].members[network] != nil {
            perform(router, network) { $0.start(now: $1) }
        }
    }

    /// The router's cable on `network` is pulled (or plugged back in).
    mutating func setLink(_ router: Int, _ network: Int, up: Bool) {
        routers[router].linkUp[network] = up
        inFlight.removeAll { $0.router == router && $0.network == network }
        applyTracking(router)
    }

    mutating func setTracking(_ router: Int, _ network: Int, _ tracking: [TrackedObjectStatus]) {
        routers[router].tracking[network] = tracking
        applyTracking(router)
    }

    private mutating func perform(_ router: Int, _ network: Int, _ event: (inout Machine, TestClock.Instant) -> [Action]) {
        guard var machine = routers[router].members[network] else { return }
        let actions = event(&machine, now)
        routers[router].members[network] = machine
        for action in actions {
            switch action {
            case .sendAdvertisement(let advertisement) where routers[router].linkUp[network]:
                inFlight.append((now.advanced(by: .milliseconds(1)), router, network, advertisement))
            case .transition(let transition):
                routers[router].log.append(transition.logLine(instance: Self.instance(network)))
            default:
                break
            }
        }
        report(router, network)
    }

    /// Tells the router's group the member's status, and carries out what the group says.
    private mutating func report(_ router: Int, _ network: Int) {
        guard var group = routers[router].group, let machine = routers[router].members[network] else { return }
        let status = VRRPSyncGroup.MemberStatus(state: machine.state, wantsMaster: machine.wantsMaster)
        guard status != routers[router].reported[network] else { return }
        routers[router].reported[network] = status
        let actions = group.memberChanged(Self.instance(network), to: status)
        routers[router].group = group
        for action in actions {
            switch action {
            case .transition(let from, let to):
                routers[router].log.append("sync group gateway: \(from) -> \(to)")
            case .becomeMaster(let instance):
                perform(router, Self.network(instance)) { $0.syncGroupMaster(now: $1) }
            case .becomeBackup(let instance, let member, let memberState):
                perform(router, Self.network(instance)) { $0.syncGroupBackup(member: member, memberState: memberState, now: $1) }
            }
        }
    }

    static func network(_ instance: String) -> Int { Int(instance.dropFirst(3))! - 1 }

    /// As the speaker does: every member's own tracking, combined by the group, applied as the runner does.
    private mutating func applyTracking(_ router: Int) {
        var own: [String: TrackedPriority] = [:]
        for network in 0..<Self.networks {
            guard let machine = routers[router].members[network] else { continue }
            let interface = TrackedObjectStatus(
                object: TrackedObjectConfig(kind: .interface, name: "net\(network + 1)", weight: 0),
                isUp: routers[router].linkUp[network])
            own[Self.instance(network)] = TrackedPriority(
                base: machine.settings.priority, tracking: [interface] + routers[router].tracking[network])
        }
        let combined = routers[router].group?.tracking(own) ?? own
        for network in 0..<Self.networks {
            guard let machine = routers[router].members[network], let tracking = combined[Self.instance(network)] else { continue }
            switch tracking {
            case .fault(let reasons):
                if machine.faultReason == nil {
                    perform(router, network) { $0.faultDetected(reason: reasons.joined(separator: ", "), now: $1) }
                }
            case .priority(let priority):
                if machine.faultReason != nil {
                    perform(router, network) { $0.priorityChanged(to: priority, now: $1) }
                    perform(router, network) { $0.faultCleared(now: $1) }
                } else if priority != machine.effectivePriority {
                    perform(router, network) { $0.priorityChanged(to: priority, now: $1) }
                }
            }
        }
    }

    /// Processes deadlines and deliveries in time order up to `end`, checking after each that the
    /// members of every group are MASTER together or not at all.
    mutating func run(until end: TestClock.Instant, file: StaticString = #filePath, line: UInt = #line) {
        while true {
            var timers: [(TestClock.Instant, Int, Int)] = []
            for router in routers.indices {
                for network in 0..<Self.networks {
                    if let deadline = routers[router].members[network]?.nextDeadline { timers.append((deadline, router, network)) }
                }
            }
            let timer = timers.min { $0.0 < $1.0 }
            let delivery = inFlight.indices.min { inFlight[$0].deliverAt < inFlight[$1].deliverAt }
            guard let next = [timer?.0, delivery.map { inFlight[$0].deliverAt }].compactMap({ $0 }).min(), next <= end else {
                break
            }
            now = next
            if let delivery, inFlight[delivery].deliverAt == next {
                let message = inFlight.remove(at: delivery)
                let source = routers[message.router].members[message.network]!.settings.primaryAddress
                let packet = VRRPReceivedPacket(
                    advertisement: message.advertisement, source: source, destination: multicastGroup, hopLimit: 255)
                for router in routers.indices where router != message.router && routers[router].linkUp[message.network] {
                    perform(router, message.network) { $0.advertisementReceived(packet, now: $1) }
                }
            } else if let (_, router, network) = timer {
                perform(router, network) { $0.timerFired(now: $1) }
            }
            for router in routers where router.group != nil {
                let states = router.members.compactMap { $0?.state }
                if states.contains(.master) && !states.allSatisfy({ $0 == .master }) {
                    XCTFail("\(router.name) is split at \(now): \(states)\n\(router.log.joined(separator: "\n"))", file: file, line: line)
                }
            }
        }
        now = end
    }
}

final class VRRPSyncGroupSimulationTests: XCTestCase {
    private func pair(group: SyncGroupConfig.Priority = .own) -> Site {
        var site = Site()
        site.add("A", number: 2, priority: 100, group: group)
        site.add("B", number: 1, priority: 50, group: group)
        site.start(0)
        site.start(1)
        site.run(until: at(seconds: 10))
        XCTAssertEqual(site.holders(0), ["A"])
        XCTAssertEqual(site.holders(1), ["A"])
        return site
    }

    func testAMemberWhoseInterfaceGoesDownTakesTheWholeGroupToTheOtherRouter() {
        var site = pair()
        site.setLink(0, 1, up: false)
        XCTAssertEqual(site.state(0, 0), .fault)
        XCTAssertEqual(site.state(0, 1), .fault)
        XCTAssertTrue(
            site.routers[0].log.contains("VI_1: MASTER -> FAULT (fault: sync group gateway: VI_2 interface net2 down)"),
            site.routers[0].log.joined(separator: "\n"))
        // B takes both once its VI_2 stops hearing A: a Master_Down_Interval (its VI_1 heard priority 0 at once).
        site.run(until: at(.seconds(10) + v3DownInterval + .milliseconds(20)))
        XCTAssertEqual(site.holders(0), ["B"])
        XCTAssertEqual(site.holders(1), ["B"])
        site.run(until: at(seconds: 20))
        // The cable back: A leaves FAULT, preempts on both, and B follows to BACKUP on both.
        site.setLink(0, 1, up: true)
        XCTAssertEqual(site.state(0, 0), .backup)
        site.run(until: at(seconds: 30))
        XCTAssertEqual(site.holders(0), ["A"])
        XCTAssertEqual(site.holders(1), ["A"])
        XCTAssertEqual(site.state(1, 0), .backup)
        XCTAssertEqual(site.state(1, 1), .backup)
    }

    func testBothMembersFaultyLeaveFaultOnlyWhenTheLastFaultClears() {
        var site = pair()
        site.setLink(0, 0, up: false)
        site.setLink(0, 1, up: false)
        site.setLink(0, 0, up: true)
        XCTAssertEqual(site.state(0, 0), .fault, "VI_2's interface is still down")
        site.setLink(0, 1, up: true)
        XCTAssertEqual(site.state(0, 0), .backup)
        XCTAssertEqual(site.state(0, 1), .backup)
    }

    func testLowestPriorityMovesTheGroupWhenAnyMemberFails() {
        var site = pair(group: .lowest)
        let process = TrackedObjectConfig(kind: .process, name: "app", weight: -60)
        site.setTracking(0, 1, [TrackedObjectStatus(object: process, isUp: false)])
        XCTAssertEqual(site.routers[0].members[0]?.effectivePriority, 40, "every member advertises the lowest")
        site.run(until: at(seconds: 20))
        XCTAssertEqual(site.holders(0), ["B"])
        XCTAssertEqual(site.holders(1), ["B"])
        site.setTracking(0, 1, [TrackedObjectStatus(object: process, isUp: true)])
        site.run(until: at(seconds: 30))
        XCTAssertEqual(site.holders(0), ["A"])
        XCTAssertEqual(site.holders(1), ["A"])
    }

    /// Why `priority: own` refuses weights: one member's lower priority moves nothing, since the other
    /// router's other member still hears a higher master and keeps its group in BACKUP.
    func testWithOwnPriorityAWeightOnOneMemberMovesNothing() {
        var site = pair(group: .own)
        site.setTracking(
            0, 1, [TrackedObjectStatus(object: TrackedObjectConfig(kind: .process, name: "app", weight: -60), isUp: false)])
        site.run(until: at(seconds: 30))
        XCTAssertEqual(site.holders(0), ["A"])
        XCTAssertEqual(site.holders(1), ["A"])
        XCTAssertEqual(site.routers[1].members[1]?.wantsMaster, true, "B's VI_2 would preempt and waits")
    }

    /// keepalived's rule: a group is MASTER only where every member could be. A router that outranks
    /// both on one network only leaves the other network's address without a master.
    func testAHigherRouterOnOneNetworkTakesBothGroupsToBackup() {
        var site = pair()
        let c = site.add("C", number: 3, priority: 200, networks: [1], group: nil)
        site.start(c)
        site.run(until: at(seconds: 30))
        XCTAssertEqual(site.holders(1), ["C"])
        XCTAssertEqual(site.holders(0), [])
        XCTAssertTrue(
            site.routers[0].log.contains("VI_1: MASTER -> BACKUP (sync group gateway: VI_2 is BACKUP)"),
            site.routers[0].log.joined(separator: "\n"))
    }

    func testAddressOwnersTakeTheGroupAtStart() {
        var site = Site()
        site.add("A", number: 2, priority: 255)
        site.add("B", number: 1, priority: 50)
        site.start(0)
        XCTAssertEqual(site.holders(0), ["A"])
        XCTAssertEqual(site.holders(1), ["A"])
        site.start(1)
        site.run(until: at(seconds: 10))
        XCTAssertEqual(site.holders(0), ["A"])
        XCTAssertEqual(site.holders(1), ["A"])
    }

    func testTheBackupRouterTakesTheGroupWhenTheMasterFallsSilent() {
        var site = pair()
        // Both of A's networks fail beyond its cables: A hears nothing and goes on as master.
        site.routers[0].linkUp = [false, false]
        site.run(until: at(seconds: 20))
        XCTAssertEqual(site.state(1, 0), .master)
        XCTAssertEqual(site.state(1, 1), .master)
    }

    /// keepalived's #2169: the master falls silent on one network only. B's member there would take
    /// over, but its other member still hears A, so the group stays with A (a track script or
    /// interface that sees the broken path, with `priority: lowest`, is what moves it).
    func testAMasterSilentOnOneNetworkOnlyKeepsTheGroup() {
        var site = pair()
        site.routers[0].linkUp[1] = false
        site.run(until: at(seconds: 30))
        XCTAssertEqual(site.state(0, 0), .master)
        XCTAssertEqual(site.state(1, 0), .backup)
        XCTAssertEqual(site.state(1, 1), .backup)
        XCTAssertEqual(site.routers[1].members[1]?.wantsMaster, true)
    }
}
