import VipdCore

/// A process holding a socket: its pid and its program name (`/proc/PID/comm`).
public struct SocketOwner: Sendable, Hashable, CustomStringConvertible {
    public let pid: Int32
    /// The program, e.g. `sshd`.
    public let program: String

    public init(pid: Int32, program: String) {
        self.pid = pid
        self.program = program
    }

    /// `sshd (pid 812)`.
    public var description: String { "\(program) (pid \(pid))" }
}

/// A listening TCP socket of this network namespace and the processes that hold it.
public struct ListeningSocket: Sendable, Hashable {
    /// Who holds a socket, as far as this process can see.
    public enum Owners: Sendable, Hashable {
        /// The processes with a descriptor for the socket (usually one; several after a fork).
        case known([SocketOwner])
        /// No process could be named, and why, e.g. `owner unknown (needs root)`.
        case unknown(String)
    }

    /// The bound address and port.
    public let local: SocketEndpoint
    /// The socket's inode.
    public let inode: UInt64
    public let owners: Owners

    public init(local: SocketEndpoint, inode: UInt64, owners: Owners) {
        self.local = local
        self.inode = inode
        self.owners = owners
    }
}
