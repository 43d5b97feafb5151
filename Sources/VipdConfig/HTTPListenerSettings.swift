/// The HTTP settings of a `mode: http` listener (`listeners.NAME.http`).
public struct HTTPListenerSettings: Sendable, Equatable {
    /// Append the client address to `X-Forwarded-For` (`forwarded_for`, default true).
    public var forwardedFor: Bool
    /// Set `X-Forwarded-Proto: http` (`forwarded_proto`, default false).
    public var forwardedProto: Bool
    /// Append an RFC 7239 `Forwarded: for=…;proto=http` element (`forwarded`, default false).
    public var forwarded: Bool
    /// What clients get when no server of the pool is up (`sorry_page`); a short built-in 503 when nil.
    public var sorryPage: SorryPage?
    /// Most bytes of one request head, request line and header lines (`max_header_bytes`, default
    /// 16384); more is answered with 431.
    public var maxHeaderBytes: Int
    /// Most header fields of one request (`max_headers`, default 100); more is answered with 431.
    public var maxHeaders: Int
    /// Most body bytes of one request (`max_body_bytes`, default 10485760); more is answered with 413.
    public var maxBodyBytes: Int
    /// The request line and headers of a request must arrive within this, counted from the accept or
    /// from the end of the previous response (`request_timeout`, default 10s, haproxy
    /// `timeout http-request`); otherwise 408 and close (slowloris).
    public var requestTimeout: Duration
    /// Longest wait for the next byte of the server's response (`server_timeout`, default 30s);
    /// before the response head: 504.
    public var serverTimeout: Duration
    /// Whether a server connection may carry more than one request (`server_reuse`, default `safe`).
    public var serverReuse: HTTPServerReuse
    /// How long a server connection may wait unused for its next request before vipd closes it
    /// (`server_idle_timeout`, default 4s: below the 5 s keep-alive timeout of Apache httpd, so
    /// vipd rather than the server ends an idle connection).
    public var serverIdleTimeout: Duration

    public init(
        forwardedFor: Bool = true, forwardedProto: Bool = false, forwarded: Bool = false, sorryPage: SorryPage? = nil,
        maxHeaderBytes: Int = 16384, maxHeaders: Int = 100, maxBodyBytes: Int = 10_485_760,
        requestTimeout: Duration = .seconds(10), serverTimeout: Duration = .seconds(30),
        serverReuse: HTTPServerReuse = .safe, serverIdleTimeout: Duration = .seconds(4)
    ) {
        self.forwardedFor = forwardedFor
        self.forwardedProto = forwardedProto
        self.forwarded = forwarded
        self.sorryPage = sorryPage
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaders = maxHeaders
        self.maxBodyBytes = maxBodyBytes
        self.requestTimeout = requestTimeout
        self.serverTimeout = serverTimeout
        self.serverReuse = serverReuse
        self.serverIdleTimeout = serverIdleTimeout
    }
}

/// When a server connection is used again for a later request (`listeners.NAME.http.server_reuse`).
public enum HTTPServerReuse: String, Sendable, Equatable, CaseIterable {
    /// An idle connection to the chosen server carries a request only when that request can be sent
    /// again unchanged (an idempotent method without a body): if the server closed the idle
    /// connection at the same moment, vipd resends the request on a new connection and the client
    /// never notices. Every other request gets a new connection (haproxy's `http-reuse safe`).
    case safe
    /// Every request gets its own server connection, closed after the response (haproxy's
    /// `option http-server-close`).
    case never
}

/// The page served when every server of a pool is down (`listeners.NAME.http.sorry_page`): a page
/// (`file`, `status`, `content_type`) or a whole HTTP response (`response`, as haproxy's
/// `errorfile 503`). The file is read when the configuration is loaded (and on every reload).
public struct SorryPage: Sendable, Equatable {
    /// Absolute path of the page (`file`) or of the whole response (`response`).
    public var file: String
    /// Its content (the response's body), as read at load time.
    public var body: [UInt8]
    /// Response status (`status`, 200...599, default 503; the response's own).
    public var status: Int
    /// `Content-Type` of the response (`content_type`, default `text/html; charset=utf-8`; the response's own).
    public var contentType: String
    /// The response's other header fields, served with it: a page's `headers`, a response's own.
    public var fields: [HTTPResponseFile.Field] = []
    /// Whether `file` is a whole HTTP response (`response`) rather than a page.
    public var isWholeResponse = false

    /// Why a page cannot carry a header field named `name` next to the fields in `earlier` (nil when it
    /// can): the framing fields are vipd's, `Content-Type` is `content_type`, a name counts once.
    public static func headerNameProblem(_ name: String, after earlier: [HTTPResponseFile.Field]) -> String? {
        let lowercased = name.lowercased()
        if !HTTPResponseFile.isFieldName(name) {
            return "invalid header field name \"\(name)\": use letters, digits and !#$%&'*+-.^_`|~"
        } else if HTTPResponseFile.framingFields.contains(lowercased) {
            return "\(name) is written by vipd itself (it frames the response and closes the connection)"
        } else if lowercased == "content-type" {
            return "set the content type with content_type, not in headers"
        } else if let twin = earlier.first(where: { $0.name.lowercased() == lowercased }) {
            return "header field \"\(name)\" is given twice (also as \"\(twin.name)\")"
        }
        return nil
    }

    /// The content type used when `content_type` is not given.
    public static let defaultContentType = "text/html; charset=utf-8"
    /// The largest page accepted (1 MiB): it is kept in memory.
    public static let maxSize = 1 << 20

    public init(file: String, body: [UInt8], status: Int = 503, contentType: String = Self.defaultContentType) {
        self.file = file
        self.body = body
        self.status = status
        self.contentType = contentType
    }

    /// The whole response `parsed` from `file`: its status, `Content-Type` (the default when it has
    /// none), other fields and body.
    public init(response file: String, parsed: HTTPResponseFile) {
        self.init(
            file: file, body: parsed.body, status: parsed.status, contentType: parsed.field("Content-Type") ?? Self.defaultContentType)
        fields = parsed.fields.filter { $0.name.lowercased() != "content-type" }
        isWholeResponse = true
    }
}
