import FoundationEssentials
import VipdCore

/// How sshd gets its listening sockets on this host, which decides what makes a new `ListenAddress`
/// take effect.
///
/// Ubuntu 22.10 and later start sshd through systemd socket activation: `ssh.socket` holds port 22
/// (by default `[::]:22`, which covers IPv4 too) and hands it to sshd, so restarting `ssh.service`
/// changes nothing about where port 22 is held. From Ubuntu 24.04 on, openssh-server ships
/// `sshd-socket-generator`, which systemd runs at `systemctl daemon-reload` and which writes
/// `ListenStream=` lines for sshd_config's `ListenAddress` and `Port` into
/// `/run/systemd/generator/ssh.socket.d/addresses.conf`; `systemctl restart ssh.socket` then listens
/// there. Without the generator (Ubuntu 22.10 to 23.10, or a socket unit enabled by hand) the
/// socket unit never reads sshd_config and needs a drop-in of its own.
public enum SSHDActivation: Sendable, Hashable {
    /// sshd opens its own sockets: restarting its service applies a new `ListenAddress`.
    case daemon
    /// The systemd socket unit `name` (`ssh.socket`) listens for sshd; `generator` tells whether
    /// `sshd-socket-generator` carries sshd_config's `ListenAddress` to it.
    case socketUnit(name: String, generator: Bool)

    /// What `current()` reads, apart from the decision.
    public struct Facts: Sendable, Hashable {
        /// sshd's socket unit installed on this host (`ssh.socket`, else `sshd.socket`), if any.
        public var socketUnit: String?
        /// The unit is enabled (linked into `sockets.target.wants`): it listens from the next boot on.
        public var enabled: Bool
        /// systemd's word on whether it is active now; nil when systemctl cannot tell (no systemd as PID 1).
        public var active: Bool?
        /// systemd itself holds a listening socket on port 22 (seen in /proc, owner `systemd`).
        public var systemdHoldsPort22: Bool
        /// `sshd-socket-generator` is installed among systemd's system generators.
        public var generatorInstalled: Bool

        public init(socketUnit: String?, enabled: Bool, active: Bool?, systemdHoldsPort22: Bool, generatorInstalled: Bool) {
            self.socketUnit = socketUnit
            self.enabled = enabled
            self.active = active
            self.systemdHoldsPort22 = systemdHoldsPort22
            self.generatorInstalled = generatorInstalled
        }
    }

    /// The decision (pure): socket-activated when sshd's socket unit is active, or enabled, or (when
    /// systemd cannot be asked) when systemd holds port 22; an installed unit that systemd says is
    /// inactive and that is not enabled leaves sshd to listen itself.
    public init(_ facts: Facts) {
        guard let unit = facts.socketUnit else {
            self = .daemon
            return
        }
        let socketActivated: Bool
        switch facts.active {
        case true?: socketActivated = true
        case false?: socketActivated = facts.enabled
        case nil: socketActivated = facts.enabled || facts.systemdHoldsPort22
        }
        self = socketActivated ? .socketUnit(name: unit, generator: facts.generatorInstalled) : .daemon
    }

    /// The socket unit's name, nil for `.daemon`.
    public var unitName: String? {
        guard case .socketUnit(let name, _) = self else { return nil }
        return name
    }

    /// The shell lines that make sshd listen on `addresses` (port 22) after the snippet is written, in order
    /// (for a daemon: the two alternatives, each with its distributions after `#`).
    public func applyCommands(addresses: [IPAddress]) -> [String] {
        switch self {
        case .daemon:
            return ["systemctl restart ssh     # Debian, Ubuntu", "systemctl restart sshd    # RHEL, Rocky, Alma"]
        case .socketUnit(let name, generator: true):
            return [
                "systemctl daemon-reload",
                "systemctl restart \(name)",
            ]
        case .socketUnit(let name, generator: false):
            let listens = addresses.map { "ListenStream=\(SocketEndpoint(address: $0, port: 22))\\n" }.joined()
            return [
                "mkdir -p \(Self.dropInDirectory(unit: name))",
                "printf '[Socket]\\nListenStream=\\n\(listens)FreeBind=yes\\n' > \(Self.dropInPath(unit: name))",
                "systemctl daemon-reload",
                "systemctl restart \(name)",
            ]
        }
    }

    /// What `vipd sshd-snippet --write` says to do next so that sshd listens only on `addresses`: why,
    /// then `applyCommands`, indented.
    public func nextSteps(addresses: [IPAddress]) -> String {
        let list = addresses.map(\.description).joined(separator: " and ")
        let why: String
        switch self {
        case .daemon:
            why = "Next, restart sshd so that it listens only on \(list):"
        case .socketUnit(let unit, generator: true):
            why = """
                sshd is socket-activated: \(unit) holds port 22, and restarting the ssh service does not move it.
                Next, let sshd-socket-generator carry the ListenAddress to \(unit), then restart it, so that it listens only on \(list):
                """
        case .socketUnit(let unit, generator: false):
            why = """
                sshd is socket-activated: \(unit) holds port 22, and without sshd-socket-generator it does not read sshd_config.
                Next, give \(unit) the same addresses in a drop-in, then restart it, so that it listens only on \(list):
                """
        }
        return ([why] + applyCommands(addresses: addresses).map { "  " + $0 }).joined(separator: "\n")
    }

    /// The one line to append to "vipd sshd-snippet --write, then …" in a fix.
    public var applyInOneLine: String {
        switch self {
        case .daemon: return "systemctl restart ssh (sshd on RHEL)"
        case .socketUnit(let name, generator: true): return "systemctl daemon-reload && systemctl restart \(name)"
        case .socketUnit(let name, generator: false):
            return "give \(name) the node's address in \(Self.dropInPath(unit: name)) (vipd sshd-snippet --write prints it), "
                + "then systemctl daemon-reload && systemctl restart \(name)"
        }
    }

    /// The drop-in directory of a socket unit.
    static func dropInDirectory(unit: String) -> String { "/etc/systemd/system/\(unit).d" }

    /// The drop-in that sets a socket unit's addresses where no generator does.
    static func dropInPath(unit: String) -> String { dropInDirectory(unit: unit) + "/addresses.conf" }

    /// The socket units that start sshd: Ubuntu's and Debian's, then RHEL's.
    static let socketUnitNames = ["ssh.socket", "sshd.socket"]

    /// Reads the facts under `root` (the real system when empty) and, on the real system only, asks
    /// `systemctl is-active`; `listening` are the sockets already read for port 22, when the caller has them.
    public static func facts(
        root: String = "", listening: [ListeningSocket]? = nil, systemctl: String = "/usr/bin/systemctl"
    ) -> Facts {
        let unitDirectories = ["/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"]
        let unit = socketUnitNames.first { name in
            unitDirectories.contains { HostFile.exists("\(root)\($0)/\(name)") }
        }
        let enabled = unit.map { HostFile.exists("\(root)/etc/systemd/system/sockets.target.wants/\($0)") } ?? false
        let generator = ["/usr/lib/systemd/system-generators", "/lib/systemd/system-generators"].contains {
            HostFile.exists("\(root)\($0)/sshd-socket-generator")
        }
        let port22 = listening ?? ((try? ListeningSockets.current(ports: [22])) ?? [])
        let systemdHolds = port22.contains { socket in
            guard socket.local.port == 22, case .known(let owners) = socket.owners else { return false }
            return owners.contains { $0.program == "systemd" }
        }
        let active = unit.flatMap { root.isEmpty ? isActive($0, systemctl: systemctl) : nil }
        return Facts(socketUnit: unit, enabled: enabled, active: active, systemdHoldsPort22: systemdHolds, generatorInstalled: generator)
    }

    /// This host's activation.
    public static func current() -> SSHDActivation { SSHDActivation(facts()) }

    /// `systemctl is-active UNIT`: true for `active`, false for `inactive`/`failed`, nil when systemd
    /// cannot be asked (not PID 1, no systemctl) or takes longer than two seconds.
    static func isActive(_ unit: String, systemctl: String) -> Bool? {
        guard FileManager.default.isExecutableFile(atPath: systemctl) else { return nil }
        let outcome = ProcessLauncher(systemctl, arguments: ["is-active", unit], timeout: .seconds(2)).runBlockingThisThread()
        if case .timedOut = outcome.end { return nil }
        if case .notStarted = outcome.end { return nil }
        return isActiveAnswer(outcome.standardOutput)
    }

    /// What `systemctl is-active` printed, as a verdict (pure): nil for anything but a unit state
    /// (e.g. "System has not been booted with systemd", "offline").
    static func isActiveAnswer(_ text: String) -> Bool? {
        switch text.trimmingWhitespace() {
        case "active", "reloading", "activating", "refreshing": return true
        case "inactive", "failed", "deactivating": return false
        default: return nil
        }
    }
}
