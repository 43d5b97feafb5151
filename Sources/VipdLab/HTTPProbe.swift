import FoundationEssentials
import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// A plain-socket HTTP/1.1 client for tests: sends exactly the bytes it is given (well-formed
/// requests, or smuggling and slowloris attempts) and parses the responses that come back.
public enum HTTPProbe {
    /// One parsed response.
    public struct Response: Sendable, Equatable {
        public let status: Int
        /// Header lines as sent, names lowercased.
        public let headers: [(name: String, value: String)]
        public let body: String

        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name == name.lowercased() }?.value
        }

        public static func == (lhs: Response, rhs: Response) -> Bool {
            lhs.status == rhs.status && lhs.body == rhs.body
                && lhs.headers.map { "\($0.name): \($0.value)" } == rhs.headers.map { "\($0.name): \($0.value)" }
        }
    }

    /// What one connection returned.
    public struct Exchange: Sendable {
        /// The responses parsed from the bytes received, in order.
        public let responses: [Response]
        /// Whether the server closed the connection (end of file or reset) within the time allowed.
        public let closedByServer: Bool
        /// How long until the server closed, or the whole wait when it did not.
        public let elapsed: Duration
    }

    /// `GET path` with `Connection: close`; the one response, or nil when none came within `timeout`.
    public static func get(
        address: String, port: Int, path: String, headers: [String: String] = [:], timeout: Duration
    ) throws -> Response? {
        let extra = headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)\r\n" }.joined()
        let request = "GET \(path) HTTP/1.1\r\nHost: \(address):\(port)\r\n\(extra)Connection: close\r\n\r\n"
        return try exchange(address: address, port: port, sending: [Array(request.utf8)], timeout: timeout).responses.first
    }

    /// Connects, sends each chunk of `sending` (waiting `pause` between chunks), with `shuttingOutput`
    /// shuts its sending side (the server reads an end of input), then reads until the server closes
    /// or `timeout` (from the connect) runs out, and parses what came back. A chunk that cannot be
    /// sent because the server closed ends the sending.
    public static func exchange(
        address: String, port: Int, sending chunks: [[UInt8]], pause: Duration = .zero, shuttingOutput: Bool = false,
        timeout: Duration
    ) throws -> Exchange {
        let socketAddress = try SocketAddress(address: address, port: port)
        let descriptor = try socketAddress.makeStreamSocket(timeout: .milliseconds(100))
        defer { close(descriptor) }
        try socketAddress.connect(descriptor)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + timeout
        var received: [UInt8] = []
        var closed = false
        for (index, chunk) in chunks.enumerated() {
            if index > 0, pause > .zero { sleepBlockingThisThread(for: pause) }
            let sent = chunk.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 { break }
        }
        if shuttingOutput { shutdown(descriptor, Int32(SHUT_WR)) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while clock.now < deadline, received.count < 16 << 20 {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                closed = true
                break
            }
        }
        return Exchange(responses: parse(received), closedByServer: closed, elapsed: clock.now - start)
    }

    /// The responses in `bytes`: status line, headers, and a body framed by `Content-Length`
    /// (or running to the end without one). An incomplete response at the end is left out.
    public static func parse(_ bytes: [UInt8]) -> [Response] {
        var responses: [Response] = []
        var rest = bytes[...]
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while let headEnd = rest.firstRange(of: separator) {
            let lines = String(decoding: rest[rest.startIndex..<headEnd.lowerBound], as: UTF8.self)
                .components(separatedBy: "\r\n")
            let statusParts = lines[0].split(separator: " ", maxSplits: 2)
            guard statusParts.count >= 2, let status = Int(statusParts[1]) else { break }
            let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingWhitespace())
            }
            let bodyStart = headEnd.upperBound
            let length = headers.first { $0.name == "content-length" }.flatMap { Int($0.value) }
            let bodyEnd = length.map { bodyStart + $0 } ?? rest.endIndex
            guard bodyEnd <= rest.endIndex else { break }
            responses.append(
                Response(status: status, headers: headers, body: String(decoding: rest[bodyStart..<bodyEnd], as: UTF8.self)))
            rest = rest[bodyEnd...]
        }
        return responses
    }
}
