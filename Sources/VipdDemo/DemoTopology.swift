import VipdConfig
import VipdVRRP
import VipdVRRPPacket

/// Who is who in the demo, read from the parsed configuration: the nodes in file order with their
/// addresses, priorities and VRRP timers, the VIP and its SSH listener, and the master-to-be.
public struct DemoTopology: Sendable, Equatable {
    /// One node of the story.
    public struct Node: Sendable, Equatable {
        /// The node name from `cluster.nodes`, e.g. `ha0`.
        public let name: String
        /// The node's own address, where its sshd listens.
        public let address: String
        /// Its VRRP priority.
        public let priority: Int
        /// How long it waits, as backup, without an advertisement before taking over.
        public let masterDownInterval: Duration
    }

    /// The nodes in file order.
    public let nodes: [Node]
    /// The virtual address, e.g. `10.251.1.100`.
    public let vip: String
    /// The port of the listener on the VIP (22).
    public let port: Int
    /// The pool behind that listener (`ssh`), whose servers are the nodes' sshd.
    public let pool: String
    /// The VRRP instance's interface.
    public let interface: String
    /// The VRRP instance's router id.
    public let routerID: Int

    /// Reads the topology out of `configuration` and checks that it fits the lab it will run in:
    /// node i at `labAddresses[i]`, VRRP on `labInterface`, one VIP with a listener on it.
    /// - Throws: `DemoTopologyError` naming the mismatch.
    public init(configuration: VipdConfiguration, labAddresses: [String], labInterface: String) throws {
        guard configuration.nodes.count == labAddresses.count else {
            throw DemoTopologyError("the lab has \(labAddresses.count) nodes, the configuration \(configuration.nodes.count)")
        }
        guard configuration.vrrp.count == 1, let instance = configuration.vrrp.first,
            instance.virtualAddresses.count == 1, let vip = instance.virtualAddresses.first
        else { throw DemoTopologyError("the demo needs exactly one VRRP instance with one virtual address") }
        guard instance.interface == labInterface else {
            throw DemoTopologyError("VRRP runs on \(instance.interface), the lab's interface is \(labInterface)")
        }
        guard let listener = configuration.listeners.first(where: { $0.bind.address == vip.address }) else {
            throw DemoTopologyError("no listener binds the VIP \(vip.address)")
        }
        guard let version = VRRPVersion(rawValue: instance.version) else {
            throw DemoTopologyError("VRRP version \(instance.version) is not 2 or 3")
        }
        nodes = try zip(configuration.nodes, labAddresses).map { node, labAddress in
            guard node.address.description == labAddress else {
                throw DemoTopologyError("\(node.name) has address \(node.address), the lab gives it \(labAddress)")
            }
            let interval = VRRPTimers.masterDownInterval(
                version: version, priority: UInt8(clamping: node.priority),
                masterAdvertisementInterval: instance.advertisementInterval)
            return Node(name: node.name, address: labAddress, priority: node.priority, masterDownInterval: interval)
        }
        self.vip = vip.address.description
        port = listener.bind.port
        pool = listener.pool
        interface = instance.interface
        routerID = instance.virtualRouterID
    }

    /// The index of the node with the highest priority (the first such in file order): the master.
    public var masterIndex: Int {
        var best = 0
        for index in nodes.indices where nodes[index].priority > nodes[best].priority { best = index }
        return best
    }

    /// The index of the other node of a pair: the backup.
    public var backupIndex: Int { nodes.indices.first { $0 != masterIndex }! }

    /// The index of the node whose address is `address`, if any.
    public func index(ofAddress address: String) -> Int? {
        nodes.firstIndex { $0.address == address }
    }

    /// `ha1 (10.251.1.12)`: how the monitor labels a node, given a config.
    public func label(_ index: Int) -> String { "\(nodes[index].address) (\(nodes[index].name))" }
}

/// The embedded configuration does not fit the lab (a programming error, reported plainly).
public struct DemoTopologyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What does not fit.
    public let description: String

    init(_ description: String) { self.description = description }
}
