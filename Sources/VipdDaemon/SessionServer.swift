import CVipdSys
import FoundationEssentials
import Logging
import NIOCore
import NIOPosix
import UnixSignals
import VipdCore
import VipdHandoff
import VipdTransparent
import VipdNet
import VipdProxy

/// `vipd serve-sessions`: serves the TCP-mode sessions a stopping vipd handed over (on the socket
/// it inherited) until they end, or until the limit passes or SIGTERM comes (then the rest are
/// reset). Then, unless a new vipd took the kernel state over meanwhile, it removes the
/// addresses held on `lo` for them and vipd's tables.
public enum SessionServer {
    /// Serves the sessions arriving on `socket`; returns the exit status.
    public static func run(socket: CInt, logger: Logger) async -> Int32 {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let status = await serve(socket: socket, group: group, logger: logger)
        try? await group.shutdownGracefully()
        return status
    }

    private static func serve(socket: CInt, group: MultiThreadedEventLoopGroup, logger: Logger) async -> Int32 {
        let adopted = AdoptedConnections(group: group, logger: logger)
        let received: Received
        do {
            received = try await receive(from: socket, into: adopted, logger: logger)
        } catch {
            logger.error("serve-sessions: \(error)")
            _ = adopted.tracker.closeAll()
            return 1
        }
        let deadline = ContinuousClock.now + received.limit
        let (open, closed) = adopted.ended()
        var outcome = Outcome.allClosed
        if let closed {
            let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
            logger.notice(
                "serving \(open) session(s) handed over by vipd (pid \(received.parent)) until they end, at most \(received.limit.secondsText)")
            outcome = await firstOf(closed: closed, limit: received.limit, signals: signals)
            if outcome != .allClosed {
                let (reset, resetDone) = adopted.tracker.resetAll()
                _ = try? await resetDone?.get()
                logger.notice("reset \(reset) session(s) still open (\(outcome == .limit ? "session_drain_limit passed" : "stopped by a signal"))")
            } else {
                logger.notice("the last of \(open) session(s) ended")
            }
        }
        if outcome == .allClosed, TransparentProxying.sessionServer() == getpid() {
            await waitForTransparentConnections(until: deadline, logger: logger)
        }
        cleanUp(heldAddresses: received.heldAddresses, logger: logger)
        return 0
    }

    /// How often the connection tracker is asked whether transparent connections are still open.
    static let transparentPollInterval: Duration = .seconds(2)

    /// Keeps the transparent proxying state while connections that need it are open (the other
    /// nodes' connections to this node's servers, with their clients' addresses), until `deadline`,
    /// a signal, or a new vipd taking the state over.
    private static func waitForTransparentConnections(until deadline: ContinuousClock.Instant, logger: Logger) async {
        guard let first = TransparentProxying.openConnections(), first > 0 else { return }
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        logger.notice("keeping the transparent proxying state for \(first) open connection(s) until they end")
        let watching = Task {
            while ContinuousClock.now < deadline, TransparentProxying.sessionServer() == getpid(),
                (TransparentProxying.openConnections() ?? 0) > 0
            {
                try? await Task.sleep(for: transparentPollInterval)
                if Task.isCancelled { return Outcome.signal }
            }
            return ContinuousClock.now < deadline ? Outcome.allClosed : Outcome.limit
        }
        let signalled = Task {
            for await _ in signals { watching.cancel(); return }
        }
        let outcome = await watching.value
        signalled.cancel()
        switch outcome {
        case .allClosed: logger.notice("no transparent connection needs the state any more")
        case .limit: logger.notice("session_drain_limit passed with transparent connections still open: removing the state")
        case .signal: logger.notice("stopped by a signal with transparent connections still open: removing the state")
        }
    }

    private struct Received {
        var limit: Duration
        var heldAddresses: [IPAddress]
        var parent: Int32
    }

    /// Reads the start, every connection (adopting it at once) and the end.
    private static func receive(from socket: CInt, into adopted: AdoptedConnections, logger: Logger) async throws -> Received {
        var start: Received?
        while true {
            let (message, descriptors) = try await Task.detached { try readMessage(from: socket) }.value
            switch message {
            case .start(let limit, let held, let parent):
                start = Received(limit: .milliseconds(limit), heldAddresses: held.compactMap(IPAddress.init), parent: parent)
            case .connection(let details):
                guard descriptors.count == 2 else {
                    descriptors.forEach { close($0) }
                    logger.warning("serve-sessions: a connection arrived with \(descriptors.count) socket(s) instead of 2; dropped")
                    continue
                }
                do {
                    try await adopted.adopt(MovedConnection(clientDescriptor: descriptors[0], serverDescriptor: descriptors[1], details: details))
                } catch {
                    logger.warning("serve-sessions: cannot serve \(details.client) \(details.listener): \(error)")
                }
            case .end:
                guard let start else { throw WireFailure("the end came before the start") }
                close(socket)
                return start
            }
        }
    }

    private static func readMessage(from socket: CInt) throws -> (SessionServerMessage, [CInt]) {
        var buffer = [UInt8](repeating: 0, count: SessionServerMessage.maximumLength)
        var descriptors = [CInt](repeating: -1, count: 8)
        var count: CInt = 0
        let length = buffer.withUnsafeMutableBytes { bytes in
            cvipd_receive_with_fds(socket, bytes.baseAddress, bytes.count, &descriptors, 8, &count)
        }
        guard length > 0 else { throw WireFailure(length == 0 ? "vipd closed the socket before the end" : "recvmsg: \(String(cString: strerror(errno)))") }
        let received = Array(descriptors.prefix(Int(count)))
        do {
            return (try SessionServerMessage.decode(Array(buffer.prefix(length))), received)
        } catch {
            received.forEach { close($0) }
            throw WireFailure("an unreadable message: \(error)")
        }
    }

    private enum Outcome { case allClosed, limit, signal }

    private static func firstOf(closed: EventLoopFuture<Void>, limit: Duration, signals: UnixSignalsSequence) async -> Outcome {
        await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                _ = try? await closed.get()
                return .allClosed
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return .limit
            }
            group.addTask {
                for await _ in signals { return .signal }
                return .signal
            }
            let first = await group.next() ?? .signal
            group.cancelAll()
            return first
        }
    }

    /// Removes the held addresses from `lo` and vipd's tables, unless a new vipd owns them now (the
    /// tables' comment no longer names this process).
    private static func cleanUp(heldAddresses: [IPAddress], logger: Logger) {
        if TransparentProxying.sessionServer() == getpid() { TransparentProxying.removeKernelState(logger: logger) }
        guard let listing = try? KernelCommand.nft.run(["list", "table", "ip", HandoffRuleset.tableName]),
            HandoffRuleset.sessionServer(inListing: listing) == getpid()
        else { return }
        guard let netlink = try? RouteNetlink(), let loopback = try? netlink.interface(named: "lo") else { return }
        SessionHandoff.removeKernelState(heldAddresses: heldAddresses, netlink: netlink, loopbackIndex: loopback.index, logger: logger)
    }

    private struct WireFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
