import CPcap

#if canImport(Glibc)
import Glibc
#endif

/// The C library's text for `code` with its number, e.g. `No such file or directory (errno 2)`.
func errorText(errno code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}

/// Runs `body` with a `PCAP_ERRBUF_SIZE` buffer for libpcap's error text and returns its
/// result together with whatever text libpcap left in the buffer.
func withLibpcapErrorBuffer<Result>(_ body: (UnsafeMutablePointer<CChar>) -> Result) -> (Result, message: String) {
    var buffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    let result = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    return (result, String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
}

/// The error text libpcap keeps in `handle` for its last failure.
func libpcapMessage(_ handle: OpaquePointer) -> String {
    String(cString: pcap_geterr(handle))
}
