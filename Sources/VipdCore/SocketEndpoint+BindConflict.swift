extension SocketEndpoint {
    /// Whether two listeners could not both bind these endpoints: the same address and port, or the
    /// same port and address family where one address is the wildcard (`0.0.0.0`, `::`).
    public func conflicts(with other: SocketEndpoint) -> Bool {
        guard port == other.port, address.family == other.address.family else { return false }
        return address == other.address || address.isWildcard || other.address.isWildcard
    }
}
