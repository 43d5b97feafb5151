/// The IPv4 addresses in `ip -o addr show dev IF` output, e.g. `["10.251.1.11/24", "10.251.1.100/24"]`.
public enum InterfaceListing {
    /// Every `inet ADDRESS/LENGTH` of `output`, in order.
    public static func ipv4Addresses(in output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard let inet = fields.firstIndex(of: "inet"), inet + 1 < fields.count else { return nil }
            return String(fields[inet + 1])
        }
    }

    /// True when `addresses` (as listed above) contain `address` with any prefix length.
    public static func contains(_ address: String, in addresses: [String]) -> Bool {
        addresses.contains { $0.hasPrefix(address + "/") }
    }
}
