import FoundationEssentials
import Glibc

/// Where vipd's log records go: the native journal, with structured fields, when standard error
/// is connected to journald (systemd's documented rule: `$JOURNAL_STREAM` holds the
/// `device:inode` of that stream, compared with fstat(2) of fd 2); otherwise plain lines on
/// standard error.
public enum LogDestination: Sendable, Equatable {
    case journal
    case standardError

    /// A file's identity as fstat(2) gives it and `$JOURNAL_STREAM` spells it.
    public struct FileIdentity: Sendable, Equatable {
        public var device: UInt64
        public var inode: UInt64

        public init(device: UInt64, inode: UInt64) {
            self.device = device
            self.inode = inode
        }

        /// Parses `$JOURNAL_STREAM` (`DEVICE:INODE`, decimal); nil when malformed.
        public init?(journalStream: String) {
            let parts = journalStream.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
            self.init(device: device, inode: inode)
        }
    }

    /// The journal when `journalStream` names the file `standardError` is; standard error otherwise.
    public static func choose(journalStream: String?, standardError: FileIdentity?) -> LogDestination {
        guard let journalStream, let stream = FileIdentity(journalStream: journalStream), let standardError else {
            return .standardError
        }
        return stream == standardError ? .journal : .standardError
    }

    /// The destination for this process now: `$JOURNAL_STREAM` against fstat(2) of standard error.
    public static func current() -> LogDestination {
        var status = stat()
        let identity = fstat(STDERR_FILENO, &status) == 0
            ? FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)) : nil
        return choose(journalStream: ProcessInfo.processInfo.environment["JOURNAL_STREAM"], standardError: identity)
    }
}
