import FoundationEssentials
import NIOCore

/// A TCP-mode connection handed, open, from a stopping vipd to the process that goes on serving
/// it: the client's and the server's socket, and what its log line needs.
public struct MovedConnection: Sendable {
    /// What travels with the two sockets (as JSON).
    public struct Details: Codable, Sendable, Equatable {
        public var client: String
        public var listener: String
        public var pool: String
        public var server: String
        /// Milliseconds the connection had lasted when it was handed on.
        public var ageMilliseconds: Int64
        public var bytesFromClient: Int
        public var bytesFromServer: Int
        /// The listener's idle timeout, in milliseconds.
        public var idleTimeoutMilliseconds: Int64

        public init(
            client: String, listener: String, pool: String, server: String, ageMilliseconds: Int64, bytesFromClient: Int,
            bytesFromServer: Int, idleTimeoutMilliseconds: Int64
        ) {
            self.client = client
            self.listener = listener
            self.pool = pool
            self.server = server
            self.ageMilliseconds = ageMilliseconds
            self.bytesFromClient = bytesFromClient
            self.bytesFromServer = bytesFromServer
            self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
        }
    }

    /// The accepted socket (this process owns it: pass it on or close it).
    public var clientDescriptor: CInt
    /// The socket to the server (owned likewise).
    public var serverDescriptor: CInt
    public var details: Details

    public init(clientDescriptor: CInt, serverDescriptor: CInt, details: Details) {
        self.clientDescriptor = clientDescriptor
        self.serverDescriptor = serverDescriptor
        self.details = details
    }
}
