import VipdCore

/// A cluster node named on the command line: `--node ha0=192.168.2.230`.
public struct NodeAddress: Sendable, Equatable {
    public var name: String
    public var address: IPAddress

    public init(name: String, address: IPAddress) {
        self.name = name
        self.address = address
    }

    /// Parses `NAME=ADDRESS`; nil when either part is missing or the address is not numeric.
    public init?(parsing text: String) {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let address = IPAddress(String(parts[1])) else { return nil }
        self.init(name: String(parts[0]), address: address)
    }
}
