import FoundationEssentials
import VipdCore
import VipdVRRP

/// What a peer's stats listener answered to `GET /stats.json`: its node name and VRRP instances,
/// or why the answer cannot be read, in words for the page (pure: the bytes of a whole response,
/// read until the peer closed).
public enum PeerStatsAnswer {
    /// The part of a peer's `stats.json` the cluster view needs.
    public struct View: Decodable, Sendable, Equatable {
        public var node: String?
        public var vrrp: [VRRPInstanceStatus]
    }

    /// The view in `response`, which must be a complete `200` response with a JSON body.
    public static func parse(_ response: [UInt8]) -> Result<View, PeerStatsError> {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = firstIndex(of: separator, in: response) else {
            return .failure(PeerStatsError(response.isEmpty ? "closed without answering" : "no complete HTTP response"))
        }
        let headText = String(decoding: response[..<headEnd], as: UTF8.self)
        let lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusWords = lines.first?.split(separator: " ", maxSplits: 2) ?? []
        guard statusWords.count >= 2, statusWords[0].hasPrefix("HTTP/1."), let status = Int(statusWords[1]) else {
            return .failure(PeerStatsError("not an HTTP response: \(lines.first.map(String.init) ?? "")"))
        }
        guard status == 200 else {
            let hint = status == 401 ? " (stats.auth differs between the nodes?)" : ""
            return .failure(PeerStatsError("answered HTTP \(status)\(hint)"))
        }
        var body = Array(response[(headEnd + separator.count)...])
        let lengthLine = lines.dropFirst().first { $0.lowercased().hasPrefix("content-length:") }
        if let lengthLine, let length = Int(lengthLine.dropFirst("content-length:".count).trimmingWhitespace()) {
            guard length >= 0 else { return .failure(PeerStatsError("a negative Content-Length (\(length))")) }
            guard body.count >= length else {
                return .failure(PeerStatsError("the answer was cut short (\(body.count) of \(length) bytes)"))
            }
            body = Array(body.prefix(length))
        }
        do {
            return .success(try JSONDecoder().decode(View.self, from: Data(body)))
        } catch {
            return .failure(PeerStatsError("not vipd's stats.json: \(describe(error))"))
        }
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { start in
            haystack[start..<(start + needle.count)].elementsEqual(needle)
        }
    }

    /// A decoding error in a few words: what is missing or wrong, and where.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : " at " + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "no \"\(key.stringValue)\"\(at(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "unexpected value\(at(context.codingPath))"
        case .dataCorrupted(let context): return "invalid JSON\(at(context.codingPath))"
        @unknown default: return "\(error)"
        }
    }
}

/// Why a peer's stats could not be had, in words.
public struct PeerStatsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
