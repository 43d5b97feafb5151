import VipdConfig
import VipdCore

extension HAProxyTranslator {
    /// The `http` block of a `mode http` listener: the client side from the frontend, the server side
    /// from the backend, as haproxy reads them.
    mutating func httpSettings(frontend: HAProxyProxy, backend: HAProxyProxy) -> HTTPListenerSettings {
        var settings = HTTPListenerSettings()
        settings.forwardedFor = forwardedFor(frontend: frontend, backend: backend)
        settings.serverReuse = serverReuse(frontend: frontend, backend: backend)
        if let (timeout, _) = time("timeout http-request", of: frontend) { settings.requestTimeout = timeout }
        if let (timeout, _) = time("timeout server", of: backend) { settings.serverTimeout = timeout }
        if let keepAlive = resolve("timeout http-keep-alive", of: frontend) {
            ledger.list(
                keepAlive.location, keepAlive.text,
                "vipd gives a kept-alive client request_timeout (\(settings.requestTimeout.configText)) to send its next request")
        }
        for proxy in Self.sides(frontend, backend) {
            if let httplog = option("httplog", of: proxy) { ledger.carry(httplog.location) }
            // vipd's access log has a line per request, none for a connection that sent none.
            if let dontlognull = option("dontlognull", of: proxy) { ledger.carry(dontlognull.location) }
        }
        settings.sorryPage = noServerPage(frontend: frontend, backend: backend)
        return settings
    }

    /// The frontend and the backend, once for a `listen` section that is both.
    private static func sides(_ frontend: HAProxyProxy, _ backend: HAProxyProxy) -> [HAProxyProxy] {
        frontend.section.header.location == backend.section.header.location ? [frontend] : [frontend, backend]
    }

    /// `option forwardfor` in the frontend or the backend: vipd appends the client to X-Forwarded-For.
    private mutating func forwardedFor(frontend: HAProxyProxy, backend: HAProxyProxy) -> Bool {
        let found = Self.sides(frontend, backend).compactMap { option("forwardfor", of: $0) }
        for directive in found {
            ledger.carry(directive.location)
            var words = directive.arguments.dropFirst()
            while let word = words.popFirst() {
                let value = ["except", "header"].contains(word) ? words.popFirst() : nil
                let why =
                    switch word {
                    case "except": "vipd adds X-Forwarded-For for every client, also from \(value ?? "that network")"
                    case "header": "vipd writes X-Forwarded-For, not \(value ?? "another header")"
                    case "if-none": "vipd always appends the client to X-Forwarded-For"
                    default: "not an option forwardfor parameter"
                    }
                ledger.remark(directive.location, directive.text, "\"\(word)\(value.map { " \($0)" } ?? "")\" not carried: \(why)")
            }
        }
        return !found.isEmpty
    }

    /// Whether a server connection carries more than one request: `option http-server-close`,
    /// `option httpclose` and `http-reuse never` close it after each response.
    private mutating func serverReuse(frontend: HAProxyProxy, backend: HAProxyProxy) -> HTTPServerReuse {
        var reuse = HTTPServerReuse.safe
        for proxy in Self.sides(frontend, backend) {
            if let keepAlive = option("http-keep-alive", of: proxy) { ledger.carry(keepAlive.location) }
            if let close = option("http-server-close", of: proxy) {
                ledger.carry(close.location)
                reuse = .never
            }
            for name in ["httpclose", "forceclose"] {
                if let close = option(name, of: proxy) {
                    ledger.carry(close.location)
                    ledger.remark(
                        close.location, close.text,
                        "vipd closes each server connection after its response (server_reuse: never) and keeps the client's open")
                    reuse = .never
                }
            }
        }
        if let directive = resolve("http-reuse", of: backend) {
            switch directive.words.dropFirst().first {
            case "never":
                ledger.carry(directive.location)
                reuse = .never
            case "safe":
                ledger.carry(directive.location)
            case "aggressive", "always":
                ledger.carry(directive.location)
                ledger.remark(
                    directive.location, directive.text,
                    "vipd reuses a server connection only for a request it can send again (server_reuse: safe)")
            default:
                ledger.list(directive.location, directive.text, "http-reuse takes never, safe, aggressive or always")
            }
        }
        return reuse
    }

    /// What haproxy answers when no server is up: a no-server return rule, else `errorfile 503`. An
    /// `errorfile 503` that does not answer is listed with what answers instead.
    private mutating func noServerPage(frontend: HAProxyProxy, backend: HAProxyProxy) -> SorryPage? {
        func errorFiles(of proxy: HAProxyProxy) -> [HAProxyDirective] {
            (proxy.inherited("errorfile") + proxy.own("errorfile")).filter { $0.words.count == 3 && $0.words[1] == "503" }.reversed()
        }
        // The one haproxy uses first: the backend's last, else the frontend's last.
        var candidates: [HAProxyDirective] = []
        for directive in errorFiles(of: backend) + errorFiles(of: frontend) where !candidates.contains(where: { $0.location == directive.location }) {
            candidates.append(directive)
        }
        if let (page, rule) = returnRulePage(frontend: frontend, backend: backend) {
            for unused in candidates {
                ledger.list(unused.location, unused.text, "not used: the no-server rule at \(rule.location) answers first, as in haproxy")
            }
            return page
        }
        guard let chosen = candidates.first else { return nil }
        for unused in candidates.dropFirst() {
            ledger.list(unused.location, unused.text, "not used: errorfile 503 at \(chosen.location) answers instead, as in haproxy")
        }
        return errorFile503(chosen)
    }

    /// The page of `http-request return … file PATH if <no server of the backend is up>`, found in
    /// the frontend or the backend, and that rule. The file is read now, as vipd reads it when it
    /// loads vipd.yaml.
    private mutating func returnRulePage(frontend: HAProxyProxy, backend: HAProxyProxy) -> (SorryPage, HAProxyDirective)? {
        for proxy in Self.sides(frontend, backend) {
            let aclLines = proxy.own("acl").filter { $0.words.count > 2 }
            let acls = Dictionary(aclLines.map { ($0.words[1], Array($0.words.dropFirst(2))) }, uniquingKeysWith: { _, last in last })
            for directive in proxy.own("http-request") {
                guard let rule = HAProxyReturnRule(directive.arguments),
                    let named = rule.noServerBackend(acls: acls),
                    named == backend.name || (named.isEmpty && proxy.kind != .frontend)
                else { continue }
                let conditionACLs = aclLines.filter { rule.condition.dropFirst().contains($0.words[1]) }
                guard let page = readSorryPage(rule, of: directive) else {
                    for acl in conditionACLs {
                        ledger.list(acl.location, acl.text, "the no-server condition of \(directive.location), not carried with it")
                    }
                    continue
                }
                ledger.carry(directive.location)
                conditionACLs.forEach { ledger.carry($0.location) }
                return (page, directive)
            }
        }
        return nil
    }

    /// `errorfile 503 PATH`: the whole response haproxy sends when no server is up, which vipd
    /// serves as `sorry_page: { response }`. The file is read now, as vipd reads it when it loads
    /// vipd.yaml; when it cannot be, the line stays listed with the reason.
    private mutating func errorFile503(_ directive: HAProxyDirective) -> SorryPage? {
        let path = directive.words[2]
        guard let body = readNoServerFile(path, of: directive, suggestion: "sorry_page: { response: \(path) }") else { return nil }
        switch HTTPResponseFile.parse(body) {
        case .success(let parsed):
            ledger.carry(directive.location)
            return SorryPage(response: path, parsed: parsed)
        case .failure(let error):
            ledger.list(directive.location, directive.text, "\(path) is not a whole HTTP response (\(error)); vipd would refuse it")
            return nil
        }
    }

    /// The page a no-server return rule serves, read now; nil (and the rule listed) when vipd cannot serve it.
    private mutating func readSorryPage(_ rule: HAProxyReturnRule, of directive: HAProxyDirective) -> SorryPage? {
        guard case .file(let path) = rule.body else {
            ledger.list(
                directive.location, directive.text,
                "vipd serves the no-server page from a file: put the page in one and set sorry_page: { file: … }")
            return nil
        }
        let suggestion =
            "sorry_page: { file: \(path), status: \(rule.status)\(rule.contentType.map { ", content_type: \($0)" } ?? "") }"
        guard let body = readNoServerFile(path, of: directive, suggestion: suggestion) else { return nil }
        var page = SorryPage(file: path, body: body, status: rule.status, contentType: rule.contentType ?? SorryPage.defaultContentType)
        page.fields = carriedHeaders(rule.headers, of: directive)
        return page
    }

    /// The `hdr NAME VALUE` fields of a no-server rule that the page's `headers` can carry; each other
    /// one is remarked at the rule with the reason.
    private mutating func carriedHeaders(_ headers: [HTTPResponseFile.Field], of directive: HAProxyDirective) -> [HTTPResponseFile.Field] {
        var carried: [HTTPResponseFile.Field] = []
        for header in headers {
            var problem = SorryPage.headerNameProblem(header.name, after: carried)
            if problem == nil, header.value.contains("%") {
                problem = "its value is haproxy log-format, which vipd does not evaluate"
            } else if problem == nil, !HTTPResponseFile.isFieldValue(header.value) {
                problem = "vipd writes printable ASCII values only"
            }
            if let problem {
                ledger.remark(directive.location, directive.text, "hdr \(header.name) not carried: \(problem)")
            } else {
                carried.append(header)
            }
        }
        return carried
    }

    /// The file of a no-server page or response, read now as vipd will read it; nil (and `directive`
    /// listed, with `suggestion` to add where the file exists) when it cannot be read or served.
    private mutating func readNoServerFile(_ path: String, of directive: HAProxyDirective, suggestion: String) -> [UInt8]? {
        let body: [UInt8]
        do {
            body = try readFile(path)
        } catch {
            ledger.list(
                directive.location, directive.text,
                "cannot read \(path) here (\(error)); where it exists, add \(suggestion) to the listener's http block")
            return nil
        }
        guard body.count <= SorryPage.maxSize, path.hasPrefix("/") else {
            ledger.list(directive.location, directive.text, "vipd needs an absolute path to a file of at most 1 MiB: \(path) is not carried")
            return nil
        }
        return body
    }
}
