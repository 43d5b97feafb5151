#if canImport(Glibc)
import Glibc
#endif

/// Finds which processes hold given sockets, by reading every `/proc/PID/fd/N` link (`socket:[INODE]`)
/// and the holder's `/proc/PID/comm`.
enum SocketOwnerScanner {
    /// The owners of each inode in `inodes`; an inode no process could be found for gets `.unknown` with the
    /// reason: other users' descriptors were unreadable (needs root), the scan hit `timeLimit`, or no
    /// visible process holds it (one in another PID namespace, e.g. a container).
    static func owners(
        of inodes: Set<UInt64>, procRoot: String = "/proc", timeLimit: Duration = .seconds(2)
    ) -> [UInt64: ListeningSocket.Owners] {
        var found: [UInt64: [SocketOwner]] = [:]
        var unreadable = false
        var timedOut = false
        let deadline = ContinuousClock.now + timeLimit
        if !inodes.isEmpty, let processes = opendir(procRoot) {
            defer { closedir(processes) }
            while let entry = readdir(processes) {
                guard let pid = Int32(DirectoryListing.name(of: entry)), pid > 0 else { continue }
                if ContinuousClock.now > deadline {
                    timedOut = true
                    break
                }
                switch socketInodes(of: pid, procRoot: procRoot) {
                case .none: unreadable = true
                case .some(let held):
                    let wanted = held.intersection(inodes)
                    guard !wanted.isEmpty else { continue }
                    let owner = SocketOwner(pid: pid, program: program(of: pid, procRoot: procRoot))
                    for inode in wanted { found[inode, default: []].append(owner) }
                }
            }
        }
        let reason =
            unreadable ? "owner unknown (needs root)"
            : timedOut ? "owner unknown: the /proc scan stopped after \(timeLimit)"
            : "owner unknown: no process in this PID namespace holds it (one in a container?)"
        return Dictionary(uniqueKeysWithValues: inodes.map { ($0, found[$0].map { .known($0) } ?? .unknown(reason)) })
    }

    /// The socket inodes among `pid`'s descriptors; empty when the process is gone, nil when they are unreadable.
    private static func socketInodes(of pid: Int32, procRoot: String) -> Set<UInt64>? {
        guard let descriptors = opendir("\(procRoot)/\(pid)/fd") else { return errno == ENOENT ? [] : nil }
        defer { closedir(descriptors) }
        let directory = dirfd(descriptors)
        var inodes: Set<UInt64> = []
        var target = [CChar](repeating: 0, count: 64)
        while let entry = readdir(descriptors) {
            let length = readlinkat(directory, DirectoryListing.name(of: entry), &target, target.count - 1)
            guard length > 0 else { continue }
            let text = String(decoding: target[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("socket:["), text.hasSuffix("]"), let inode = UInt64(text.dropFirst(8).dropLast()) else {
                continue
            }
            inodes.insert(inode)
        }
        return inodes
    }

    /// `/proc/PID/comm` without its newline, or `pid N` when it cannot be read.
    private static func program(of pid: Int32, procRoot: String) -> String {
        let comm = (try? HostFile.read("\(procRoot)/\(pid)/comm"))?.trimmingTrailingNewlines ?? ""
        return comm.isEmpty ? "pid \(pid)" : comm
    }
}

extension String {
    /// The text without trailing `\n` characters.
    var trimmingTrailingNewlines: String {
        var text = Substring(self)
        while text.hasSuffix("\n") { text = text.dropLast() }
        return String(text)
    }
}
