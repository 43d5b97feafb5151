import CVipdSys
import Synchronization
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// A socket descriptor shared by a reader thread and the callers of its owner, closed exactly once.
///
/// Every use of the descriptor happens under the lock, so `close()` can never pull it from under
/// a send or receive, and a closed number that the process reuses is never touched again.
/// `close()` also makes ``closeSignal`` readable, so a reader blocked in `poll()` without a
/// timeout wakes up at once.
final class SharedSocket: Sendable {
    /// What the socket is for, e.g. `VRRP socket`, used in error messages.
    let purpose: String
    /// The interface it serves (name, or nil), used in error messages.
    let interfaceName: String?
    /// An eventfd that becomes readable, and stays so, at `close()`; open as long as this object lives.
    let closeSignal: Int32
    private let descriptor: Mutex<Int32?>

    /// Opens `socket(domain, type | SOCK_CLOEXEC, protocol)`; `call` names it in the error.
    init(domain: Int32, type: Int32, protocol: Int32, purpose: String, interfaceName: String?, call: String) throws(NetworkError) {
        // SOCK_CLOEXEC is O_CLOEXEC on Linux; Swift's Glibc module does not export the former.
        let descriptor = socket(domain, type | O_CLOEXEC, `protocol`)
        guard descriptor >= 0 else { throw .systemCall(call, interface: interfaceName, errno: errno) }
        let closeSignal = eventfd(0, Int32(EFD_CLOEXEC))
        guard closeSignal >= 0 else {
            let error = errno
            _ = Glibc.close(descriptor)
            throw .systemCall("eventfd (\(purpose) close signal)", interface: interfaceName, errno: error)
        }
        self.closeSignal = closeSignal
        self.purpose = purpose
        self.interfaceName = interfaceName
        self.descriptor = Mutex(descriptor)
    }

    deinit {
        close()
        _ = Glibc.close(closeSignal)
    }

    /// The descriptor number while open, for `poll()` outside the lock.
    var currentDescriptor: Int32? {
        descriptor.withLock { $0 }
    }

    /// Runs `body` with the open descriptor, holding the lock; throws `closed` after `close()`.
    func withDescriptor<Result>(_ body: (Int32) throws(NetworkError) -> Result) throws(NetworkError) -> Result {
        try descriptor.withLock { (descriptor: inout Int32?) throws(NetworkError) -> Result in
            guard let descriptor else { throw .closed("\(purpose)\(interfaceName.map { " on \($0)" } ?? "")") }
            return try body(descriptor)
        }
    }

    /// A system-call failure on this socket with the current `errno`.
    func failure(_ call: String) -> NetworkError {
        .systemCall(call, interface: interfaceName, errno: errno)
    }

    /// `setsockopt` with a value of any plain C type; `name` is the option's name for the error.
    func setOption<Value>(level: Int32, _ option: Int32, _ value: Value, name: String) throws(NetworkError) {
        try withDescriptor { (descriptor) throws(NetworkError) in
            let result = withUnsafeBytes(of: value) { setsockopt(descriptor, level, option, $0.baseAddress, socklen_t($0.count)) }
            guard result == 0 else {
                throw failure("setsockopt(\(name))")
            }
        }
    }

    /// Closes the descriptor and raises ``closeSignal``; later uses throw `closed`. Safe to call
    /// more than once.
    func close() {
        descriptor.withLock { descriptor in
            guard let open = descriptor else { return }
            _ = Glibc.close(open)
            descriptor = nil
            _ = eventfd_write(closeSignal, 1)
        }
    }
}

/// `struct sockaddr_in` for an IPv4 address (port 0: raw sockets have none).
func socketAddressV4(_ address: IPAddress) -> sockaddr_in {
    var socketAddress = sockaddr_in()
    socketAddress.sin_family = sa_family_t(AF_INET)
    withUnsafeMutableBytes(of: &socketAddress.sin_addr) { $0.copyBytes(from: address.bytes) }
    return socketAddress
}

/// `struct sockaddr_in6` for an IPv6 address; `scopeID` is the interface index for link-local
/// unicast and link-scope multicast destinations.
func socketAddressV6(_ address: IPAddress, scopeID: Int32) -> sockaddr_in6 {
    var socketAddress = sockaddr_in6()
    socketAddress.sin6_family = sa_family_t(AF_INET6)
    socketAddress.sin6_scope_id = UInt32(bitPattern: scopeID)
    withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { $0.copyBytes(from: address.bytes) }
    return socketAddress
}
