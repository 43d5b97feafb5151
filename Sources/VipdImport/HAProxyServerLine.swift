import VipdCore

/// The options of a `server` or `default-server` line that vipd understands, each with the word that set it.
struct HAProxyServerOptions {
    var check: Bool?
    var inter: Duration?
    var fall: Int?
    var rise: Int?
    var weight: Int?
    var backup: Bool?
    /// `port N`: the port health checks go to.
    var checkPort: Int?
    /// Words vipd does not carry, with their value when they take one (`maxconn 100`, `ssl`, `★5`).
    var uncarried: [String] = []
    /// Words whose value is malformed (`inter 2x`).
    var malformed: [String] = []

    /// Options that take a value, so that the value is not read as an option of its own.
    private static let valued: Set<String> = [
        "inter", "fastinter", "downinter", "fall", "rise", "weight", "port", "addr", "maxconn", "minconn", "maxqueue",
        "cookie", "slowstart", "on-error", "on-marked-down", "on-marked-up", "error-limit", "observe", "check-sni", "sni",
        "verify", "ca-file", "crt", "crl-file", "ciphers", "ciphersuites", "alpn", "proto", "resolvers",
        "resolve-prefer", "resolve-net", "init-addr", "source", "namespace", "id", "agent-port", "agent-inter",
        "agent-addr", "agent-send", "pool-max-conn", "pool-purge-delay", "pool-low-conn", "max-reuse", "ws",
        "log-proto", "redir", "track", "proxy-v2-options", "check-proto", "check-alpn", "usesrc", "tcp-ut", "set-proxy-v2-tlv-fmt",
        "hash-key", "npn", "curves", "sigalgs", "client-sigalgs", "allow-0rtt", "shard", "guid",
    ]

    /// Reads the option words of a server line (after the address) or a `default-server` line.
    init(words: ArraySlice<String>) {
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            let value = Self.valued.contains(word) && index + 1 < words.endIndex ? words[index + 1] : nil
            index += value == nil ? 1 : 2
            switch (word, value) {
            case ("check", _): check = true
            case ("no-check", _): check = false
            case ("backup", _): backup = true
            case ("no-backup", _): backup = false
            case ("inter", let value?): inter = read(word, value, HAProxyValues.time)
            case ("fall", let value?): fall = read(word, value) { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
            case ("rise", let value?): rise = read(word, value) { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
            case ("weight", let value?): weight = read(word, value) { Int($0).flatMap { (0...256).contains($0) ? $0 : nil } }
            case ("port", let value?): checkPort = read(word, value) { Int($0).flatMap { (1...65535).contains($0) ? $0 : nil } }
            default: uncarried.append(value.map { "\(word) \($0)" } ?? word)
            }
        }
    }

    private mutating func read<T>(_ word: String, _ value: String, _ parse: (String) -> T?) -> T? {
        guard let parsed = parse(value) else {
            malformed.append("\(word) \(value)")
            return nil
        }
        return parsed
    }

    /// These options over `defaults` (a `default-server` line): the server's own value wins.
    func over(_ defaults: HAProxyServerOptions?) -> HAProxyServerOptions {
        guard let defaults else { return self }
        var merged = self
        merged.check = check ?? defaults.check
        merged.inter = inter ?? defaults.inter
        merged.fall = fall ?? defaults.fall
        merged.rise = rise ?? defaults.rise
        merged.weight = weight ?? defaults.weight
        merged.backup = backup ?? defaults.backup
        merged.checkPort = checkPort ?? defaults.checkPort
        return merged
    }
}

/// A `server NAME ADDRESS [options]` line read for vipd.
struct HAProxyServerLine {
    var directive: HAProxyDirective
    var name: String
    var endpoint: Result<SocketEndpoint, HAProxyValues.AddressProblem>
    /// The line's own options over the backend's `default-server`.
    var options: HAProxyServerOptions
    /// The line's own options only (what it wrote itself, for messages).
    var ownOptions: HAProxyServerOptions

    /// nil when the line has no name or address.
    init?(_ directive: HAProxyDirective, defaultServer: HAProxyServerOptions?) {
        let words = directive.words
        guard words.count >= 3 else { return nil }
        self.directive = directive
        name = words[1]
        endpoint = HAProxyValues.serverEndpoint(words[2])
        ownOptions = HAProxyServerOptions(words: words.dropFirst(3))
        options = ownOptions.over(defaultServer)
    }
}
