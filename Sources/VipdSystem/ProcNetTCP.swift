import VipdCore

/// One row of `/proc/net/tcp` or `/proc/net/tcp6`: a TCP socket of this network namespace.
public struct TCPSocketRecord: Sendable, Hashable {
    /// The local address and port (`local_address`).
    public let local: SocketEndpoint
    /// The kernel's TCP state (`st`); `TCPSocketRecord.listenState` is LISTEN.
    public let state: UInt8
    /// The socket's inode, which `/proc/PID/fd/N` shows as `socket:[INODE]`; 0 for sockets no process holds.
    public let inode: UInt64

    /// The value of `st` for a listening socket (TCP_LISTEN, printed `0A`).
    public static let listenState: UInt8 = 0x0A

    public init(local: SocketEndpoint, state: UInt8, inode: UInt64) {
        self.local = local
        self.state = state
        self.inode = inode
    }

    /// True when the socket is listening.
    public var isListening: Bool { state == Self.listenState }
}

/// The text of `/proc/net/tcp` and `/proc/net/tcp6`, parsed.
///
/// Each row prints the local address as 32-bit words in hex (`%08X`), each word being four bytes of
/// the address in network order read as a number in the host's byte order: `0100007F` is 127.0.0.1 on
/// a little-endian host. The port is a plain 16-bit number (`0016` is 22), the state a hex byte, the
/// inode a decimal number (the tenth column).
public enum ProcNetTCP {
    /// A row that does not have the shape the kernel prints.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        /// The file the text came from, e.g. `/proc/net/tcp6`.
        public let source: String
        /// 1-based line number within the text.
        public let line: Int
        public let message: String

        public init(source: String, line: Int, message: String) {
            self.source = source
            self.line = line
            self.message = message
        }

        public var description: String { "\(source):\(line): \(message)" }
    }

    /// Parses every row after the header line (which starts with `sl`).
    /// - Parameters:
    ///   - source: the file name, for errors.
    ///   - hostIsLittleEndian: the byte order the kernel printed the address words in (this host's).
    /// - Throws: `ParseError` naming the line and the field that is malformed.
    public static func parse(
        _ text: String, source: String, hostIsLittleEndian: Bool = 1.littleEndian == 1
    ) throws(ParseError) -> [TCPSocketRecord] {
        var records: [TCPSocketRecord] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let record = try record(in: line, number: index + 1, source: source, hostIsLittleEndian: hostIsLittleEndian) {
                records.append(record)
            }
        }
        return records
    }

    /// Parses one line of the table (without its newline): nil for the header line and a blank line.
    /// - Parameters:
    ///   - number: the line's 1-based number, for errors.
    ///   - source: the file name, for errors.
    ///   - hostIsLittleEndian: the byte order the kernel printed the address words in (this host's).
    /// - Throws: `ParseError` naming the line and the field that is malformed.
    public static func record(
        in line: Substring, number: Int, source: String, hostIsLittleEndian: Bool = 1.littleEndian == 1
    ) throws(ParseError) -> TCPSocketRecord? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if fields.isEmpty || fields[0] == "sl" { return nil }
        func fail(_ message: String) -> ParseError { ParseError(source: source, line: number, message: message) }
        guard fields.count >= 10, fields[0].hasSuffix(":") else {
            throw fail("expected at least 10 fields (sl, local_address, ..., inode), found \(fields.count)")
        }
        guard let local = endpoint(fields[1], hostIsLittleEndian: hostIsLittleEndian) else {
            throw fail("malformed local_address \"\(fields[1])\": expected 8 or 32 hex digits, a colon and 4 hex digits")
        }
        guard fields[3].count == 2, fields[3].allSatisfy(\.isHexDigit), let state = UInt8(fields[3], radix: 16) else {
            throw fail("malformed state \"\(fields[3])\": expected 2 hex digits")
        }
        guard fields[9].allSatisfy(\.isWholeNumber), let inode = UInt64(fields[9]) else {
            throw fail("malformed inode \"\(fields[9])\": expected a decimal number")
        }
        return TCPSocketRecord(local: local, state: state, inode: inode)
    }

    /// `HEXADDRESS:HEXPORT` as printed by the kernel.
    private static func endpoint(_ field: Substring, hostIsLittleEndian: Bool) -> SocketEndpoint? {
        let parts = field.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 4, field.allSatisfy({ $0 == ":" || $0.isHexDigit }), let port = UInt16(parts[1], radix: 16),
            parts[0].count == 8 || parts[0].count == 32
        else { return nil }
        var bytes: [UInt8] = []
        var wordStart = parts[0].startIndex
        while wordStart < parts[0].endIndex {
            let wordEnd = parts[0].index(wordStart, offsetBy: 8)
            guard let word = UInt32(parts[0][wordStart..<wordEnd], radix: 16) else { return nil }
            let bigEndianBytes = (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) }
            bytes += hostIsLittleEndian ? bigEndianBytes.reversed() : bigEndianBytes
            wordStart = wordEnd
        }
        guard let address = IPAddress(bytes: bytes) else { return nil }
        return SocketEndpoint(address: address, port: Int(port))
    }
}
