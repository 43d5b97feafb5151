import ArgumentParser
import FoundationEssentials
import VipdConfig
import VipdDoctor
import VipdSystem

/// `vipd doctor`: preflight checks on this node, each PASS, WARN or FAIL with the fix.
/// Exit 0 when nothing fails, 2 when a check fails, 1 when the checks cannot run (no config file).
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this node before running vipd: PASS/WARN/FAIL lines, each with the fix (exit 2 on FAIL).",
        discussion: """
            Checks the configuration, this node's entry, the interfaces and addresses, the VIPs' \
            subnets, multicast or unicast VRRP, that the listeners' ports are free, the sshd \
            ListenAddress snippet, the firewall path of a VRRP advertisement through nftables and \
            iptables (naming the rule that drops it), that the peers' sshd answers, capabilities, \
            libpcap, and for transparent pools the kernel's reverse-path settings and vipd's rules. \
            Exit status: 0 nothing failed, 2 a check failed, 1 the checks cannot run.
            """)

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "This host's node name in cluster.nodes (default: found from this host's addresses, then the hostname).")
    var node: String?

    @Option(name: .customLong("sshd-config"), help: "sshd's main configuration, checked for the ListenAddress snippet.")
    var sshdConfig: String = SSHDSnippet.defaultMainConfig

    func run() async throws {
        guard FileManager.default.isReadableFile(atPath: options.config) else {
            printError("vipd doctor: cannot read \(options.config); give the cluster file with --config FILE")
            throw ExitCode(1)
        }
        let results: [DoctorCheckResult]
        do {
            let config = try ConfigLoader.load(contentsOf: options.config)
            results = await DoctorRunner.run(configPath: options.config, config: config, nodeName: node, sshdConfig: sshdConfig)
        } catch {
            results = [
                DoctorCheckResult(
                    .fail, "config \(options.config) is valid", detail: error.description,
                    fix: "correct the lines above (vipd check --config \(options.config) lists the same errors)")
            ]
        }
        print(DoctorReport.render(results), terminator: "")
        let status = DoctorReport.exitStatus(results)
        if status != 0 { throw ExitCode(status) }
    }
}
