#if canImport(Glibc)
import Glibc
#endif

/// Directory entries read with POSIX calls (for `/proc`, whose entries come and go).
enum DirectoryListing {
    /// The names in the directory at `path`, `.` and `..` left out; nil when it cannot be opened.
    static func names(in path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = name(of: entry)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The name of a directory entry read with `readdir`.
    static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
    }
}
