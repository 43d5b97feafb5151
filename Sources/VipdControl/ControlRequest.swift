/// One request on the control socket: a single JSON line, e.g.
/// `{"version":1,"command":"weight","server":"ssh/ha1","weight":50}`.
public struct ControlRequest: Sendable, Equatable, Codable {
    /// The protocol version this build speaks; the daemon refuses requests of another version.
    public static let protocolVersion = 1

    public var version: Int
    public var command: ControlCommand

    public init(_ command: ControlCommand, version: Int = ControlRequest.protocolVersion) {
        self.version = version
        self.command = command
    }

    private enum CodingKeys: String, CodingKey {
        case version, command, server, weight
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        let name = try container.decode(String.self, forKey: .command)
        var arguments = try container.decodeIfPresent(String.self, forKey: .server).map { [$0] } ?? []
        if let weight = try container.decodeIfPresent(Int.self, forKey: .weight) { arguments.append(String(weight)) }
        do {
            command = try ControlCommand(name: name, arguments: arguments)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.command], debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(command.name, forKey: .command)
        try container.encodeIfPresent(command.target, forKey: .server)
        if case .weight(_, let weight) = command { try container.encode(weight, forKey: .weight) }
    }
}
