import VipdConfig
import VipdCore
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// A clock whose instants are plain offsets from zero. The state machine never reads a clock, so
/// tests pass explicit instants (`at(_:)`) and no real time is involved anywhere.
struct TestClock: Clock {
    struct Instant: InstantProtocol, CustomStringConvertible {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        var description: String { "t=\(offset)" }
    }

    var now: Instant { Instant(offset: .zero) }
    var minimumResolution: Duration { .nanoseconds(1) }

    /// Never sleeps: nothing under test may wait for time to pass.
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        throw CancellationError()
    }
}

typealias Machine = VRRPStateMachine<TestClock>
typealias Action = Machine.Action

/// The instant `offset` after the start of a test.
func at(_ offset: Duration) -> TestClock.Instant { TestClock.Instant(offset: offset) }

/// `at(.seconds(seconds))`.
func at(seconds: Int) -> TestClock.Instant { at(.seconds(seconds)) }

func address(_ text: String) -> IPAddress {
    guard let address = IPAddress(text) else { fatalError("bad test address \(text)") }
    return address
}

/// Our primary address, and peers just below and above it (the equal-priority tie-breaker).
let ourAddress = address("10.0.0.2")
let lowerPeer = address("10.0.0.1")
let higherPeer = address("10.0.0.3")
let virtualAddress = address("10.0.0.100")
let multicastGroup = address("224.0.0.18")

/// The v2 example from the brief: VI_1, VRID 51, 1 s, priority 100, one VIP.
func makeSettings(
    version: VRRPVersion = .v2, priority: UInt8 = 100, interval: Duration = .seconds(1), preempt: Bool = true,
    preemptDelay: Duration = .zero, primaryAddress: IPAddress = ourAddress,
    virtualAddresses: [IPAddress] = [virtualAddress], authentication: VRRPAuthentication = .none,
    unicastPeers: [IPAddress] = [], handoverTimeout: Duration? = nil
) -> VRRPInstanceSettings {
    VRRPInstanceSettings(
        name: "VI_1", version: version, virtualRouterID: 51, priority: priority, advertisementInterval: interval,
        preempt: preempt, preemptDelay: preemptDelay, primaryAddress: primaryAddress,
        virtualAddresses: virtualAddresses, authentication: authentication, unicastPeers: unicastPeers,
        handoverTimeout: handoverTimeout)
}

/// A valid advertisement for `settings` as another router would send it, with overrides.
func packet(
    for settings: VRRPInstanceSettings, from source: IPAddress, priority: UInt8, interval: Duration? = nil,
    version: VRRPVersion? = nil, virtualRouterID: UInt8? = nil, addresses: [IPAddress]? = nil,
    authentication: VRRPAuthentication? = nil, hopLimit: Int = 255
) -> VRRPReceivedPacket {
    let version = version ?? settings.version
    let advertisement = VRRPAdvertisement(
        version: version, virtualRouterID: virtualRouterID ?? settings.virtualRouterID, priority: priority,
        interval: interval ?? settings.advertisementInterval, addresses: addresses ?? settings.virtualAddresses,
        authentication: authentication ?? (version == .v2 ? settings.authentication : .none))
    let destination = settings.unicastPeers.isEmpty ? multicastGroup : settings.primaryAddress
    return VRRPReceivedPacket(advertisement: advertisement, source: source, destination: destination, hopLimit: hopLimit)
}

/// The advertisement the machine for `settings` sends with `priority`.
func ourAdvertisement(_ settings: VRRPInstanceSettings, priority: UInt8) -> VRRPAdvertisement {
    VRRPAdvertisement(
        version: settings.version, virtualRouterID: settings.virtualRouterID, priority: priority,
        interval: settings.advertisementInterval, addresses: settings.virtualAddresses,
        authentication: settings.version == .v2 ? settings.authentication : .none)
}

/// The transition action, for brevity.
func transition(_ from: VRRPState, _ to: VRRPState, _ reason: VRRPTransitionReason) -> Action {
    .transition(VRRPTransition(from: from, to: to, reason: reason))
}

/// A started machine in BACKUP (at t=0) for `settings`.
func backupMachine(_ settings: VRRPInstanceSettings, now: TestClock.Instant = at(.zero)) -> Machine {
    var machine = Machine(settings: settings)
    _ = machine.start(now: now)
    XCTAssertEqual(machine.state, .backup)
    return machine
}

/// A machine that became MASTER through its down timer (at `masterDownInterval`, no master heard).
func masterMachine(_ settings: VRRPInstanceSettings) -> (machine: Machine, becameMasterAt: TestClock.Instant) {
    var machine = backupMachine(settings)
    let deadline = machine.nextDeadline!
    _ = machine.timerFired(now: deadline)
    XCTAssertEqual(machine.state, .master)
    return (machine, deadline)
}

/// The 3.609375 s of VRRPv2, priority 100, 1 s adverts.
let v2DownInterval = Duration.nanoseconds(3_609_375_000)
/// VRRPv3, priority 100, 1 s: 300 cs + 156 * 100 / 256 = 60 cs.
let v3DownInterval = Duration.milliseconds(3_600)
