
extension ConfigReader {
    /// The values of `check.kind`.
    static let checkKinds = ["tcp", "ssh-banner", "http", "exec", "none"]
    /// Check options that belong to one kind, with that kind.
    static let kindOptions: [(option: String, kind: String)] = [
        ("expect", "ssh-banner"), ("method", "http"), ("path", "http"), ("host", "http"), ("expect_status", "http"),
        ("command", "exec"),
    ]

    /// A pool's `check`: the kind, its timing and the options of that kind. Options of another kind
    /// (e.g. `path` with `kind: ssh-banner`) are errors.
    func readHealthCheck(_ node: YAMLNode, path: String) -> HealthCheckConfig? {
        guard let fields = fields(of: node, path: path, owner: node.position, as: .healthCheck) else { return nil }
        let defaults = HealthCheckConfig()
        let kindName: String? =
            fields["kind"].map { readChoice($0, path: fields.path("kind"), among: Self.checkKinds) } ?? "tcp"
        let interval: Duration? =
            fields["interval"].map { readDuration($0, path: fields.path("interval"), bareNumber: .haproxyMilliseconds) } ?? defaults.interval
        let timeout: Duration? =
            fields["timeout"].map { readDuration($0, path: fields.path("timeout"), bareNumber: .haproxyMilliseconds) } ?? defaults.timeout
        let fall: Int? =
            fields["fall"].map { readInt($0, path: fields.path("fall"), range: 1...Int.max) } ?? defaults.fall
        let rise: Int? =
            fields["rise"].map { readInt($0, path: fields.path("rise"), range: 1...Int.max) } ?? defaults.rise

        var valid = true
        let kind: HealthCheckKind?
        switch kindName {
        case nil:
            kind = nil
            valid = false
        case "none":
            kind = nil
        case "ssh-banner":
            let pattern =
                fields["expect"].map { readPattern($0, path: fields.path("expect")) }
                ?? HealthCheckKind.defaultSSHBannerPattern
            kind = pattern.map { .sshBanner(pattern: $0) }
            valid = pattern != nil
        case "http":
            let settings = readHTTPSettings(fields)
            kind = settings.map { .http($0) }
            valid = settings != nil
        case "exec":
            let command = readCommand(fields)
            kind = command.map { .exec(command: $0) }
            valid = command != nil
        default:
            kind = .tcp
        }
        if let kindName {
            for entry in fields.entries {
                guard let owner = Self.kindOptions.first(where: { $0.option == entry.name })?.kind, owner != kindName
                else { continue }
                report(
                    "\"\(entry.name)\" only applies to kind \(owner), not \(kindName)", at: entry.key,
                    path: fields.path(entry.name))
                valid = false
            }
        }
        guard valid, let interval, let timeout, let fall, let rise else { return nil }
        return HealthCheckConfig(kind: kind, interval: interval, timeout: timeout, fall: fall, rise: rise)
    }

    /// `command` of an `exec` check: required, not blank.
    private func readCommand(_ fields: Fields) -> String? {
        guard let node = required("command", in: fields) else { return nil }
        guard let command = readString(node, path: fields.path("command")) else { return nil }
        guard !command.allSatisfy(\.isWhitespace) else {
            report("command is empty: give the command to run through /bin/sh -c", at: node, path: fields.path("command"))
            return nil
        }
        return command
    }

    /// `expect`: a regular expression (Swift `Regex` syntax) the SSH banner line must match.
    private func readPattern(_ node: YAMLNode, path: String) -> String? {
        guard let pattern = readString(node, path: path) else { return nil }
        do {
            _ = try Regex(pattern)
            return pattern
        } catch {
            report("invalid regular expression \"\(pattern)\": \(error)", at: node, path: path)
            return nil
        }
    }

    /// The `http` options: `method`, `path`, `host`, `expect_status`.
    private func readHTTPSettings(_ fields: Fields) -> HTTPCheckSettings? {
        let defaults = HTTPCheckSettings()
        let method: String? = fields["method"].map { readHTTPToken($0, path: fields.path("method")) } ?? defaults.method
        let path: String? = fields["path"].map { readHTTPPath($0, path: fields.path("path")) } ?? defaults.path
        let hostNode = fields["host"]
        let host = hostNode.flatMap { readHTTPHost($0, path: fields.path("host")) }
        let expectStatus: [Int]? =
            fields["expect_status"].map { readStatuses($0, path: fields.path("expect_status")) }
            ?? defaults.expectStatus
        guard let method, let path, hostNode == nil || host != nil, let expectStatus else { return nil }
        return HTTPCheckSettings(method: method, path: path, host: host, expectStatus: expectStatus)
    }

    /// An HTTP method: upper-case ASCII letters.
    private func readHTTPToken(_ node: YAMLNode, path: String) -> String? {
        guard let method = readString(node, path: path) else { return nil }
        guard method.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
            report("invalid HTTP method \"\(method)\": use an upper-case method like GET or HEAD", at: node, path: path)
            return nil
        }
        return method
    }

    /// A request path: starts with `/`, no spaces or control characters.
    private func readHTTPPath(_ node: YAMLNode, path: String) -> String? {
        guard let requestPath = readString(node, path: path) else { return nil }
        guard requestPath.hasPrefix("/"), !Self.hasSpaceOrControl(requestPath) else {
            report("invalid path \"\(requestPath)\": must start with \"/\" and contain no spaces", at: node, path: path)
            return nil
        }
        return requestPath
    }

    /// A Host header value: no spaces or control characters.
    private func readHTTPHost(_ node: YAMLNode, path: String) -> String? {
        guard let host = readString(node, path: path) else { return nil }
        guard !Self.hasSpaceOrControl(host) else {
            report("invalid host \"\(host)\": must contain no spaces", at: node, path: path)
            return nil
        }
        return host
    }

    private static func hasSpaceOrControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }

    /// `expect_status`: one status or a non-empty list of statuses, each 100...599.
    private func readStatuses(_ node: YAMLNode, path: String) -> [Int]? {
        guard case .sequence(let sequence) = node else {
            return readInt(node, path: path, range: 100...599).map { [$0] }
        }
        if sequence.isEmpty {
            report("expect_status needs at least one status", at: node, path: path)
            return nil
        }
        let statuses = sequence.enumerated().map { readInt($1, path: "\(path)[\($0)]", range: 100...599) }
        return statuses.contains(nil) ? nil : statuses.compactMap { $0 }
    }
}
