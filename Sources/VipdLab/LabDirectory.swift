import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory with generated keys, removed by `remove()`.
///
/// Created with `mkdtemp(3)` under `/tmp`, so its name is unique per run and it is
/// private to the current user (mode 0700).
public final class LabDirectory: @unchecked Sendable {
    /// The directory's location, e.g. `/tmp/vipd-lab.Ab12Cd`.
    public let url: URL

    /// Creates a fresh directory `/tmp/PREFIX.XXXXXX`.
    /// - Throws: `LabError.systemCall` when `mkdtemp` fails.
    public init(prefix: String = "vipd-lab") throws {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!)
        }
        guard created != nil else { throw LabError.systemCall(name: "mkdtemp", errno: errno) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        url = URL(fileURLWithPath: path, isDirectory: true)
    }

    /// Deletes the directory and everything in it; safe to call more than once.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    /// The URL of a file named `name` inside the directory.
    public func file(_ name: String) -> URL {
        url.appendingPathComponent(name, isDirectory: false)
    }
}
