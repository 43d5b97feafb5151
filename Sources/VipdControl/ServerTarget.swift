/// One server of one pool, as `vipd ctl` names it: `POOL/SERVER`.
public struct ServerTarget: Sendable, Equatable, Codable, CustomStringConvertible {
    public var pool: String
    public var server: String

    public init(pool: String, server: String) {
        self.pool = pool
        self.server = server
    }

    /// Reads `POOL/SERVER`; both parts must be non-empty and there must be exactly one `/`.
    public init(parsing text: String) throws(ControlError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ControlError("'\(text)' is not POOL/SERVER (e.g. ssh/ha1); `vipd ctl servers` lists them")
        }
        self.init(pool: String(parts[0]), server: String(parts[1]))
    }

    /// `POOL/SERVER`.
    public var description: String { "\(pool)/\(server)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
