import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking TCP client with a receive timeout, to drive the proxy from tests.
final class BlockingClient {
    private let descriptor: Int32
    private let receiveTimeout: TimeInterval

    /// Connects to `host:port` (IPv4 or IPv6 literal).
    init(host: String, port: Int, receiveTimeout: TimeInterval = 5) throws {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, "\(port)", &hints, &info) == 0, let address = info else { throw ClientError.resolve(host) }
        defer { freeaddrinfo(info) }
        descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        self.receiveTimeout = receiveTimeout
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            let code = errno
            close(descriptor)
            throw ClientError.connect(code)
        }
    }

    deinit { close(descriptor) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw ClientError.send(errno) }
    }

    /// Reads until `count` bytes arrived, EOF, or `timeout` (default: the receive timeout); returns what arrived.
    func receive(count: Int, timeout: TimeInterval? = nil) -> String {
        let deadline = Date().addingTimeInterval(timeout ?? receiveTimeout)
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while collected.count < count, Date() < deadline {
            let read = recv(descriptor, &buffer, min(buffer.count, count - collected.count), 0)
            if read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { break }
            if read > 0 { collected += buffer[0..<read] }
        }
        return String(decoding: collected, as: UTF8.self)
    }

    /// True when the peer closed the connection (EOF or reset) within the receive timeout.
    func waitForClose() -> Bool {
        let deadline = Date().addingTimeInterval(receiveTimeout)
        var byte: UInt8 = 0
        while Date() < deadline {
            let read = recv(descriptor, &byte, 1, 0)
            if read == 0 { return true }
            if read < 0, errno != EAGAIN, errno != EWOULDBLOCK { return errno == ECONNRESET }
        }
        return false
    }

    enum ClientError: Error {
        case resolve(String)
        case connect(Int32)
        case send(Int32)
    }
}
