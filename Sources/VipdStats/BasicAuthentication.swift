import FoundationEssentials
import VipdConfig
import VipdCore

/// HTTP basic authentication (RFC 7617) against the one configured user.
public enum BasicAuthentication {
    /// The challenge sent with 401.
    public static let challenge = #"Basic realm="vipd stats", charset="UTF-8""#

    /// Whether the `Authorization` header value carries `credentials`. The comparison takes the
    /// same time wherever the first difference is.
    public static func accepts(_ authorization: String?, credentials: StatsCredentials) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: parts[1].trimmingWhitespace())
        else { return false }
        let expected = Array("\(credentials.user):\(credentials.password)".utf8)
        return constantTimeEqual(Array(decoded), expected)
    }

    /// The `Authorization` header value that carries `credentials`.
    public static func header(for credentials: StatsCredentials) -> String {
        "Basic " + Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
    }

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
