#if canImport(Glibc)
import Glibc
#endif

/// This host's name.
public enum HostName {
    /// gethostname(2), without the DNS lookup Foundation's hostName may do; empty when it fails.
    public static func current() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
