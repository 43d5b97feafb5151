import Foundation
import VipdLab
import XCTest

/// The two-node lab with `transparent` pools: both nodes started from one file (each with its own
/// control socket), and logins through the VIP that tell which client and server addresses sshd saw.
extension VRRPLab {
    /// A second client address, which a test adds to the client's namespace with `addSecondClient()`.
    static let secondClient = "10.251.1.3"

    /// Gives the client's namespace `secondClient` too.
    func addSecondClient() throws {
        try lab.client.namespace.ip(["addr", "add", "\(Self.secondClient)/24", "dev", ClusterLab.interface])
    }

    /// Node `node`'s file: `VRRPLab.yaml` with the `ssh` pool's `transparent` as given, `global` (the
    /// inside of its braces) plus the node's `controlSocket(_:)`, and the extra listeners and pools.
    func transparentYAML(
        _ node: Int, transparent: Bool = true, global: String = "drain_timeout: 2s", extraListeners: [String] = [],
        extraPools: [String] = []
    ) -> String {
        Self.yaml(
            transparent: transparent, extraListeners: extraListeners, extraPools: extraPools,
            global: "\(global), control_socket: \(controlSocket(node))")
    }

    /// Starts both nodes with `yaml(node)`; returns once ha0 holds the VIP and each node has the
    /// other's sshd UP in pool `ssh`.
    func startPair(_ yaml: (Int) -> String) throws {
        for node in 0...1 {
            try startVipd(node, yaml: yaml(node))
            if node == 0 { try waitForHolders([0], within: 15) }
        }
        for node in 0...1 {
            try vipdProcess(node)!.waitForLog(containing: "server ssh/ha\(1 - node) is UP", timeout: 15)
        }
    }

    /// Until a login through the VIP at `port` has reached each node's sshd with the client's address
    /// (each node learns the other's link-layer address within a second or two).
    func waitForTransparentLoginsOnBothNodes(port: Int = 22) throws {
        var servers: Set<String> = []
        try waitUntil("transparent logins reach both nodes", within: 20) {
            if let login = try? login(port: port), login.client == lab.client.address { servers.insert(login.server) }
            return servers == Set(lab.nodes.map(\.address))
        }
    }

    /// `count` logins through the VIP at `port`: the client and server addresses sshd saw.
    func logins(_ count: Int, port: Int = 22) throws -> [(client: String, server: String)] {
        try (0..<count).map { _ in try login(port: port) }
    }

    /// One login from the client (from `bindAddress` when given) to `host`:`port`: the client and
    /// server addresses sshd saw (`$SSH_CONNECTION`).
    /// - Throws: `LabError.unexpectedOutput` when the login fails.
    func login(host: String = VRRPLab.vip, port: Int = 22, bindAddress: String? = nil) throws -> (client: String, server: String) {
        let result = try client.run(
            host: host, port: port, command: "echo $SSH_CONNECTION", timeout: .seconds(10), namespace: lab.client.namespace,
            bindAddress: bindAddress)
        let fields = result.standardOutput.split(whereSeparator: \.isWhitespace).map(String.init)
        guard result.exitStatus == 0, fields.count == 4 else {
            throw LabError.unexpectedOutput(command: "ssh \(host) echo $SSH_CONNECTION", output: result.standardOutput + result.standardError)
        }
        return (fields[0], fields[2])
    }
}
