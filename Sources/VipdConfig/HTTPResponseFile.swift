/// A whole HTTP response kept in a file, as haproxy's `errorfile` keeps one: a status line, header
/// fields, an empty line, the body (lines end in CRLF or LF). vipd serves its status, fields and
/// body, and writes the framing fields (`Content-Length`, `Connection`) itself.
public struct HTTPResponseFile: Sendable, Equatable {
    /// One header field of the file.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var status: Int
    /// The header fields, in file order, without the framing ones vipd writes itself.
    public var fields: [Field]
    public var body: [UInt8]

    /// Fields vipd writes itself (framing and connection management), dropped from the file.
    public static let framingFields: Set<String> = ["content-length", "transfer-encoding", "connection", "keep-alive"]

    /// The response in `bytes`, or what is wrong with it, in words.
    public static func parse(_ bytes: [UInt8]) -> Result<HTTPResponseFile, HTTPResponseFileError> {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var bodyStart: Int?
        while bodyStart == nil, let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = bytes[start..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            start = newline + 1
            if line.isEmpty, !lines.isEmpty { bodyStart = start } else { lines.append(line) }
        }
        guard let bodyStart else {
            return .failure(HTTPResponseFileError("no empty line after the header fields: not a whole HTTP response"))
        }
        let statusLine = String(decoding: lines[0], as: UTF8.self)
        let words = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count >= 2, words[0] == "HTTP/1.1" || words[0] == "HTTP/1.0", words[1].count == 3,
            let status = Int(words[1]), (200...599).contains(status)
        else {
            return .failure(HTTPResponseFileError("the first line must be a status line like HTTP/1.1 503 Service Unavailable, not \"\(statusLine.prefix(60))\""))
        }
        var fields: [Field] = []
        var declaredLength: Int?
        for (index, raw) in lines.dropFirst().enumerated() {
            let text = String(decoding: raw, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":"), Self.isFieldName(text[..<colon]), Self.isFieldValue(text[text.index(after: colon)...])
            else {
                return .failure(HTTPResponseFileError("line \(index + 2) is not a header field (NAME: value): \"\(text.prefix(60))\""))
            }
            let name = String(text[..<colon])
            let value = text[text.index(after: colon)...].trimmingSpaces()
            if name.lowercased() == "content-length" { declaredLength = Int(value) }
            if !framingFields.contains(name.lowercased()) { fields.append(Field(name: name, value: value)) }
        }
        var body = Array(bytes[bodyStart...])
        if let declaredLength {
            guard declaredLength >= 0 else {
                return .failure(HTTPResponseFileError("Content-Length says \(declaredLength) bytes, which is no length"))
            }
            guard body.count >= declaredLength else {
                return .failure(HTTPResponseFileError("Content-Length says \(declaredLength) bytes, the body has \(body.count)"))
            }
            body = Array(body.prefix(declaredLength))
        }
        return .success(HTTPResponseFile(status: status, fields: fields, body: body))
    }

    /// The value of the first field named `name` (any case).
    public func field(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Whether `name` is a header field name: a non-empty token (RFC 9110 §5.1).
    public static func isFieldName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
            }
    }

    /// Whether `value` may be a header field's value as vipd writes it: printable ASCII and tabs, no line break.
    public static func isFieldValue(_ value: some StringProtocol) -> Bool {
        value.unicodeScalars.allSatisfy { $0 == "\t" || (" "..."~").contains($0) }
    }
}

/// Why a file is not a whole HTTP response.
public struct HTTPResponseFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
