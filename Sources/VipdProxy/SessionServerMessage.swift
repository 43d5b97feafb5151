import FoundationEssentials

/// The messages a stopping vipd sends to `vipd serve-sessions` on a unix `SOCK_SEQPACKET` socket,
/// one JSON object per message: the start (limit, held addresses), each connection (its details,
/// with its two sockets attached), and the end.
public enum SessionServerMessage: Codable, Equatable, Sendable {
    /// The first message.
    case start(limitMilliseconds: Int64, heldAddresses: [String], parent: Int32)
    /// One connection; its client and server sockets travel with the message, in that order.
    case connection(MovedConnection.Details)
    /// No more connections.
    case end

    /// The largest message (a connection's details are far smaller).
    public static let maximumLength = 65_536

    /// The message as sent.
    public func encoded() throws -> [UInt8] {
        Array(try JSONEncoder().encode(self))
    }

    /// Decodes one message; throws on anything that is not one.
    public static func decode(_ bytes: [UInt8]) throws -> SessionServerMessage {
        try JSONDecoder().decode(SessionServerMessage.self, from: Data(bytes))
    }
}
