import FoundationEssentials

/// The control socket's framing, pure: each message is one line of JSON (UTF-8, sorted keys, no
/// newline inside) ended by `\n`; the client sends one request, the daemon answers once and closes.
public enum ControlWire {
    /// The longest line either side accepts (a status report of a large cluster fits many times over).
    public static let maximumLineLength = 1 << 20

    /// `value` as one JSON line, newline included.
    public static func line<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding our own report types cannot fail: they hold only strings, numbers and booleans.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Array(data) + [UInt8(ascii: "\n")]
    }

    /// Decodes one line (with or without its newline); the error names what is wrong.
    public static func decode<Value: Decodable>(_ type: Value.Type, from line: [UInt8]) throws(ControlError) -> Value {
        let bytes = line.last == UInt8(ascii: "\n") ? Array(line.dropLast()) : line
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw ControlError("malformed control message: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw ControlError("malformed control message: no \(key.stringValue)")
        } catch {
            throw ControlError("malformed control message: not the JSON of a \(type)")
        }
    }

    /// The request's version check: nil when the daemon speaks it, else the refusal.
    public static func versionProblem(of request: ControlRequest) -> ControlError? {
        guard request.version != ControlRequest.protocolVersion else { return nil }
        return ControlError(
            "control protocol version \(request.version) is not spoken by this vipd (it speaks \(ControlRequest.protocolVersion)): use the vipd ctl of the running build")
    }
}
