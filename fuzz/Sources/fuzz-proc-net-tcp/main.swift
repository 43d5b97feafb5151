import FuzzDriver
import VipdCore
import VipdSystem

/// A `/proc/net/tcp` or `/proc/net/tcp6` table, as the listener check (`ListeningSockets`) reads it,
/// parsed with the address words in both byte orders. A `ProcNetTCP.ParseError` is the answer to a
/// malformed row; otherwise both parses agree on everything but the order of the bytes within each
/// address word, every port fits 16 bits, and there are no more records than lines.
fuzzMain { input in
    let text = String(decoding: input, as: UTF8.self)
    // The parser splits at "\n" (a "\r\n" is one Character and does not split): at most one line
    // per LF byte, and the line after the last.
    let lines = 1 + text.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
    let source = "/proc/net/tcp"
    func parse(hostIsLittleEndian: Bool) -> Result<[TCPSocketRecord], ProcNetTCP.ParseError> {
        Result { () throws(ProcNetTCP.ParseError) in
            try ProcNetTCP.parse(text, source: source, hostIsLittleEndian: hostIsLittleEndian)
        }
    }
    switch (parse(hostIsLittleEndian: true), parse(hostIsLittleEndian: false)) {
    case (.failure(let little), .failure(let big)):
        // The byte order changes no row's acceptance, so both stop at the same row for the same reason.
        guard little == big else { fatalError("the byte orders fail differently: \(little) / \(big)") }
        guard little.source == source, (1...lines).contains(little.line) else {
            fatalError("error \(little) outside the text's \(lines) lines")
        }
    case (.success(let little), .success(let big)):
        guard little.count == big.count, little.count <= lines else {
            fatalError("\(little.count) and \(big.count) records from \(lines) lines")
        }
        for (l, b) in zip(little, big) {
            guard (0...65535).contains(l.local.port), l.local.port == b.local.port else {
                fatalError("ports \(l.local.port) / \(b.local.port)")
            }
            guard l.state == b.state, l.inode == b.inode, l.isListening == (l.state == 0x0A) else {
                fatalError("states \(l.state) / \(b.state), inodes \(l.inode) / \(b.inode)")
            }
            let family = l.local.address.family
            guard family == b.local.address.family,
                l.local.address.bytes.count == (family == .v4 ? 4 : 16),
                b.local.address.bytes.count == l.local.address.bytes.count
            else { fatalError("addresses \(l.local.address.bytes) / \(b.local.address.bytes)") }
            // Each 32-bit word of the address, its bytes reversed between the byte orders.
            for word in stride(from: 0, to: l.local.address.bytes.count, by: 4) {
                guard l.local.address.bytes[word..<word + 4].elementsEqual(b.local.address.bytes[word..<word + 4].reversed()) else {
                    fatalError("address words \(l.local.address.bytes) / \(b.local.address.bytes) are not byte-swapped")
                }
            }
            _ = l.local.address.text
        }
    default:
        fatalError("one byte order parses and the other does not")
    }
}
