#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file so that readers see either the old or the new contents, never a mix, and a crash
/// leaves one of the two: a temporary file in the same directory, written, synced, given its mode and
/// renamed over the target; then the directory is synced.
public enum AtomicFileWriter {
    /// Writes `contents` to `path` (creating its directory, mode 0755, when missing).
    /// - Parameters:
    ///   - mode: the new file's permissions.
    ///   - backup: where to keep the file's previous contents (written the same way) before replacing it.
    /// - Returns: whether a previous file existed and was saved to `backup`.
    @discardableResult
    public static func replace(
        _ path: String, with contents: String, mode: mode_t = 0o644, backup: String? = nil
    ) throws(SystemCallError) -> Bool {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        if mkdir(directory.isEmpty ? "/" : directory, 0o755) != 0 && errno != EEXIST {
            throw SystemCallError("create directory", path: directory, errno: errno)
        }
        var savedPrevious = false
        if let backup, HostFile.exists(path) {
            try write(try HostFile.read(path), to: backup, directory: directory, mode: mode)
            savedPrevious = true
        }
        try write(contents, to: path, directory: directory, mode: mode)
        return savedPrevious
    }

    /// Puts `backup`'s contents back at `path` (the backup stays), or removes `path` when there was no
    /// previous file (`backup` nil).
    public static func restore(_ path: String, from backup: String?) throws(SystemCallError) {
        guard let backup else {
            if unlink(path) != 0 && errno != ENOENT { throw SystemCallError("remove", path: path, errno: errno) }
            return
        }
        try replace(path, with: try HostFile.read(backup))
    }

    /// temp file → write → fchmod → fsync → rename → fsync(directory).
    private static func write(_ contents: String, to path: String, directory: String, mode: mode_t) throws(SystemCallError) {
        let name = path[path.index(after: path.lastIndex(of: "/") ?? path.startIndex)...]
        var template = Array("\(directory)/.\(name).XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SystemCallError("create a temporary file in", path: directory, errno: errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var closed = false
        defer {
            if !closed { close(descriptor) }
            unlink(temporary)  // fails harmlessly once renamed
        }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw SystemCallError("write", path: temporary, errno: errno) }
            written += count
        }
        guard fchmod(descriptor, mode) == 0 else { throw SystemCallError("chmod", path: temporary, errno: errno) }
        guard fsync(descriptor) == 0 else { throw SystemCallError("fsync", path: temporary, errno: errno) }
        closed = true
        guard close(descriptor) == 0 else { throw SystemCallError("close", path: temporary, errno: errno) }
        guard rename(temporary, path) == 0 else { throw SystemCallError("rename \(temporary) to", path: path, errno: errno) }
        let directoryDescriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}
