/// The header names the proxy acts on, recognised case-insensitively while a head is parsed; every
/// other name is `.other` and passes through untouched.
enum HTTP1FieldName: Equatable {
    case contentLength, transferEncoding, host, connection, keepAlive, proxyConnection, te, trailer, upgrade
    case xForwardedFor, xForwardedProto, forwarded
    case other

    /// The name spelled by `bytes` (any letter case): a switch on the length, then one or two
    /// comparisons (no table, so nothing is lazily initialised per field).
    static func classify(_ bytes: UnsafeRawBufferPointer) -> HTTP1FieldName {
        func spells(_ lowercase: StaticString) -> Bool {
            lowercase.withUTF8Buffer { equalIgnoringCase(bytes, $0) }
        }
        switch bytes.count {
        case 2 where spells("te"): return .te
        case 4 where spells("host"): return .host
        case 7 where spells("trailer"): return .trailer
        case 7 where spells("upgrade"): return .upgrade
        case 9 where spells("forwarded"): return .forwarded
        case 10 where spells("connection"): return .connection
        case 10 where spells("keep-alive"): return .keepAlive
        case 14 where spells("content-length"): return .contentLength
        case 15 where spells("x-forwarded-for"): return .xForwardedFor
        case 16 where spells("proxy-connection"): return .proxyConnection
        case 17 where spells("transfer-encoding"): return .transferEncoding
        case 17 where spells("x-forwarded-proto"): return .xForwardedProto
        default: return .other
        }
    }

    /// Whether `bytes` equals the lowercase ASCII `lowercase` ignoring letter case.
    static func equalIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: some Collection<UInt8>) -> Bool {
        guard bytes.count == lowercase.count else { return false }
        for (byte, expected) in zip(bytes, lowercase) where asciiLowercased(byte) != expected {
            return false
        }
        return true
    }

    /// `byte` with an ASCII capital letter made small.
    static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }

    /// Headers that belong to one connection and never cross the proxy (RFC 9110 §7.6.1); the
    /// names a `Connection` header lists are dropped as well.
    var isHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade: true
        default: false
        }
    }
}
