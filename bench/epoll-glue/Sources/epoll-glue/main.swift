// epoll-glue LISTEN_PORT SERVER_PORT: on 127.0.0.1, one server connection per client connection, bytes
// passed both ways with recv/send on the thread that accepted the client, one epoll loop per CPU, Glibc only.
// Half-close, backpressure and errors as a proxy must handle them; no limits, timeouts or counters: the floor
// under a TCP mode on its own epoll loops, not a product.
import Glibc

let arguments = CommandLine.arguments
guard arguments.count == 3, let listenPort = UInt16(arguments[1]), let serverPort = UInt16(arguments[2]) else {
    let usage = "usage: epoll-glue LISTEN_PORT SERVER_PORT\n"
    _ = write(2, usage, usage.utf8.count)
    exit(2)
}
let loops = (0..<max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))).map { _ in
    EventLoop(listenPort: listenPort, serverPort: serverPort)
}
for loop in loops.dropFirst() { loop.runOnNewThread() }
loops[0].run()
