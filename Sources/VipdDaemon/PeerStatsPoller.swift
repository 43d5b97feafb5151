import Logging
import NIOConcurrencyHelpers
import VipdConfig
import VipdCore
import VipdStats

/// Asks the other nodes' stats listeners for their `stats.json` (every second, from
/// ``DaemonStats``) and keeps what each last said, so any node's page shows the whole cluster's
/// VRRP view. A peer that stops answering keeps its last view, marked unreachable with the reason;
/// the change either way is logged once.
final class PeerStatsPoller: Sendable {
    private let logger: Logger
    /// The peers as last polled, in the order of the targets.
    private let latest = NIOLockedValueBox<[PeerStats]>([])

    /// How long one peer gets to answer, connect included.
    static let timeout = Duration.milliseconds(900)

    init(logger: Logger) {
        self.logger = logger
    }

    /// The peers as last polled.
    var peers: [PeerStats] { latest.withLockedValue { $0 } }

    /// Asks every target at once and records the answers; `now` is the wall time, in seconds since
    /// the Unix epoch. Peers no longer among the targets (a reload) are forgotten.
    func poll(_ targets: [(node: String, endpoint: SocketEndpoint)], credentials: StatsCredentials?, now: Double) async {
        let answers = await withTaskGroup(of: (Int, Result<PeerStatsAnswer.View, PeerStatsError>).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask { (index, await PeerStatsClient.fetch(target.endpoint, credentials: credentials, timeout: Self.timeout)) }
            }
            var answers = [Result<PeerStatsAnswer.View, PeerStatsError>?](repeating: nil, count: targets.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
        let previous = peers
        let updated = zip(targets, answers).map { target, answer in
            let before = previous.first { $0.node == target.node && $0.address == target.endpoint.description }
            let peer = PeerStats(
                after: answer ?? .failure(PeerStatsError("not asked")), from: target.node, at: target.endpoint, now: now, before: before)
            logChange(from: before, to: peer)
            return peer
        }
        latest.withLockedValue { $0 = updated }
    }

    private func logChange(from before: PeerStats?, to peer: PeerStats) {
        if peer.reachable, before?.reachable != true {
            logger.notice("stats: peer \(peer.node) answers on http://\(peer.address)/")
        } else if !peer.reachable, before?.reachable != false || before?.error != peer.error {
            logger.notice("stats: peer \(peer.node) (http://\(peer.address)/) does not answer: \(peer.error ?? "?")")
        }
    }
}
