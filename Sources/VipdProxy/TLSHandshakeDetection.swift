import NIOCore

/// Recognises a TLS handshake sent to a plain HTTP listener (pure): a client that was told
/// `https://` for an `http://` address opens with a ClientHello, a TLS record of content type 22
/// (handshake) and protocol version 3.x. 22 is a control character, never the first byte of an HTTP
/// request, so such bytes can be answered at once instead of waiting for a request head.
enum TLSHandshakeDetection {
    /// Whether `buffer` starts with a TLS handshake record header: 0x16 0x03 0x00–0x04 (SSL 3.0 to
    /// TLS 1.3, whose ClientHello carries the record version 3.1). False while fewer than 3 bytes are there.
    static func startsWithHandshake(_ buffer: ByteBuffer) -> Bool {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), type == 0x16,
            let major = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self),
            let minor = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt8.self)
        else { return false }
        return major == 0x03 && minor <= 0x04
    }
}
