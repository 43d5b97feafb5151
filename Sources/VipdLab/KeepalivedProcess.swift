import FoundationEssentials
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Debian's keepalived (VRRP only) running in a lab network namespace with a config of the test's,
/// logging to a file; stopped by `stop()` (SIGTERM, as `systemctl stop keepalived`) or on deinit.
public final class KeepalivedProcess: @unchecked Sendable {
    /// Where Debian installs keepalived.
    public static let executable = URL(fileURLWithPath: "/usr/sbin/keepalived")

    /// True when keepalived is installed.
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable.path) }

    /// keepalived's console log (`-l -D`).
    public let logURL: URL
    private let configURL: URL
    private let directory: LabDirectory
    private let name: String
    private let namespace: NetworkNamespace
    private let lock = NIOLock()
    private var process: ChildProcess?

    /// Writes `config` as NAME.keepalived.conf and starts `keepalived -n -l -D -G -P` in `namespace`.
    public init(name: String, config: String, namespace: NetworkNamespace, directory: LabDirectory) throws {
        self.name = name
        self.namespace = namespace
        self.directory = directory
        configURL = directory.file("\(name).keepalived.conf")
        logURL = directory.file("\(name).keepalived.log")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        try start()
    }

    deinit { stop() }

    /// Everything keepalived logged so far.
    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// True while keepalived runs.
    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Starts keepalived again (after `stop()`).
    public func start() throws {
        let child = try ChildProcess.spawn(
            NetworkNamespace.ipTool,
            arguments: [
                "netns", "exec", namespace.name, Self.executable.path, "-n", "-l", "-D", "-G", "-P",
                "-f", configURL.path, "-p", directory.file("\(name).keepalived.pid").path,
                "-r", directory.file("\(name).keepalived-vrrp.pid").path,
            ],
            appendingOutputTo: logURL)
        lock.withLock { process = child }
    }

    /// SIGTERM (keepalived sends priority 0 and removes its addresses), SIGKILL after ten seconds.
    public func stop() {
        let running = lock.withLock { () -> ChildProcess? in
            defer { process = nil }
            return process
        }
        running?.terminate(grace: .seconds(10))
    }

    /// A keepalived.conf with one `vrrp_instance VI_1` on eth0 like seed 001's; with `unicast`, its
    /// `unicast_src_ip` and `unicast_peer` list instead of multicast.
    public static func config(
        routerName: String, priority: Int, version: Int, password: String?, virtualAddress: String,
        virtualRouterID: Int = 51, advertInterval: String = "1", unicast: (source: String, peers: [String])? = nil
    ) -> String {
        let authentication = password.map {
            "    authentication {\n        auth_type PASS\n        auth_pass \($0)\n    }\n"
        } ?? ""
        let unicastLines = unicast.map { unicast in
            "    unicast_src_ip \(unicast.source)\n    unicast_peer {\n"
                + unicast.peers.map { "        \($0)\n" }.joined() + "    }\n"
        } ?? ""
        return """
            global_defs {
                router_id \(routerName)
                vrrp_version \(version)
            }
            vrrp_instance VI_1 {
                state BACKUP
                interface eth0
                virtual_router_id \(virtualRouterID)
                priority \(priority)
                advert_int \(advertInterval)
            \(authentication)\(unicastLines)    virtual_ipaddress {
                    \(virtualAddress) dev eth0
                }
            }

            """
    }
}
