import VipdCore

/// haproxy's value syntaxes: times with a default unit of milliseconds, and `ADDRESS:PORT` as `bind` and
/// `server` write them.
enum HAProxyValues {
    /// A haproxy time: a number with `us`, `ms`, `s`, `m`, `h` or `d`, milliseconds without a unit
    /// (`2000`, `2s`, `1m`); nil when malformed or longer than 64 bits of milliseconds hold.
    /// Microseconds round up to whole milliseconds.
    static func time(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int64(digits) else { return nil }
        let unit = text.dropFirst(digits.count)
        let milliseconds: (partialValue: Int64, overflow: Bool)
        switch unit {
        case "us": milliseconds = (number / 1000 + (number % 1000 == 0 ? 0 : 1), false)
        case "", "ms": milliseconds = (number, false)
        case "s": milliseconds = number.multipliedReportingOverflow(by: 1000)
        case "m": milliseconds = number.multipliedReportingOverflow(by: 60_000)
        case "h": milliseconds = number.multipliedReportingOverflow(by: 3_600_000)
        case "d": milliseconds = number.multipliedReportingOverflow(by: 86_400_000)
        default: return nil
        }
        return milliseconds.overflow ? nil : .milliseconds(milliseconds.partialValue)
    }

    /// The endpoints of a `bind` address list (`192.168.2.232:22`, `*:80`, `:::443`, `ipv4@10.0.0.1:80`,
    /// several separated by commas), or why vipd cannot listen there.
    static func bindEndpoints(_ text: String) -> Result<[SocketEndpoint], AddressProblem> {
        var endpoints: [SocketEndpoint] = []
        for part in text.split(separator: ",") {
            switch endpoint(String(part), wildcardAllowed: true) {
            case .success(let endpoint): endpoints.append(endpoint)
            case .failure(let problem): return .failure(problem)
            }
        }
        return endpoints.isEmpty ? .failure(AddressProblem("no address")) : .success(endpoints)
    }

    /// A `server` address (`192.168.2.230:22`, `[2001:db8::1]:22`), or why vipd cannot connect there.
    static func serverEndpoint(_ text: String) -> Result<SocketEndpoint, AddressProblem> {
        endpoint(text, wildcardAllowed: false)
    }

    /// Why an address cannot be carried, in words.
    struct AddressProblem: Error, Equatable {
        var text: String
        init(_ text: String) { self.text = text }
    }

    private static let ipPrefixes = ["ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@"]

    private static func endpoint(_ raw: String, wildcardAllowed: Bool) -> Result<SocketEndpoint, AddressProblem> {
        var text = Substring(raw)
        if let prefix = ipPrefixes.first(where: { text.hasPrefix($0) }) {
            text = text.dropFirst(prefix.count)
        } else if text.hasPrefix("/") || text.contains("@") {
            return .failure(AddressProblem("\(raw) is not a TCP address; vipd listens and connects on TCP only"))
        }
        guard let colon = text.lastIndex(of: ":") else {
            if IPAddress(String(text)) != nil {
                return .failure(AddressProblem("\(raw) has no port; vipd needs one (haproxy would reuse the client's)"))
            }
            return .failure(AddressProblem("\(raw) is a host name; vipd needs a numeric address (no DNS)"))
        }
        var host = text[..<colon]
        let portText = text[text.index(after: colon)...]
        if portText.contains("-") {
            return .failure(AddressProblem("\(raw) is a port range; vipd listens on one port per listener"))
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            return .failure(AddressProblem("\(raw) has no valid port"))
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        if host.isEmpty || host == "*" || host == "::" {
            guard wildcardAllowed else { return .failure(AddressProblem("\(raw) has no address")) }
            let any = host == "::" ? "::" : "0.0.0.0"
            return .success(SocketEndpoint(address: IPAddress(any)!, port: port))
        }
        guard let address = IPAddress(String(host)) else {
            return .failure(AddressProblem("\(raw) is a host name; vipd needs a numeric address (no DNS)"))
        }
        return .success(SocketEndpoint(address: address, port: port))
    }
}
