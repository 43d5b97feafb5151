/// Reading and writing fixed-width integers in byte buffers: host order for netlink,
/// network order for packets on the wire.
extension Array where Element == UInt8 {
    /// Appends `value` in the host's byte order, as netlink headers and attributes carry it.
    mutating func appendHostOrder<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value) { append(contentsOf: $0) }
    }

    /// Appends `value` big-endian, as IP, ARP and ICMPv6 headers carry it.
    mutating func appendNetworkOrder<T: FixedWidthInteger>(_ value: T) {
        appendHostOrder(value.bigEndian)
    }

    /// The host-order integer at `offset`; the caller has checked that it lies inside the buffer.
    func hostOrder<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}
