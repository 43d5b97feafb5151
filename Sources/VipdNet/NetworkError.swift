#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong in vipd's Linux network I/O.
///
/// Each case names the operation (the system call with its option, or the rtnetlink request
/// with its address), the interface concerned and the kernel's error, so the message alone
/// is enough to diagnose a failure.
public enum NetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed. `call` names it with its option, e.g. `setsockopt(IP_ADD_MEMBERSHIP 224.0.0.18)`;
    /// `interface` is the interface's name (or `index N`), nil when no interface is involved.
    case systemCall(_ call: String, interface: String?, errno: Int32)
    /// The kernel refused an rtnetlink request such as `RTM_NEWADDR 10.0.0.5/24`; `reason` is the
    /// kernel's extended-acknowledgement text when it sent one.
    case netlinkRequest(_ request: String, interface: String?, errno: Int32, reason: String?)
    /// No interface with this name exists in the caller's network namespace.
    case interfaceNotFound(String)
    /// The interface has no usable IPv6 link-local address (none yet, or duplicate address detection is still running).
    case noLinkLocalAddress(interface: String)
    /// A value passed in does not fit the operation (wrong address family, no Ethernet address, ...).
    case invalidArgument(String)
    /// A netlink message from the kernel could not be decoded.
    case malformedNetlinkMessage(String)
    /// The socket was already closed with `close()` or `stop()`.
    case closed(String)

    /// One line: what failed, where, and the C error text with its number.
    public var description: String {
        switch self {
        case let .systemCall(call, interface, errno):
            return "\(call)\(Self.on(interface)) failed: \(Self.text(errno))"
        case let .netlinkRequest(request, interface, errno, reason):
            let kernel = reason.map { " (kernel: \($0))" } ?? ""
            return "rtnetlink \(request)\(Self.on(interface)) failed: \(Self.text(errno))\(kernel)"
        case let .interfaceNotFound(name):
            return "no network interface named '\(name)' in this network namespace"
        case let .noLinkLocalAddress(interface):
            return "interface \(interface) has no usable IPv6 link-local address (none, or duplicate address detection still running)"
        case let .invalidArgument(text):
            return "invalid argument: \(text)"
        case let .malformedNetlinkMessage(text):
            return "malformed netlink message from the kernel: \(text)"
        case let .closed(what):
            return "\(what) is closed"
        }
    }

    private static func on(_ interface: String?) -> String {
        interface.map { " on \($0)" } ?? ""
    }

    private static func text(_ errno: Int32) -> String {
        "\(String(cString: strerror(errno))) (errno \(errno))"
    }
}
