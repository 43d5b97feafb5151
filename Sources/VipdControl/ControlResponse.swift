/// The daemon's answer on the control socket: a single JSON line. `ok` false carries the error
/// in `message`; otherwise `message` says what was done, and `status` or `servers` carry the data.
public struct ControlResponse: Sendable, Equatable, Codable {
    public var version: Int
    public var ok: Bool
    public var message: String?
    public var status: StatusReport?
    public var servers: [ServerReport]?

    public init(ok: Bool, message: String? = nil, status: StatusReport? = nil, servers: [ServerReport]? = nil) {
        self.version = ControlRequest.protocolVersion
        self.ok = ok
        self.message = message
        self.status = status
        self.servers = servers
    }

    /// A refusal with `error`'s message.
    public static func failure(_ error: ControlError) -> ControlResponse {
        ControlResponse(ok: false, message: error.description)
    }
}
