#if canImport(Glibc)
import Glibc
#endif

/// A file or process operation on the host that failed, with the path and the C library's reason.
public struct SystemCallError: Error, Equatable, CustomStringConvertible {
    /// What was attempted, e.g. `read`, `rename`.
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// `cannot read /proc/net/tcp: Permission denied`.
    public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(errno)))" }
}
