import NIOConcurrencyHelpers
import NIOCore

/// Server connections of a pool that finished a response and wait for another request
/// (`mode: http` with `server_reuse: safe`), per event loop and server: a connection is only ever
/// used on its own event loop, next to the client connection it serves.
///
/// The most recently parked connection is taken first, so under light load few connections stay
/// warm and the rest reach their idle timeout. A connection's owner (its `HTTPBackendHandler`)
/// removes it when it closes or times out while parked.
final class IdleServerConnections: Sendable {
    /// Most connections kept per server and event loop; more are closed instead of parked.
    static let limitPerServerAndLoop = 256

    /// A parked connection and the handler at the end of its pipeline, which serves its next request.
    struct Parked: Sendable {
        let channel: Channel
        let handler: NIOLoopBound<HTTPBackendHandler>
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

    /// Parks `channel`, a connection to server `server` ending in `handler`; false when the set for
    /// its loop and server is full (the caller closes the connection then).
    func park(_ channel: Channel, handler: HTTPBackendHandler, server: Int) -> Bool {
        let key = Key(loop: ObjectIdentifier(channel.eventLoop), server: server)
        let connection = Parked(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
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
