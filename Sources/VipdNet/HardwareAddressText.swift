extension Array where Element == UInt8 {
    /// The bytes as `ip link` prints a hardware address: lowercase hex pairs joined by colons,
    /// e.g. `02:00:5e:00:01:0a`.
    var colonSeparatedHex: String {
        map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined(separator: ":")
    }
}
