import VipdCore

extension ConfigReader {
    /// The `listeners` section: a mapping from listener name to its settings; at least one listener.
    /// Each `pool` must be one of `poolNames`, and no two listeners may bind conflicting endpoints.
    func readListeners(_ node: YAMLNode, path: String, poolNames: [String]) -> [ListenerConfig] {
        guard let entries = namedEntries(of: node, path: path, emptyMessage: "at least one listener is needed") else {
            return []
        }
        var listeners: [ListenerConfig] = []
        for entry in entries {
            let listenerPath = Self.join(path, entry.name)
            guard let listener = readListener(entry, path: listenerPath, poolNames: poolNames) else { continue }
            if let other = listeners.first(where: { $0.bind.conflicts(with: listener.bind) }) {
                let reason = other.bind == listener.bind ? "is already used by" : "overlaps (wildcard address) with"
                report(
                    "bind \(listener.bind) \(reason) listener \"\(other.name)\" (\(other.bind))",
                    at: entry.value.mapping?["bind"] ?? entry.value, path: Self.join(listenerPath, "bind"))
                continue
            }
            listeners.append(listener)
        }
        return listeners
    }

    /// One `listeners.NAME` entry.
    private func readListener(_ entry: Entry, path: String, poolNames: [String]) -> ListenerConfig? {
        guard let fields = fields(of: entry.value, path: path, owner: entry.key.position, as: .listener) else {
            return nil
        }
        // Only the defaults of this placeholder are used.
        let defaults = ListenerConfig(
            name: entry.name, bind: SocketEndpoint(address: IPAddress("0.0.0.0")!, port: 1), pool: "")
        let bind = required("bind", in: fields).flatMap { readEndpoint($0, path: fields.path("bind")) }
        let mode: ListenerMode? =
            fields["mode"].map { readChoice($0, path: fields.path("mode"), as: ListenerMode.self) } ?? defaults.mode
        let pool = required("pool", in: fields).flatMap {
            readPoolReference($0, path: fields.path("pool"), poolNames: poolNames)
        }
        let idleTimeout: Duration? =
            fields["idle_timeout"].map { readDuration($0, path: fields.path("idle_timeout"), bareNumber: .haproxyMilliseconds) } ?? defaults.idleTimeout
        let connectTimeout: Duration? =
            fields["connect_timeout"].map { readDuration($0, path: fields.path("connect_timeout"), bareNumber: .haproxyMilliseconds) }
            ?? defaults.connectTimeout
        let maxConnections: Int? =
            fields["maxconn"].map { readInt($0, path: fields.path("maxconn"), range: 1...Int.max) }
            ?? defaults.maxConnections
        let retries: Int? =
            fields["retries"].map { readInt($0, path: fields.path("retries"), range: 0...10) } ?? defaults.retries
        let http: HTTPListenerSettings? =
            fields["http"].map { readHTTPListenerSettings($0, path: fields.path("http"), mode: mode) } ?? defaults.http
        guard let bind, let mode, let pool, let idleTimeout, let connectTimeout, let maxConnections, let retries, let http
        else {
            return nil
        }
        return ListenerConfig(
            name: entry.name, bind: bind, mode: mode, pool: pool, idleTimeout: idleTimeout,
            connectTimeout: connectTimeout, maxConnections: maxConnections, retries: retries, http: http)
    }

    /// A listener's `pool`: the name of a pool defined in `pools`.
    private func readPoolReference(_ node: YAMLNode, path: String, poolNames: [String]) -> String? {
        guard let name = readString(node, path: path) else { return nil }
        if poolNames.contains(name) { return name }
        if let suggestion = closestMatch(to: name, among: poolNames) {
            report("no pool named \"\(name)\" in pools (did you mean \"\(suggestion)\"?)", at: node, path: path)
        } else {
            let defined = poolNames.isEmpty ? "none are defined" : "defined: \(poolNames.joined(separator: ", "))"
            report("no pool named \"\(name)\" in pools (\(defined))", at: node, path: path)
        }
        return nil
    }
}
