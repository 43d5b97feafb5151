/// The header names the proxy acts on, recognised case-insensitively while a head is parsed; every
/// other name is `.other` and passes through untouched.
enum HTTP1FieldName: Equatable {
    case contentLength, transferEncoding, host, connection, keepAlive, proxyConnection, te, trailer, upgrade
    case xForwardedFor, xForwardedProto, forwarded
    case other

    /// The lowercase spelling of each recognised name.
    private static let spellings: [(bytes: [UInt8], name: HTTP1FieldName)] = ([
        ("content-length", .contentLength), ("transfer-encoding", .transferEncoding), ("host", .host),
        ("connection", .connection), ("keep-alive", .keepAlive), ("proxy-connection", .proxyConnection), ("te", .te),
        ("trailer", .trailer), ("upgrade", .upgrade), ("x-forwarded-for", .xForwardedFor),
        ("x-forwarded-proto", .xForwardedProto), ("forwarded", .forwarded),
    ] as [(String, HTTP1FieldName)]).map { (Array($0.0.utf8), $0.1) }

    /// The name spelled by `bytes` (any letter case).
    static func classify(_ bytes: UnsafeRawBufferPointer) -> HTTP1FieldName {
        for spelling in spellings where spelling.bytes.count == bytes.count {
            if equalIgnoringCase(bytes, spelling.bytes) { return spelling.name }
        }
        return .other
    }

    /// Whether `bytes` equals the lowercase ASCII `lowercase` ignoring letter case.
    static func equalIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count == lowercase.count else { return false }
        for index in 0..<bytes.count where asciiLowercased(bytes[index]) != lowercase[index] {
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
