import FoundationEssentials
import Logging
import VipdConfig
import VipdSystem
import VipdVRRP

/// Runs an instance's `notify` commands on its transitions, through `/bin/sh -c`, with
/// `VIPD_INSTANCE`, `VIPD_STATE`, `VIPD_PREVIOUS_STATE`, `VIPD_REASON` and `VIPD_PRIORITY` in the
/// environment. Commands run in the background; a failure is logged, never fatal.
struct NotifyRunner: Sendable {
    let instance: String
    let config: NotifyConfig
    let logger: Logger

    /// The command for entering `state`, then `any`.
    func commands(entering state: VRRPState) -> [String] {
        let own: String? =
            switch state {
            case .master: config.master
            case .backup: config.backup
            case .fault: config.fault
            case .initialize: config.stop
            }
        return [own, config.any].compactMap { $0 }
    }

    func run(_ transition: VRRPTransition, priority: UInt8) {
        let commands = commands(entering: transition.to)
        guard !commands.isEmpty else { return }
        var environment = ProcessInfo.processInfo.environment
        environment["VIPD_INSTANCE"] = instance
        environment["VIPD_STATE"] = "\(transition.to)"
        environment["VIPD_PREVIOUS_STATE"] = "\(transition.from)"
        environment["VIPD_REASON"] = "\(transition.reason)"
        environment["VIPD_PRIORITY"] = "\(priority)"
        for command in commands {
            ShellCommand.launch(command, environment: environment, timeout: .seconds(60)) { end in
                if !end.succeeded {
                    logger.warning("\(instance): notify command failed, \(end): \(command)")
                }
            }
        }
    }
}
