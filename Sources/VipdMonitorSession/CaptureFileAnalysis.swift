import VipdCapture
import VipdMonitor

/// `vipd monitor --read`: a capture file through the decoder and the analyzer, in packet time.
public enum CaptureFileAnalysis {
    /// How often time advances between packets, as a live monitor's ticker does.
    static let replayTick = Duration.milliseconds(250)
    /// A longer gap between packets is replayed as its last part only (nothing lasts longer unobserved).
    static let longestReplayedGap = Duration.seconds(120)

    /// Why a capture file cannot be analyzed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Analyzes every packet of `path` as captured on `interfaceLabel`, calling `onEvent` for each
    /// event in order; copies the frames the monitor uses to `evidencePath` when given.
    /// - Throws: `Failure` when the file cannot be opened or read (with the byte offset where it
    ///   applies) or its link type is not one the decoder reads.
    public static func analyze(
        path: String, interfaceLabel: String, settings: MonitorSettings, evidencePath: String? = nil,
        onEvent: (MonitorEvent, MonitorState) -> Void
    ) throws(Failure) -> (analyzer: MonitorAnalyzer, counts: CaptureCounts) {
        let reader: PcapFileReader
        do { reader = try PcapFileReader(path: path) } catch { throw Failure(description: error.description) }
        defer { reader.close() }
        guard let link = LinkLayer(dataLinkType: reader.linkType.rawValue) else {
            throw Failure(
                description: "\(path): link type \(reader.linkType) is not supported; the monitor reads "
                    + "\(LinkLayer.supportedNames) captures")
        }
        var analyzer: MonitorAnalyzer?
        var lastTime: MonitorInstant?
        do throws(CaptureError) {
            let writer = try evidencePath.map { evidence throws(CaptureError) in
                try PcapFileWriter(path: evidence, linkType: reader.linkType)
            }
            while let packet = try reader.next() {
                let time = Swift.max(MonitorInstant(sinceEpoch: packet.timestamp), lastTime ?? MonitorInstant(sinceEpoch: packet.timestamp))
                if analyzer == nil { analyzer = MonitorAnalyzer(settings: settings, startedAt: time) }
                // Time passes between packets as it did live, so silences end findings when they did.
                var tick = (lastTime ?? time) + replayTick
                while tick < time {
                    for event in analyzer!.advance(to: tick) { onEvent(event, analyzer!.state) }
                    tick = time - tick > longestReplayedGap ? time - longestReplayedGap : tick + replayTick
                }
                lastTime = time
                let verdict = FrameDecoder.decode(packet.bytes, link: link)
                if case .packet = verdict { try writer?.write(packet) }
                for event in analyzer!.observe(verdict, interface: interfaceLabel, at: time) { onEvent(event, analyzer!.state) }
            }
            try writer?.close()
        } catch {
            throw Failure(description: error.description)
        }
        guard var analyzer, let lastTime else {
            return (
                MonitorAnalyzer(settings: settings, startedAt: MonitorInstant(sinceEpoch: .zero)),
                CaptureCounts(source: path, received: 0)
            )
        }
        for event in analyzer.advance(to: lastTime) { onEvent(event, analyzer.state) }
        return (analyzer, CaptureCounts(source: path, received: UInt64(reader.packetsRead)))
    }
}
