
extension ConfigReader {
    /// A listener's `http` block: forwarded headers, the sorry page, limits and timeouts.
    /// Only a `mode: http` listener may have one (`mode` nil: the mode itself was invalid).
    func readHTTPListenerSettings(_ node: YAMLNode, path: String, mode: ListenerMode?) -> HTTPListenerSettings? {
        if let mode, mode != .http {
            report("\"http\" only applies to mode: http, not \(mode.rawValue)", at: node, path: path)
            return nil
        }
        guard let fields = fields(of: node, path: path, owner: node.position, as: .httpListener) else { return nil }
        let defaults = HTTPListenerSettings()
        func flag(_ name: String, _ fallback: Bool) -> Bool? {
            fields[name].map { readBool($0, path: fields.path(name)) } ?? fallback
        }
        func count(_ name: String, _ range: ClosedRange<Int>, _ fallback: Int) -> Int? {
            fields[name].map { readInt($0, path: fields.path(name), range: range) } ?? fallback
        }
        func duration(_ name: String, _ fallback: Duration) -> Duration? {
            fields[name].map { readDuration($0, path: fields.path(name), bareNumber: .haproxyMilliseconds) } ?? fallback
        }
        let forwardedFor = flag("forwarded_for", defaults.forwardedFor)
        let forwardedProto = flag("forwarded_proto", defaults.forwardedProto)
        let forwarded = flag("forwarded", defaults.forwarded)
        let sorryPage: SorryPage?? = fields["sorry_page"].map { readSorryPage($0, path: fields.path("sorry_page")) }
        let maxHeaderBytes = count("max_header_bytes", 1024...1_048_576, defaults.maxHeaderBytes)
        let maxHeaders = count("max_headers", 1...10_000, defaults.maxHeaders)
        let maxBodyBytes = count("max_body_bytes", 0...Int.max, defaults.maxBodyBytes)
        let requestTimeout = duration("request_timeout", defaults.requestTimeout)
        let serverTimeout = duration("server_timeout", defaults.serverTimeout)
        let serverReuse: HTTPServerReuse? =
            fields["server_reuse"].map { readChoice($0, path: fields.path("server_reuse"), as: HTTPServerReuse.self) } ?? defaults.serverReuse
        let serverIdleTimeout = duration("server_idle_timeout", defaults.serverIdleTimeout)
        guard let forwardedFor, let forwardedProto, let forwarded, let maxHeaderBytes, let maxHeaders, let maxBodyBytes,
            let requestTimeout, let serverTimeout, let serverReuse, let serverIdleTimeout,
            sorryPage.map({ $0 != nil }) ?? true
        else { return nil }
        return HTTPListenerSettings(
            forwardedFor: forwardedFor, forwardedProto: forwardedProto, forwarded: forwarded, sorryPage: sorryPage ?? nil,
            maxHeaderBytes: maxHeaderBytes, maxHeaders: maxHeaders, maxBodyBytes: maxBodyBytes,
            requestTimeout: requestTimeout, serverTimeout: serverTimeout, serverReuse: serverReuse,
            serverIdleTimeout: serverIdleTimeout)
    }

    /// `sorry_page: { file, status, content_type, headers }` or `sorry_page: { response }`; the file
    /// must exist, be readable and at most 1 MiB; a response must be a whole HTTP response.
    private func readSorryPage(_ node: YAMLNode, path: String) -> SorryPage? {
        guard let fields = fields(of: node, path: path, owner: node.position, as: .sorryPage) else { return nil }
        if let responseNode = fields["response"] {
            let others = ConfigMapping.sorryPage.keys.filter { $0 != "response" && fields[$0] != nil }
            guard others.isEmpty else {
                report(
                    "response is a whole HTTP response with its own status and fields: use it without \(others.joined(separator: ", "))",
                    at: responseNode, path: fields.path("response"))
                return nil
            }
            guard let file = readPageFile(responseNode, path: fields.path("response")) else { return nil }
            switch HTTPResponseFile.parse(file.body) {
            case .success(let parsed):
                return SorryPage(response: file.path, parsed: parsed)
            case .failure(let error):
                report("\(file.path) is not a whole HTTP response: \(error)", at: responseNode, path: fields.path("response"))
                return nil
            }
        }
        let status: Int? = fields["status"].map { readInt($0, path: fields.path("status"), range: 200...599) } ?? 503
        let contentType: String? =
            fields["content_type"].map { readContentType($0, path: fields.path("content_type")) }
            ?? SorryPage.defaultContentType
        let headers: [HTTPResponseFile.Field]? = fields["headers"].map { readPageHeaders($0, path: fields.path("headers")) } ?? []
        let file = required("file", in: fields).flatMap { readPageFile($0, path: fields.path("file")) }
        guard let status, let contentType, let headers, let file else { return nil }
        var page = SorryPage(file: file.path, body: file.body, status: status, contentType: contentType)
        page.fields = headers
        return page
    }

    /// `headers: { NAME: value, … }`: more header fields of the page, served in this order (e.g.
    /// `Retry-After`); not the ones vipd writes itself to frame the response, nor `Content-Type`
    /// (`content_type`).
    private func readPageHeaders(_ node: YAMLNode, path: String) -> [HTTPResponseFile.Field]? {
        guard let entries = entries(of: node, path: path) else { return nil }
        var headers: [HTTPResponseFile.Field] = []
        var valid = true
        for entry in entries {
            let fieldPath = Self.join(path, entry.name)
            if let problem = SorryPage.headerNameProblem(entry.name, after: headers) {
                report(problem, at: entry.key, path: fieldPath)
                valid = false
                continue
            }
            guard let value = readString(entry.value, path: fieldPath) else {
                valid = false
                continue
            }
            guard HTTPResponseFile.isFieldValue(value) else {
                report("invalid value of \(entry.name): use printable ASCII, without line breaks", at: entry.value, path: fieldPath)
                valid = false
                continue
            }
            headers.append(HTTPResponseFile.Field(name: entry.name, value: value))
        }
        return valid ? headers : nil
    }

    /// The sorry page's `file`: an absolute path, read now.
    private func readPageFile(_ node: YAMLNode, path: String) -> (path: String, body: [UInt8])? {
        guard let file = readString(node, path: path) else { return nil }
        guard file.hasPrefix("/") else {
            report("\"\(file)\" must be an absolute path, like /etc/vipd/sorry.html", at: node, path: path)
            return nil
        }
        do {
            let body = try ConfigLoader.readFile(file)
            guard body.count <= SorryPage.maxSize else {
                report("\(file) is \(body.count) bytes; a sorry page may have at most 1 MiB", at: node, path: path)
                return nil
            }
            return (file, body)
        } catch {
            report("cannot read the sorry page \(file): \(error.text)", at: node, path: path)
            return nil
        }
    }

    /// A `Content-Type` value: printable ASCII, no line breaks.
    private func readContentType(_ node: YAMLNode, path: String) -> String? {
        guard let text = readString(node, path: path) else { return nil }
        guard text.unicodeScalars.allSatisfy({ (" "..."~").contains($0) }) else {
            report("invalid content type \"\(text)\": use printable ASCII, like text/html; charset=utf-8", at: node, path: path)
            return nil
        }
        return text
    }
}
