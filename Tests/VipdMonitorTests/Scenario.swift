import VipdMonitor
import VipdVRRPPacket

/// A timeline of frames on one interface, replayed through the decoder and a `MonitorAnalyzer`
/// with time advancing every 250 ms between frames, as a live monitor does.
struct Scenario {
    static let start = MonitorInstant(sinceEpoch: .seconds(1_795_000_000))
    private var frames: [(at: Duration, bytes: [UInt8])] = []
    var settings = MonitorSettings()

    /// `frame` at `seconds` after the start.
    mutating func add(_ frame: [UInt8], at seconds: Double) {
        frames.append((.milliseconds(Int64((seconds * 1000).rounded())), frame))
    }

    /// Advertisements from `source` every `every` seconds over [from, to).
    mutating func advertise(
        _ source: String, priority: UInt8, from: Double, to: Double, every: Double = 1, vips: [String] = ["10.251.2.100"],
        version: VRRPVersion = .v3, authentication: VRRPAuthentication = .none, destination: String? = nil,
        ttl: UInt8 = 255, vrid: UInt8 = 51, corruptChecksum: Bool = false
    ) {
        var time = from
        while time < to - 1e-9 {
            add(
                WireFrames.advertisement(
                    from: source, vrid: vrid, priority: priority, interval: .milliseconds(Int64(every * 1000)), vips: vips,
                    version: version, authentication: authentication, to: destination, ttl: ttl,
                    corruptChecksum: corruptChecksum),
                at: time)
            time += every
        }
    }

    /// Replays every frame up to `until` seconds; returns the analyzer and every event, in order.
    func run(until: Double) -> (analyzer: MonitorAnalyzer, events: [MonitorEvent]) {
        var analyzer = MonitorAnalyzer(settings: settings, startedAt: Self.start)
        var events: [MonitorEvent] = []
        var clock = Duration.zero
        let end = Duration.milliseconds(Int64(until * 1000))
        for frame in frames.sorted(by: { $0.at < $1.at }) where frame.at <= end {
            while clock + .milliseconds(250) < frame.at {
                clock += .milliseconds(250)
                events += analyzer.advance(to: Self.start + clock)
            }
            events += analyzer.observe(
                FrameDecoder.decode(frame.bytes, link: .ethernet), interface: "eth0", at: Self.start + frame.at)
        }
        while clock + .milliseconds(250) <= end {
            clock += .milliseconds(250)
            events += analyzer.advance(to: Self.start + clock)
        }
        return (analyzer, events)
    }

    /// The kinds of every finding that began up to `until`.
    func findingKinds(until: Double) -> [Finding.Kind] {
        run(until: until).analyzer.history.map(\.finding.kind)
    }

    /// Seconds after the start for `instant`.
    static func offset(_ instant: MonitorInstant) -> Double {
        let duration = instant - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension Array where Element == MonitorEvent {
    /// The onset events' findings.
    var onsets: [Finding] {
        compactMap { if case .findingOnset(let finding) = $0 { finding } else { nil } }
    }

    /// The cleared events' findings with the time they cleared.
    var clearances: [(finding: Finding, at: MonitorInstant)] {
        compactMap { if case .findingCleared(let finding, let at) = $0 { (finding, at) } else { nil } }
    }
}
