import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// A detached thread that waits for a socket to become readable and hands it to a handler,
/// until the socket is closed.
///
/// It blocks in `poll()` without a timeout on the socket and its ``SharedSocket/closeSignal``,
/// so an idle socket costs no wakeups and a `close()` from another thread ends it at once.
enum ReaderThread {
    /// Starts the thread. `onReadable` runs whenever `poll()` reports the socket readable (or
    /// in error); `onExit` runs once when the socket has been closed or `poll()` itself failed.
    static func start(
        socket: SharedSocket,
        onReadable: @escaping @Sendable () -> Void,
        onExit: @escaping @Sendable () -> Void
    ) throws(NetworkError) {
        do {
            try DetachedThread.start {
                defer { onExit() }
                while let descriptor = socket.currentDescriptor {
                    var entries = [
                        pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                        pollfd(fd: socket.closeSignal, events: Int16(POLLIN), revents: 0),
                    ]
                    let ready = poll(&entries, 2, -1)
                    if entries[1].revents != 0 {
                        return
                    } else if ready > 0 {
                        onReadable()
                    } else if ready < 0 && errno != EINTR {
                        return
                    }
                }
            }
        } catch {
            throw .systemCall("pthread_create (\(socket.purpose) reader)", interface: socket.interfaceName, errno: error.code)
        }
    }
}
