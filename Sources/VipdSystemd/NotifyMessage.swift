/// One field of a service notification (sd_notify(3)); several travel in one datagram.
public enum NotifyMessage: Sendable, Equatable {
    /// `READY=1`: start-up (or a reload) finished; systemd marks the unit active.
    case ready
    /// `RELOADING=1`: a reload began; follow it with `.ready` when it is done.
    case reloading
    /// `STOPPING=1`: graceful shutdown began.
    case stopping
    /// `WATCHDOG=1`: the keep-alive ping for `WatchdogSec=`.
    case watchdog
    /// `STATUS=…`: one line shown by `systemctl status`.
    case status(String)

    /// The `KEY=value` text of this field; a status has its line breaks replaced by spaces.
    public var field: String {
        switch self {
        case .ready: "READY=1"
        case .reloading: "RELOADING=1"
        case .stopping: "STOPPING=1"
        case .watchdog: "WATCHDOG=1"
        case .status(let text): "STATUS=" + text.split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }

    /// The datagram carrying `messages`: their fields, one per line, in order.
    public static func datagram(_ messages: [NotifyMessage]) -> String {
        messages.map(\.field).joined(separator: "\n")
    }
}
