import Foundation
import VipdLab
import XCTest

/// Two VRRP nodes on different subnets with a router between them, in network namespaces:
/// ha0 10.254.1.11/24 — router 10.254.1.1 | 10.254.2.1 — ha1 10.254.2.12/24. Each node reaches
/// the other's subnet through the router only (no default route, nothing outside the lab); the
/// router forwards IPv4 (its own namespace's `net.ipv4.ip_forward`), so unicast adverts arrive
/// with TTL 254. The VIP is a /32, which adds no route to whichever node holds it.
final class RoutedPairLab: VIPHolderLab, @unchecked Sendable {
    static let vip = "10.254.9.100"
    static let nodeAddresses = ["10.254.1.11", "10.254.2.12"]
    static let routerAddresses = ["10.254.1.1", "10.254.2.1"]
    static let interface = "eth0"

    let router: NetworkNamespace
    let nodes: [NetworkNamespace]
    let directory: LabDirectory
    private var vipd: [Int: VipdProcess] = [:]
    private var keepalived: KeepalivedProcess?

    init() throws {
        directory = try LabDirectory(prefix: "vipd-routed")
        var made: [NetworkNamespace] = []
        do {
            let router = try NetworkNamespace(name: NetworkNamespace.uniqueName("rtr"))
            made.append(router)
            try router.run(URL(fileURLWithPath: "/usr/sbin/sysctl"), ["-q", "-w", "net.ipv4.ip_forward=1"])
            for index in 0..<2 {
                let node = try NetworkNamespace(name: NetworkNamespace.uniqueName("ha\(index)"))
                made.append(node)
                let port = "r\(index)"
                try router.ip(["link", "add", port, "type", "veth", "peer", "name", Self.interface, "netns", node.name])
                try router.ip(["addr", "add", "\(Self.routerAddresses[index])/24", "dev", port])
                try router.ip(["link", "set", port, "up"])
                try node.ip(["addr", "add", "\(Self.nodeAddresses[index])/24", "dev", Self.interface])
                try node.ip(["link", "set", Self.interface, "up"])
                let otherSubnet = "10.254.\(2 - index).0/24"
                try node.ip(["route", "add", otherSubnet, "via", Self.routerAddresses[index]])
            }
        } catch {
            made.forEach { $0.delete() }
            directory.remove()
            throw error
        }
        router = made[0]
        nodes = Array(made.dropFirst())
    }

    /// Stops every process of the lab, then deletes its namespaces and files.
    func tearDown() {
        for process in vipd.values { process.stop() }
        vipd = [:]
        keepalived?.stop()
        keepalived = nil
        nodes.forEach { $0.delete() }
        router.delete()
        directory.remove()
    }

    /// Node `index`'s file: VI_1 unicast between the two node addresses, ha0 priority 100, ha1 50
    /// (and a listener on the VIP, which a config needs); its own control socket in the lab directory.
    func yaml(_ index: Int) -> String {
        """
        cluster:
          nodes:
            ha0: { address: \(Self.nodeAddresses[0]), priority: 100 }
            ha1: { address: \(Self.nodeAddresses[1]), priority: 50 }
        vrrp:
          VI_1:
            interface: \(Self.interface)
            router_id: 61
            version: 3
            advert_interval: 1s
            unicast: true
            virtual_addresses: [\(Self.vip)/32]
        listeners:
          ssh: { bind: "\(Self.vip):22", pool: ssh }
        pools:
          ssh: { servers: "nodes:22" }
        global: { control_socket: \(directory.file("ha\(index).sock").path) }
        """
    }

    /// Starts `vipd run --node haN` in node `index`'s namespace and waits for its ready line.
    func startVipd(_ index: Int) throws {
        vipd[index] = try VipdProcess(
            yaml: yaml(index), directory: directory, name: "vipd-ha\(index)-\(UInt32.random(in: 0...UInt32.max))",
            launcher: [NetworkNamespace.ipTool.path, "netns", "exec", nodes[index].name], arguments: ["--node", "ha\(index)"])
    }

    /// Node `index` dies: its vipd is SIGKILLed (no priority 0, the backup's down timer decides) and
    /// its link is deleted, with the VIP the dead vipd left on it.
    func killNode(_ index: Int) throws {
        guard let process = vipd[index] else { return }
        process.signal(SIGKILL)
        _ = process.waitForExit(timeout: 10)
        try nodes[index].ip(["link", "del", Self.interface])
    }

    /// Starts keepalived on node `index` with VI_1 unicast to the other node, like vipd's config.
    func startKeepalived(_ index: Int) throws -> KeepalivedProcess {
        let process = try KeepalivedProcess(
            name: "ha\(index)",
            config: KeepalivedProcess.config(
                routerName: "ha\(index)", priority: index == 0 ? 100 : 50, version: 3, password: nil,
                virtualAddress: "\(Self.vip)/32", virtualRouterID: 61,
                unicast: (source: Self.nodeAddresses[index], peers: [Self.nodeAddresses[1 - index]])),
            namespace: nodes[index], directory: directory)
        keepalived = process
        return process
    }

    /// Which nodes hold the VIP now (on any interface: a dead node has none).
    func holders() throws -> [Int] {
        try nodes.indices.filter { index in
            let output = try nodes[index].ip(["-o", "addr", "show"]).standardOutput
            return output.contains(" \(Self.vip)/32")
        }
    }

    /// Every vipd and keepalived log of the lab, for failure messages.
    func logs() -> String {
        let vipdLogs = vipd.keys.sorted().map { "--- vipd on ha\($0):\n\(vipd[$0]!.log)" }
        return (vipdLogs + (keepalived.map { ["--- keepalived:\n\($0.log)"] } ?? [])).joined(separator: "\n")
    }

    /// Node `index`'s vipd log.
    func vipdLog(_ index: Int) -> String { vipd[index]?.log ?? "" }
}
