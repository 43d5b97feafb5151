/// What `vipd ctl` asks the daemon to do.
public enum ControlCommand: Sendable, Equatable {
    /// The node, its VRRP instances, pools and the monitor's findings.
    case status
    /// Every server of every pool with health, admin state, weight and connections.
    case servers
    /// No new connections to the server; established ones continue; checks go on.
    case drain(ServerTarget)
    /// The server out of its pool and its health checks stopped.
    case maint(ServerTarget)
    /// With a server: back to taking connections (checks restart after `maint`). Without: ends
    /// the VRRP hold left by `handover`.
    case ready(ServerTarget?)
    /// The server's weight for new connections (0...256).
    case weight(ServerTarget, Int)
    /// Planned failover: give the virtual addresses away now, do not take them back until `ready`.
    case handover
    /// Reload the configuration file, as SIGHUP does.
    case reload

    /// The weights a server may have, as in the configuration's `weight`.
    public static let weights = 0...256

    /// The command's name on the command line and on the wire.
    public var name: String {
        switch self {
        case .status: "status"
        case .servers: "servers"
        case .drain: "drain"
        case .maint: "maint"
        case .ready: "ready"
        case .weight: "weight"
        case .handover: "handover"
        case .reload: "reload"
        }
    }

    /// The server the command acts on, if any.
    public var target: ServerTarget? {
        switch self {
        case .drain(let target), .maint(let target), .weight(let target, _): target
        case .ready(let target): target
        case .status, .servers, .handover, .reload: nil
        }
    }

    /// Builds a command from its name and arguments as typed after `vipd ctl`; the error says what
    /// is missing or wrong.
    public init(name: String, arguments: [String]) throws(ControlError) {
        func noArguments(_ command: ControlCommand) throws(ControlError) -> ControlCommand {
            guard arguments.isEmpty else { throw ControlError("\(name) takes no arguments") }
            return command
        }
        func oneTarget() throws(ControlError) -> ServerTarget {
            guard arguments.count == 1 else { throw ControlError("\(name) needs one POOL/SERVER") }
            return try ServerTarget(parsing: arguments[0])
        }
        switch name {
        case "status": self = try noArguments(.status)
        case "servers": self = try noArguments(.servers)
        case "handover": self = try noArguments(.handover)
        case "reload": self = try noArguments(.reload)
        case "drain": self = .drain(try oneTarget())
        case "maint": self = .maint(try oneTarget())
        case "ready":
            guard arguments.count <= 1 else { throw ControlError("ready takes at most one POOL/SERVER") }
            self = .ready(try arguments.first.map { text throws(ControlError) in try ServerTarget(parsing: text) })
        case "weight":
            guard arguments.count == 2 else { throw ControlError("weight needs POOL/SERVER and a weight, e.g. weight ssh/ha1 50") }
            guard let weight = Int(arguments[1]), Self.weights.contains(weight) else {
                throw ControlError("weight '\(arguments[1])' is not a whole number in \(Self.weights.lowerBound)...\(Self.weights.upperBound)")
            }
            self = .weight(try ServerTarget(parsing: arguments[0]), weight)
        default:
            throw ControlError("unknown command '\(name)'; commands: status, servers, drain, maint, ready, weight, handover, reload")
        }
    }
}
