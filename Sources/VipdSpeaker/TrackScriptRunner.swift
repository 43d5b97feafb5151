import FoundationEssentials
import Logging
import NIOConcurrencyHelpers
import VipdConfig
import VipdHealth
import VipdSystem

/// Runs one `track_scripts` entry every `interval` and turns its exit statuses into up/down with
/// `fall`/`rise`, with the same rise/fall logic as the pools' health checks: the first result decides.
final class TrackScriptRunner: Sendable {
    let config: TrackScriptConfig
    private let logger: Logger
    private let health: NIOLockedValueBox<ServerHealth>
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(config: TrackScriptConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        health = NIOLockedValueBox(ServerHealth(rise: config.rise, fall: config.fall))
    }

    /// Whether the script counts as succeeding now.
    var isUp: Bool { health.withLockedValue { $0.isUp } }

    /// Runs the script once now and then every `interval`; `onChange` gets every change of `isUp`.
    func start(onChange: @escaping @Sendable (Bool) -> Void) async {
        await runOnce(onChange: onChange)
        let loop = Task { [config] in
            while !Task.isCancelled {
                try? await Task.sleep(for: config.interval)
                guard !Task.isCancelled else { return }
                await self.runOnce(onChange: onChange)
            }
        }
        task.withLockedValue { $0 = loop }
    }

    func stop() {
        task.withLockedValue { $0?.cancel() }
    }

    private func runOnce(onChange: @escaping @Sendable (Bool) -> Void) async {
        let end = await ShellCommand.run(config.command, timeout: config.timeout)
        switch end {
        case .timedOut, .notStarted:
            logger.warning("track script \(config.name): \(end): \(config.command)", metadata: ["track_script": "\(config.name)"])
        case .exited, .signalled: break
        }
        let update = health.withLockedValue { $0.record(passed: end.succeeded, reason: end.description) }
        if let transition = update.transition {
            logger.notice(
                "track script \(config.name) is \(transition.to.word): \(transition.reason)",
                metadata: ["track_script": "\(config.name)"])
            onChange(transition.to == .up)
        }
    }
}
