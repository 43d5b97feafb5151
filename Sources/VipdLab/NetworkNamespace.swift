import CVipdSys
import Dispatch
import FoundationEssentials
import NIOConcurrencyHelpers
import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// A Linux network namespace made for one test run (`ip netns add`), deleted by `delete()`.
///
/// Names are unique per process and call, so tests may run in parallel. A namespace starts with
/// only its loopback (brought up here) and never gets a route outside the lab.
public final class NetworkNamespace: @unchecked Sendable {
    /// The `ip netns` name, e.g. `vipd-12345-a1b2c3-node0`.
    public let name: String
    private let lock = NIOLock()
    private var deleted = false

    /// Where iproute2's `ip` lives on Debian.
    public static let ipTool = URL(fileURLWithPath: "/usr/sbin/ip")

    /// Why namespaces cannot be used here, or nil when they can (root and iproute2 present).
    public static var unavailableReason: String? {
        if getuid() != 0 { return "network namespaces need root (CI runs as root)" }
        if !FileManager.default.isExecutableFile(atPath: ipTool.path) { return "iproute2 (\(ipTool.path)) is not installed" }
        return nil
    }

    /// A unique name with `suffix`: the prefix carries the pid and a random tag.
    public static func uniqueName(_ suffix: String) -> String {
        "vipd-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))-\(suffix)"
    }

    /// Creates the namespace named `name` and brings its loopback up.
    public init(name: String) throws {
        self.name = name
        try Self.ip(["netns", "add", name])
        do {
            try run(Self.ipTool, ["link", "set", "lo", "up"])
        } catch {
            delete()
            throw error
        }
    }

    /// Sends SIGKILL to every process in the namespace (`ip netns pids`); nothing once deleted.
    public func killRemainingProcesses() {
        guard !lock.withLock({ deleted }),
            let output = try? ProcessRunner.run(Self.ipTool, arguments: ["netns", "pids", name], timeout: .seconds(10))
        else { return }
        for pid in output.standardOutput.split(whereSeparator: \.isWhitespace).compactMap({ Int32($0) }) where pid > 1 {
            kill(pid, SIGKILL)
        }
    }

    /// Deletes the namespace (its interfaces go with it). Safe to call twice.
    public func delete() {
        let first = lock.withLock { () -> Bool in
            defer { deleted = true }
            return !deleted
        }
        if first { _ = try? ProcessRunner.run(Self.ipTool, arguments: ["netns", "delete", name], timeout: .seconds(10)) }
    }

    deinit { delete() }

    /// Runs `ip ARGUMENTS` in the root namespace, throwing when it fails.
    public static func ip(_ arguments: [String]) throws {
        try ProcessRunner.run(ipTool, arguments: arguments, timeout: .seconds(10)).requireSuccess()
    }

    /// Runs a program inside the namespace (`ip netns exec`), throwing when it exits non-zero.
    @discardableResult
    public func run(_ executable: URL, _ arguments: [String], timeout: Duration = .seconds(10)) throws -> ProcessRunner.Output {
        let output = try execute(executable, arguments, timeout: timeout)
        try output.requireSuccess()
        return output
    }

    /// Runs a program inside the namespace and returns its output whatever its exit status.
    public func execute(_ executable: URL, _ arguments: [String], timeout: Duration = .seconds(10)) throws -> ProcessRunner.Output {
        try ProcessRunner.run(Self.ipTool, arguments: ["netns", "exec", name, executable.path] + arguments, timeout: timeout)
    }

    /// `ip ARGUMENTS` inside the namespace.
    @discardableResult
    public func ip(_ arguments: [String]) throws -> ProcessRunner.Output {
        try run(Self.ipTool, arguments)
    }

    /// Runs `body` on a fresh thread that has entered the namespace (setns), and returns its result.
    ///
    /// Sockets created in `body` belong to the namespace for their whole life, so they can be used
    /// from any thread afterwards. The calling thread's namespace is untouched.
    public func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let descriptor = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LabError.systemCall(name: "open /run/netns/\(name)", errno: errno) }
        defer { close(descriptor) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, any Error>?
        try DetachedThread.start {
            defer { done.signal() }
            guard cvipd_enter_network_namespace(descriptor) == 0 else {
                result = .failure(LabError.systemCall(name: "setns \(self.name)", errno: errno))
                return
            }
            result = Result { try body() }
        }
        done.wait()
        return try result!.get()
    }
}
