import Foundation
import VipdCore
import VipdDoctor
import VipdLab
import XCTest

/// A throwaway network namespace where a test loads a real nftables ruleset or
/// real iptables rules and reads them back with the real tools, as `vipd doctor` does.
final class FirewallLab {
    let namespace: NetworkNamespace
    let directory: LabDirectory

    static let nft = URL(fileURLWithPath: "/usr/sbin/nft")
    static let iptables = URL(fileURLWithPath: "/usr/sbin/iptables")
    static let ip6tables = URL(fileURLWithPath: "/usr/sbin/ip6tables")

    /// Why the lab cannot run here, or nil.
    static var unavailableReason: String? {
        if let reason = NetworkNamespace.unavailableReason { return reason }
        for tool in [nft, iptables, ip6tables] where !FileManager.default.isExecutableFile(atPath: tool.path) {
            return "\(tool.path) is not installed (apt-get install nftables iptables)"
        }
        return nil
    }

    init() throws {
        if let reason = Self.unavailableReason { throw XCTSkip(reason) }
        namespace = try NetworkNamespace(name: NetworkNamespace.uniqueName("fw"))
        directory = try LabDirectory(prefix: "vipd-doctor-fw")
    }

    deinit {
        namespace.delete()
        directory.remove()
    }

    /// Loads an nftables ruleset file (`nft -f`).
    func nft(_ ruleset: String) throws {
        let file = directory.file("ruleset-\(UInt32.random(in: 0...UInt32.max)).nft")
        try ruleset.write(to: file, atomically: true, encoding: .utf8)
        try namespace.run(Self.nft, ["-f", file.path])
    }

    /// Runs a command line given as one string, e.g. a fix the doctor printed (`nft insert rule ...`).
    func command(_ line: String) throws {
        var words = line.split(separator: " ").map(String.init)
        let tool = words.removeFirst()
        try namespace.run(URL(fileURLWithPath: "/usr/sbin/\(tool)"), words)
    }

    /// `iptables ARGUMENTS`.
    func iptables(_ arguments: String) throws { try command("iptables " + arguments) }

    /// `ip6tables ARGUMENTS`.
    func ip6tables(_ arguments: String) throws { try command("ip6tables " + arguments) }

    /// What the real tools print in the namespace.
    func snapshot() throws -> FirewallSnapshot {
        FirewallSnapshot(
            nftablesJSON: try namespace.run(Self.nft, ["-j", "-a", "list", "ruleset"]).standardOutput,
            nftablesListing: try namespace.run(Self.nft, ["-a", "list", "ruleset"]).standardOutput,
            iptablesSave: try namespace.run(URL(fileURLWithPath: "/usr/sbin/iptables-save"), []).standardOutput,
            ip6tablesSave: try namespace.run(URL(fileURLWithPath: "/usr/sbin/ip6tables-save"), []).standardOutput)
    }

    /// What the ruleset in the namespace does with `packet`.
    func outcome(_ packet: VRRPAdvertPacket = FirewallLab.advert) throws -> FirewallOutcome {
        FirewallEvaluator.evaluate(packet, in: try snapshot().ruleset())
    }

    /// The peer whose adverts the tests send.
    static let peer = IPAddress("10.251.1.12")!

    /// ha1's IPv4 multicast advert as ha0 receives it.
    static let advert = VRRPAdvertPacket(
        source: AddressRange(peer), destination: IPAddress("224.0.0.18")!, interface: "eth0")
    /// An IPv6 multicast advert from some link-local address.
    static let advert6 = VRRPAdvertPacket(
        source: VRRPAdvertPacket.linkLocalSources, destination: IPAddress("ff02::12")!, interface: "eth0")
}

