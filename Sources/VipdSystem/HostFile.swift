#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads with POSIX calls, for /proc files (which report size 0) and small config files.
enum HostFile {
    /// The file's bytes as UTF-8 text (invalid bytes replaced), read until end of file.
    static func read(_ path: String) throws(SystemCallError) -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    /// The file's first `limit` bytes (all of them by default), read until end of file. `nonBlocking`:
    /// a FIFO put where a file was expected cannot stall the caller (its read fails instead).
    static func bytes(_ path: String, limit: Int = .max, nonBlocking: Bool = false) throws(SystemCallError) -> [UInt8] {
        let descriptor = try openForReading(path, nonBlocking: nonBlocking)
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(Self.chunkSize, limit))
        while bytes.count < limit {
            let count = try readChunk(descriptor, into: &chunk, upTo: limit - bytes.count, path: path)
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }

    /// Calls `body` with each line of the file (without its newline) and the line's 1-based number,
    /// reading a chunk at a time, so that a large file (a /proc table on a busy host) is never held whole.
    static func forEachLine(_ path: String, _ body: (Substring, Int) throws -> Void) throws {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        var number = 0
        func deliver(_ bytes: ArraySlice<UInt8>) throws {
            number += 1
            try body(Substring(String(decoding: bytes, as: UTF8.self)), number)
        }
        while true {
            let count = try readChunk(descriptor, into: &chunk, path: path)
            if count == 0 { break }
            pending += chunk[..<count]
            var lineStart = pending.startIndex
            while let newline = pending[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                try deliver(pending[lineStart..<newline])
                lineStart = newline + 1
            }
            pending.removeFirst(lineStart)
        }
        if !pending.isEmpty { try deliver(pending[...]) }
    }

    /// The size of one read.
    private static let chunkSize = 65_536

    private static func openForReading(_ path: String, nonBlocking: Bool = false) throws(SystemCallError) -> CInt {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0))
        guard descriptor >= 0 else { throw SystemCallError("read", path: path, errno: errno) }
        return descriptor
    }

    /// Reads up to `limit` bytes (at most the chunk's size) into `chunk`, retrying on EINTR; 0 at end of file.
    private static func readChunk(
        _ descriptor: CInt, into chunk: inout [UInt8], upTo limit: Int = .max, path: String
    ) throws(SystemCallError) -> Int {
        let wanted = min(chunk.count, limit)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, wanted) }
            if count >= 0 { return count }
            guard errno == EINTR else { throw SystemCallError("read", path: path, errno: errno) }
        }
    }

    /// True when `path` exists (any file type).
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
