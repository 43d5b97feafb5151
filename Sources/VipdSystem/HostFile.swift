#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads with POSIX calls, for /proc files (which report size 0) and small config files.
enum HostFile {
    /// The file's bytes as UTF-8 text (invalid bytes replaced), read until end of file.
    static func read(_ path: String) throws(SystemCallError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemCallError("read", path: path, errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw SystemCallError("read", path: path, errno: errno) }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[..<count]
        }
    }

    /// True when `path` exists (any file type).
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
