/// The one-line `STATUS=` vipd shows in `systemctl status`: what phase it is in, each VRRP
/// instance's state and each pool's servers up, e.g. `MASTER VI_1; ssh 2/2 up`.
public struct StatusLine: Sendable, Equatable {
    /// What the daemon as a whole is doing.
    public enum Phase: Sendable, Equatable {
        case running
        case reloading
        case stopping
    }

    /// One VRRP instance: its name and state as logged (`MASTER`, `BACKUP`, `FAULT`, `INIT`).
    public struct Instance: Sendable, Equatable {
        public var name: String
        public var state: String

        public init(name: String, state: String) {
            self.name = name
            self.state = state
        }
    }

    /// One pool: servers taking traffic out of all servers.
    public struct Pool: Sendable, Equatable {
        public var name: String
        public var up: Int
        public var total: Int

        public init(name: String, up: Int, total: Int) {
            self.name = name
            self.up = up
            self.total = total
        }
    }

    public var phase: Phase
    public var instances: [Instance]
    public var pools: [Pool]

    public init(phase: Phase = .running, instances: [Instance], pools: [Pool]) {
        self.phase = phase
        self.instances = instances
        self.pools = pools
    }

    /// `stopping; MASTER VI_1, BACKUP VI_2; ssh 2/2 up, web 0/3 up`: the phase unless running,
    /// then the instances, then the pools, each sorted by name; `no pools, no VRRP` when empty.
    public var text: String {
        let instanceText = instances.sorted { $0.name < $1.name }.map { "\($0.state) \($0.name)" }.joined(separator: ", ")
        let poolText = pools.sorted { $0.name < $1.name }.map { "\($0.name) \($0.up)/\($0.total) up" }.joined(separator: ", ")
        var parts = [instanceText, poolText].filter { !$0.isEmpty }
        if parts.isEmpty { parts = ["no pools, no VRRP"] }
        switch phase {
        case .running: break
        case .reloading: parts.insert("reloading", at: 0)
        case .stopping: parts.insert("stopping", at: 0)
        }
        return parts.joined(separator: "; ")
    }
}
