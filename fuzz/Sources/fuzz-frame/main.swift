import FuzzDriver
import VipdMonitor

/// The monitor's frame decoder on one captured frame, for every link layer it reads, and the
/// analyzer on what it decoded.
fuzzMain { input in
    let bytes = Array(input)
    var analyzer = MonitorAnalyzer(startedAt: MonitorInstant(sinceEpoch: .seconds(1_800_000_000)))
    for link in [LinkLayer.ethernet, .linuxCooked, .linuxCooked2, .rawIP] {
        let verdict = FrameDecoder.decode(bytes, link: link)
        _ = analyzer.observe(verdict, interface: "fuzz", at: analyzer.latestTime + .milliseconds(10))
    }
}
