import NIOCore

extension Channel {
    /// The options of an HTTP-mode server connection, set synchronously on the channel's event loop
    /// (each option given to a bootstrap costs a future of its own): no read until the caller turns
    /// `autoRead` on, remote half-closure allowed, and TCP keepalive on, so that a server gone without
    /// a word is noticed.
    func setProxiedConnectionOptions() throws {
        guard let options = syncOptions else { return }
        try options.setOption(.autoRead, value: false)
        try options.setOption(.allowRemoteHalfClosure, value: true)
        try options.setOption(.socketOption(.so_keepalive), value: 1)
    }
}
