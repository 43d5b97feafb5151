import FoundationEssentials
import VipdConfig
import VipdCore
import VipdSystem

/// "sshd leaves the VIP's port 22 to vipd": when a listener binds port 22, the node's sshd must
/// listen only on the node's own address, through the snippet `vipd sshd-snippet` writes. The
/// judgement is VipdSystem's `SSHDCoordination` (snippet present and current, included where it
/// decides, no stray ListenAddress or AddressFamily).
public enum SSHDCoordinationCheck {
    /// One line, or none when no listener uses port 22.
    /// - Parameter mainConfig: sshd's main configuration file.
    /// - Parameter activation: how sshd listens on this host (`ssh.socket` changes the fix).
    public static func results(
        config: VipdConfiguration, configPath: String, node: ClusterNode, mainConfig: String, hostAddresses: [IPAddress],
        activation: SSHDActivation
    ) -> [DoctorCheckResult] {
        guard config.listeners.contains(where: { $0.bind.port == 22 }) else { return [] }
        let title = "sshd listens only on node \(node.name)'s address, leaving port 22 of the VIP to vipd"
        guard FileManager.default.fileExists(atPath: mainConfig) else {
            return [DoctorCheckResult(.pass, title, detail: "no sshd configuration at \(mainConfig): no sshd to coordinate")]
        }
        let coordination = SSHDCoordination(node: node, configPath: configPath, mainConfig: mainConfig, activation: activation)
        let problems = coordination.problems(hostAddresses: hostAddresses)
        guard !problems.isEmpty else {
            let socket = activation.unitName.map { "; \($0) holds port 22 for sshd (socket activation)" } ?? ""
            return [DoctorCheckResult(.pass, title, detail: "\(coordination.snippetPath) is current and in charge\(socket)")]
        }
        return [
            DoctorCheckResult(
                .warn, title,
                detail: problems.map { ($0.location.map { "\($0): " } ?? "") + $0.message }.joined(separator: "\n"),
                fix: problems.map(\.fix).joined(separator: "\n"))
        ]
    }
}
