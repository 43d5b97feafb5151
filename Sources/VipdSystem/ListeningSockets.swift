import VipdConfig

/// The listening TCP sockets of the calling thread's network namespace, with their owners.
public enum ListeningSockets {
    /// Reads `/proc/thread-self/net/tcp` and `tcp6` (a host without IPv6 has no tcp6) and names the owners
    /// of the listeners on `ports` (all listeners when nil) from `/proc/PID/fd`, within `timeLimit`.
    /// - Throws: `SystemCallError` when `/proc` cannot be read, `ProcNetTCP.ParseError` when a row is malformed.
    public static func current(ports: Set<Int>? = nil, timeLimit: Duration = .seconds(2)) throws -> [ListeningSocket] {
        let tables = ["/proc/thread-self/net/tcp"] + ["/proc/thread-self/net/tcp6"].filter(HostFile.exists)
        let records = try tables.flatMap { path in try ProcNetTCP.parse(try HostFile.read(path), source: path) }
        let listeners = records.filter { record in record.isListening && (ports?.contains(record.local.port) ?? true) }
        let owners = SocketOwnerScanner.owners(of: Set(listeners.map(\.inode)), timeLimit: timeLimit)
        return listeners.map { ListeningSocket(local: $0.local, inode: $0.inode, owners: owners[$0.inode]!) }
    }
}
