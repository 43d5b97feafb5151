import VipdConfig

/// What the stats listener answers to one request: status, headers and body. Pure: built from the
/// request line, the `Authorization` header and (for the three resources) a snapshot.
public struct StatsResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    /// Headers besides `Content-Type` and `Content-Length` (e.g. `WWW-Authenticate`, `Allow`).
    public var headers: [String: String]
    public var body: String

    public init(status: Int, contentType: String, headers: [String: String] = [:], body: String) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A short plain-text answer (errors).
    static func text(_ status: Int, _ body: String, headers: [String: String] = [:]) -> StatsResponse {
        StatsResponse(status: status, contentType: "text/plain; charset=utf-8", headers: headers, body: body + "\n")
    }
}

/// The things the stats listener serves.
public enum StatsResource: String, Sendable, CaseIterable {
    /// `/`: the live HTML page.
    case page = "/"
    /// `/stats`: the same page where haproxy's usual `stats uri /stats` had it, so bookmarks keep working
    /// (the page fetches `stats.json` relative to itself, which is `/stats.json` from both).
    case haproxyPage = "/stats"
    /// `/stats.json`.
    case json = "/stats.json"
    /// `/metrics`: Prometheus text format.
    case metrics = "/metrics"
    /// `/stats.csv`: haproxy's CSV statistics.
    case csv = "/stats.csv"
    /// `/stats;csv`: the same CSV where haproxy's `stats uri /stats` served it.
    case haproxyCSV = "/stats;csv"

    /// The resource rendered from `snapshot`.
    public func response(for snapshot: StatsSnapshot) -> StatsResponse {
        let noCache = ["Cache-Control": "no-store"]
        switch self {
        case .page, .haproxyPage:
            return StatsResponse(status: 200, contentType: StatsPage.contentType, headers: noCache, body: StatsPage.html)
        case .json:
            do {
                return StatsResponse(
                    status: 200, contentType: StatsJSON.contentType, headers: noCache, body: try StatsJSON.render(snapshot))
            } catch {
                return .text(500, "cannot encode the stats: \(error)")
            }
        case .metrics:
            return StatsResponse(status: 200, contentType: StatsMetrics.contentType, body: StatsMetrics.render(snapshot))
        case .csv, .haproxyCSV:
            return StatsResponse(status: 200, contentType: StatsCSV.contentType, headers: noCache, body: StatsCSV.render(snapshot))
        }
    }
}

/// Decides what a request gets before any snapshot is taken: a resource, or an error answer.
public enum StatsRequestRouter {
    /// The resource for `method` and `uri` (query ignored), or the answer when there is none:
    /// 401 without valid credentials (when `credentials` is set), 405 for methods other than GET
    /// and HEAD, 404 for other paths.
    public static func route(method: String, uri: String, authorization: String?, credentials: StatsCredentials?)
        -> Result<StatsResource, StatsRejection>
    {
        if let credentials, !BasicAuthentication.accepts(authorization, credentials: credentials) {
            return .failure(StatsRejection(response: .text(
                401, "authentication required", headers: ["WWW-Authenticate": BasicAuthentication.challenge])))
        }
        guard method == "GET" || method == "HEAD" else {
            return .failure(StatsRejection(response: .text(405, "method \(method) not allowed", headers: ["Allow": "GET, HEAD"])))
        }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        guard let resource = StatsResource(rawValue: path) else {
            let known = StatsResource.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(StatsRejection(response: .text(404, "no such page: \(path) (this listener serves \(known))")))
        }
        return .success(resource)
    }
}

/// A request the stats listener answers without a snapshot.
public struct StatsRejection: Error, Equatable {
    public var response: StatsResponse
}
