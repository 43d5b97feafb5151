import CSystemd
import FoundationEssentials

/// Tells the service manager about vipd's state through libsystemd's sd_notify: READY, STATUS,
/// WATCHDOG, RELOADING, STOPPING. Does nothing when `$NOTIFY_SOCKET` is unset (vipd started by
/// hand or by a unit that is not `Type=notify`).
public final class ServiceNotifier: Sendable {
    /// Whether a service manager listens (`$NOTIFY_SOCKET` is set).
    public let isEnabled: Bool
    /// `WatchdogSec=` as passed in `$WATCHDOG_USEC` (sd_watchdog_enabled(3)); nil when the
    /// watchdog is off or meant for another process (`$WATCHDOG_PID`).
    public let watchdogTimeout: Duration?

    /// Reads the process environment.
    public init() {
        isEnabled = !(ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] ?? "").isEmpty
        var microseconds: UInt64 = 0
        watchdogTimeout =
            isEnabled && sd_watchdog_enabled(0, &microseconds) > 0 && microseconds > 0
            ? .microseconds(Int64(clamping: microseconds)) : nil
    }

    /// The interval between two watchdog pings: half the timeout, as sd_watchdog_enabled(3) advises.
    public var watchdogPingInterval: Duration? { watchdogTimeout.map { $0 / 2 } }

    /// Sends `messages` in one datagram. Returns false when it could not be sent (the manager is
    /// gone); true when sent or when notifications are off.
    @discardableResult
    public func send(_ messages: NotifyMessage...) -> Bool {
        send(messages)
    }

    /// Sends `messages` in one datagram (see the variadic form).
    @discardableResult
    public func send(_ messages: [NotifyMessage]) -> Bool {
        guard isEnabled, !messages.isEmpty else { return true }
        return sd_notify(0, NotifyMessage.datagram(messages)) >= 0
    }
}
