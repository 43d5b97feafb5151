import VipdConfig

/// `http-request return [status N] [content-type TYPE] [file PATH | string TEXT | …] [hdr NAME VALUE]…
/// [if|unless CONDITION]`, read word by word (pure).
struct HAProxyReturnRule: Equatable {
    /// Where the answer's body comes from.
    enum Body: Equatable {
        case none
        /// `file PATH`: the body is the file's content, served as it is.
        case file(String)
        /// Another source (`string`, `lf-string`, `lf-file`, `errorfile`, `errorfiles`,
        /// `default-errorfiles`), by its keyword.
        case other(String)
    }

    var status: Int = 200
    var contentType: String?
    var body: Body = .none
    /// `hdr NAME VALUE` pairs, in order (the value is haproxy log-format text).
    var headers: [HTTPResponseFile.Field] = []
    /// The words after `if` or `unless`, with that word first; empty when the rule always applies.
    var condition: [String] = []

    /// Reads the arguments of `http-request` (`return` first); nil when it is not a return rule or a
    /// word is missing or unknown.
    init?(_ arguments: ArraySlice<String>) {
        guard arguments.first == "return" else { return nil }
        var words = arguments.dropFirst()
        while let word = words.popFirst() {
            switch word {
            case "status":
                guard let value = words.popFirst().flatMap({ Int($0) }), (200...599).contains(value) else { return nil }
                status = value
            case "content-type":
                guard let value = words.popFirst() else { return nil }
                contentType = value
            case "file", "string", "lf-string", "lf-file", "errorfile", "errorfiles":
                guard let value = words.popFirst(), body == .none else { return nil }
                body = word == "file" ? .file(value) : .other(word)
            case "default-errorfiles":
                guard body == .none else { return nil }
                body = .other(word)
            case "hdr":
                guard let name = words.popFirst(), let value = words.popFirst() else { return nil }
                headers.append(HTTPResponseFile.Field(name: name, value: value))
            case "if", "unless":
                condition = [word] + words
                return
            default:
                return nil
            }
        }
    }

    /// The backend whose usable servers a condition counts when it holds exactly when none is up:
    /// `if ACL` with `acl ACL nbsrv(BACKEND) eq 0` (or `lt 1`), or the anonymous `if { nbsrv(BACKEND) eq 0 }`.
    /// `acls` maps an ACL name to its words after the name. The result is "" for `nbsrv` without a
    /// backend (the current one); nil for any other condition.
    func noServerBackend(acls: [String: [String]]) -> String? {
        guard condition.first == "if" else { return nil }
        let test = Array(condition.dropFirst())
        if test.count == 1, let definition = acls[test[0]] { return Self.noServerTest(definition) }
        if test.first == "{", test.last == "}" { return Self.noServerTest(Array(test.dropFirst().dropLast())) }
        return nil
    }

    /// `nbsrv(BACKEND) eq 0` or `nbsrv(BACKEND) lt 1` (also `nbsrv` alone): the backend's name.
    private static func noServerTest(_ words: [String]) -> String? {
        guard words.count == 3, ["eq 0", "lt 1"].contains("\(words[1]) \(words[2])") else { return nil }
        let fetch = words[0]
        if fetch == "nbsrv" || fetch == "nbsrv()" { return "" }
        guard fetch.hasPrefix("nbsrv("), fetch.hasSuffix(")") else { return nil }
        return String(fetch.dropFirst(6).dropLast())
    }
}
