import NIOCore

extension Channel {
    /// The options of both channels of a proxied connection, set synchronously on the channel's
    /// event loop (each option given to a bootstrap costs a future of its own): no read until the
    /// caller turns `autoRead` on, remote half-closure allowed, and TCP keepalive on, so that a peer
    /// gone without a word (a long idle ssh session) is noticed.
    func setProxiedConnectionOptions() throws {
        guard let options = syncOptions else { return }
        try options.setOption(.autoRead, value: false)
        try options.setOption(.allowRemoteHalfClosure, value: true)
        try options.setOption(.socketOption(.so_keepalive), value: 1)
    }
}
