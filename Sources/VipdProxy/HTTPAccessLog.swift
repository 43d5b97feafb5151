import NIOCore

/// One access log line per request (pure): who, what, the answer, which server, how long, how much.
struct HTTPAccessLog {
    var client: String
    var listener: String
    var pool: String
    var server: String?
    /// The request line as the client sent it; nil when no request head was read (bytes that were
    /// not HTTP, or a head that never arrived whole), logged as `<BADREQ>` as haproxy does.
    var request: RequestLine?
    /// The status sent to the client; nil when none was (the client left first).
    var status: Int?
    /// From the request head until the server connection was established.
    var connect: TimeAmount?
    /// From the request head until the response head.
    var response: TimeAmount?
    /// From the request head until the response's end (or the failure).
    var total: TimeAmount
    var bytesIn: Int
    var bytesOut: Int
    var retries: Int
    /// Why vipd answered itself or cut the exchange, e.g. `server-timeout`.
    var error: String?

    /// The parts of a request line that are logged.
    struct RequestLine {
        var method: String
        var uri: String
        var version: String
    }

    /// The longest URI logged; longer ones are cut and end in `...`.
    static let maxURILength = 512

    /// `client listener pool/server "METHOD URI VERSION" status=… connect=…ms response=…ms total=…ms bytes_in=… bytes_out=… retries=…`
    /// (and ` error=…` when set), with `"<BADREQ>"` for a request whose head was never read. The URI
    /// is cut and its control characters, spaces and quotes escaped, so that a line stays one line
    /// whatever the client sends.
    var line: String {
        func milliseconds(_ amount: TimeAmount?) -> String { amount.map { "\($0.nanoseconds / 1_000_000)ms" } ?? "-" }
        let request = self.request.map { "\"\(Self.escaped($0.method)) \(Self.escaped($0.uri)) \($0.version)\"" } ?? "\"<BADREQ>\""
        let base =
            "\(client) \(listener) \(pool)/\(server ?? "<none>") \(request) status=\(status.map(String.init) ?? "-") "
            + "connect=\(milliseconds(connect)) response=\(milliseconds(response)) total=\(milliseconds(total)) "
            + "bytes_in=\(bytesIn) bytes_out=\(bytesOut) retries=\(retries)"
        return error.map { base + " error=\($0)" } ?? base
    }

    /// `text` cut to `maxURILength` bytes with bytes outside printable ASCII, `"`, `\` and space as `%XX`.
    static func escaped(_ text: String) -> String {
        var result = ""
        for byte in text.utf8.prefix(maxURILength) {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += hex.count == 1 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return text.utf8.count > maxURILength ? result + "..." : result
    }
}
