/// One request's hold on the server the balancer picked for it (`mode: http`): counted against the
/// server (for `leastconn`, the stats page and metrics) from the moment the request is attached to
/// a server connection until `end`, whether that connection is then closed or parked for reuse.
/// A value kept in the request's exchange (no allocation per request); confined to the client
/// channel's event loop.
struct ServerLease {
    let pick: PoolRuntime.Pick
    private let pool: PoolRuntime
    private var ended = false

    /// Takes over the count `pool.pick` made for `pick`, and counts one request in the server's traffic.
    init(pool: PoolRuntime, pick: PoolRuntime.Pick) {
        self.pool = pool
        self.pick = pick
        pick.traffic.requestStarted()
    }

    /// The server's traffic counters.
    var traffic: ServerTraffic { pick.traffic }

    /// Releases the server; later calls do nothing.
    mutating func end() {
        guard !ended else { return }
        ended = true
        pool.release(pick.index)
        pick.traffic.ended()
    }
}
