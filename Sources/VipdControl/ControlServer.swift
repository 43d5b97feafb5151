import FoundationEssentials
import Logging
import NIOCore
import NIOPosix

/// The daemon's control socket: a unix stream socket, mode 0600, answering `vipd ctl` one
/// request per connection (see ``ControlWire``) through `respond`.
public final class ControlServer: Sendable {
    /// Where the socket lives.
    public let path: String
    private let channel: any Channel
    private let inode: UInt64

    private init(path: String, channel: any Channel, inode: UInt64) {
        self.path = path
        self.channel = channel
        self.inode = inode
    }

    /// Creates the socket at `path` (and its directory, mode 0755, when missing) and starts answering.
    /// A socket file left by an earlier run is replaced; one that a running vipd still answers on,
    /// or a file that is not a socket, is an error saying so.
    public static func start(
        path: String, group: any EventLoopGroup, logger: Logger,
        respond: @escaping @Sendable (ControlRequest) async -> ControlResponse
    ) async throws(ControlError) -> ControlServer {
        try await prepare(path)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ControlConnectionHandler(logger: logger, respond: respond))
                    }
                }
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        } catch {
            throw ControlError("cannot create the control socket \(path): \(error)")
        }
        var status = stat()
        guard chmod(path, 0o600) == 0, lstat(path, &status) == 0 else {
            let problem = String(cString: strerror(errno))
            try? await channel.close()
            throw ControlError("cannot make the control socket \(path) root-only: \(problem)")
        }
        return ControlServer(path: path, channel: channel, inode: UInt64(status.st_ino))
    }

    /// Stops answering and removes the socket file (unless another process replaced it meanwhile).
    public func close() async {
        try? await channel.close()
        var status = stat()
        if lstat(path, &status) == 0, UInt64(status.st_ino) == inode { unlink(path) }
    }

    /// Makes the directory, and refuses a path a live vipd answers on or that is not a socket.
    private static func prepare(_ path: String) async throws(ControlError) {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? ""
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } catch {
                throw ControlError("cannot create \(directory) for the control socket: \(reason(error))")
            }
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw ControlError("\(path) exists and is not a socket; remove it or set global.control_socket to another path")
        }
        if await ControlClient.answers(at: path) {
            throw ControlError("another vipd answers on the control socket \(path); set global.control_socket to another path")
        }
    }

    /// What failed under a FileManager error: strerror(3) of its system call, else the error itself.
    private static func reason(_ error: any Error) -> String {
        guard let code = ((error as? CocoaError)?.underlying as? POSIXError)?.code else { return "\(error)" }
        return String(cString: strerror(code.rawValue))
    }
}
