import NIOConcurrencyHelpers
import NIOCore

/// Server connections of a pool that finished a response and wait for another request
/// (`mode: http` with `server_reuse: safe`), per event loop and server: a connection is only ever
/// used on its own event loop, next to the client connection it serves.
///
/// The most recently parked connection is taken first, so under light load few connections stay
/// warm and the rest reach their idle timeout. A connection's owner (its `HTTPBackendHandler`)
/// removes it when it closes or times out while parked.
///
/// A client connection first keeps the server connection of its last response for itself (held,
/// outside this set, see `HTTPProxyHandler`): its next request to the same server takes it without
/// this set's lock. It comes here when the client's next request goes to another server, or the
/// client leaves.
final class IdleServerConnections: Sendable {
    /// Most connections kept per server and event loop; more are closed instead of parked.
    static let limitPerServerAndLoop = 256

    /// A parked connection to server `server` and the handler at the end of its pipeline, which
    /// serves its next request.
    struct Parked: Sendable {
        let channel: Channel
        let handler: NIOLoopBound<HTTPBackendHandler>
        let server: Int

        init(channel: Channel, handler: HTTPBackendHandler, server: Int) {
            self.channel = channel
            self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
            self.server = server
        }
    }

    private struct Key: Hashable {
        let loop: ObjectIdentifier
        let server: Int
    }

    private let parked = NIOLockedValueBox<[Key: [Parked]]>([:])

    init() {}

    /// Takes a parked, still open connection to server `server` on `eventLoop`; nil when there is none.
    func take(server: Int, on eventLoop: any EventLoop) -> Parked? {
        let key = Key(loop: ObjectIdentifier(eventLoop), server: server)
        return parked.withLockedValue { parked in
            while let connection = parked[key]?.popLast() {
                if connection.channel.isActive { return connection }
            }
            return nil
        }
    }

    /// A parked, still open connection to server `server` on `eventLoop`: `held`, a client's own,
    /// when it is one, else one from this set; nil when there is none.
    func take(server: Int, on eventLoop: any EventLoop, preferring held: Parked?) -> Parked? {
        if let held, held.server == server, held.channel.isActive { return held }
        return take(server: server, on: eventLoop)
    }

    /// Parks `connection`; false when the set for its loop and server is full (the caller closes the
    /// connection then).
    func park(_ connection: Parked) -> Bool {
        let key = Key(loop: ObjectIdentifier(connection.channel.eventLoop), server: connection.server)
        return parked.withLockedValue { parked in
            guard parked[key, default: []].count < Self.limitPerServerAndLoop else { return false }
            parked[key, default: []].append(connection)
            return true
        }
    }

    /// Forgets `channel` if it is parked (it closed, misbehaved or waited too long).
    func remove(_ channel: Channel, server: Int) {
        let key = Key(loop: ObjectIdentifier(channel.eventLoop), server: server)
        parked.withLockedValue { parked in
            parked[key]?.removeAll { $0.channel === channel }
        }
    }

    /// How many connections are parked now, over every server and loop.
    var count: Int {
        parked.withLockedValue { $0.values.reduce(0) { $0 + $1.count } }
    }
}
