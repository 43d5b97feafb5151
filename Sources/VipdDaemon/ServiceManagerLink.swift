import Logging
import NIOConcurrencyHelpers
import NIOCore
import VipdProxy
import VipdSpeaker
import VipdSystemd

/// vipd's side of `Type=notify`: `READY=1` with the first status once listeners are bound and
/// every pool's first checks ran, `STATUS=` whenever a VRRP state or a pool's servers up change
/// (sampled twice a second), `RELOADING=1` … `READY=1` around a SIGHUP reload, `STOPPING=1` at
/// the start of graceful shutdown, and the watchdog when `WatchdogSec=` is set: each event loop of
/// the engine's group and the daemon's actors must answer heartbeats (``HeartbeatWatchdog``).
/// Without `$NOTIFY_SOCKET` it does nothing.
public final class ServiceManagerLink: Sendable {
    private struct State {
        var phase = StatusLine.Phase.running
        var lastStatus: String?
        var speaker: VRRPSpeaker?
        var reporter: Task<Void, Never>?
        var watchdog: HeartbeatWatchdog?
    }

    private let notifier: ServiceNotifier
    private let engine: ProxyEngine
    private let loops: [any EventLoop]
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    /// How often the status line is sampled for changes.
    private static let statusInterval = Duration.milliseconds(500)

    /// - Parameter group: the engine's event loops, each watched by the watchdog.
    public init(notifier: ServiceNotifier, engine: ProxyEngine, group: any EventLoopGroup, logger: Logger) {
        self.notifier = notifier
        self.engine = engine
        self.loops = Array(group.makeIterator())
        self.logger = logger
    }

    /// Start-up finished: sends `READY=1` with the status, then keeps the status current and the
    /// watchdog fed.
    public func ready(speaker: VRRPSpeaker?) async {
        guard notifier.isEnabled else { return }
        state.withLockedValue { $0.speaker = speaker }
        await publish(phase: .running, with: [.ready])
        let reporter = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.statusInterval)
                guard !Task.isCancelled, let self else { return }
                await self.publish(phase: self.state.withLockedValue { $0.phase }, with: [])
            }
        }
        let engine = engine
        let watched = loops.enumerated().map { index, loop in
            HeartbeatWatchdog.Loop(name: "event loop \(index + 1)") { loop.execute($0) }
        } + RelayLoopHeartbeat.all.map { relay in
            HeartbeatWatchdog.Loop(name: "relay loop \(relay.number)") { relay.send($0) }
        } + [
            HeartbeatWatchdog.Loop(name: "daemon actors") { heartbeat in
                Task {
                    _ = await DaemonStatus.current(phase: .running, engine: engine, speaker: speaker)
                    heartbeat()
                }
            }
        ]
        let watchdog = notifier.watchdogPingInterval.map { interval in
            HeartbeatWatchdog(notifier: notifier, pingInterval: interval, loops: watched, logger: logger)
        }
        if let interval = notifier.watchdogPingInterval {
            logger.info("systemd watchdog: pinging every \(interval) while all \(loops.count) event loops, the TCP relay loops and the daemon's actors (proxy engine, VRRP speaker) answer")
        }
        state.withLockedValue {
            $0.reporter = reporter
            $0.watchdog = watchdog
        }
    }

    /// A reload begins: `RELOADING=1`.
    public func reloading() async {
        await publish(phase: .reloading, with: [.reloading])
    }

    /// The reload is over (applied or rejected): `READY=1`.
    public func reloaded() async {
        await publish(phase: .running, with: [.ready])
    }

    /// Graceful shutdown begins: `STOPPING=1`. The status stays as sent (pools and instances wind
    /// down from here on); the watchdog goes on until ``finish()``.
    public func stopping() async {
        state.withLockedValue { $0.reporter?.cancel() }
        await publish(phase: .stopping, with: [.stopping])
    }

    /// Stops the status sampling and the watchdog.
    public func finish() {
        let (reporter, watchdog) = state.withLockedValue { ($0.reporter, $0.watchdog) }
        reporter?.cancel()
        watchdog?.stop()
    }

    /// Sends `messages` with the status of `phase`; with no messages, only a changed status (one
    /// sampled before the phase changed is dropped).
    private func publish(phase: StatusLine.Phase, with messages: [NotifyMessage]) async {
        guard notifier.isEnabled else { return }
        let speaker = state.withLockedValue { state -> VRRPSpeaker? in
            if !messages.isEmpty { state.phase = phase }
            return state.speaker
        }
        let text = await DaemonStatus.current(phase: phase, engine: engine, speaker: speaker).text
        state.withLockedValue { state in
            // A sample taken while ``stopping()`` cancelled the sampling would go out before `STOPPING=1`.
            if messages.isEmpty, state.phase != phase || state.lastStatus == text || Task.isCancelled { return }
            state.lastStatus = text
            notifier.send(messages + [.status(text)])
        }
    }
}
