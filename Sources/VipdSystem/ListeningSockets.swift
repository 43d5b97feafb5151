import VipdConfig

/// The listening TCP sockets of the calling thread's network namespace, with their owners.
public enum ListeningSockets {
    /// Reads `/proc/thread-self/net/tcp` and `tcp6` (a host without IPv6 has no tcp6) and names the owners
    /// of the listeners on `ports` (all listeners when nil) from `/proc/PID/fd`, within `timeLimit`.
    /// The tables are read a line at a time and only their listeners kept: on a busy host they list
    /// every connection, megabytes that would stay in the daemon's heap.
    /// - Throws: `SystemCallError` when `/proc` cannot be read, `ProcNetTCP.ParseError` when a row is malformed.
    public static func current(ports: Set<Int>? = nil, timeLimit: Duration = .seconds(2)) throws -> [ListeningSocket] {
        let tables = ["/proc/thread-self/net/tcp"] + ["/proc/thread-self/net/tcp6"].filter(HostFile.exists)
        var listeners: [TCPSocketRecord] = []
        for path in tables {
            try HostFile.forEachLine(path) { line, number in
                guard let record = try ProcNetTCP.record(in: line, number: number, source: path),
                    record.isListening, ports?.contains(record.local.port) ?? true
                else { return }
                listeners.append(record)
            }
        }
        let owners = SocketOwnerScanner.owners(of: Set(listeners.map(\.inode)), timeLimit: timeLimit)
        return listeners.map { ListeningSocket(local: $0.local, inode: $0.inode, owners: owners[$0.inode]!) }
    }
}
