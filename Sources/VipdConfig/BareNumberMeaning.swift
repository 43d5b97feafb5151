/// What a number without a unit means in the tool a duration key comes from, so that the hint for
/// `interval: 2000` keeps the user's meaning instead of guessing seconds.
enum BareNumberMeaning: Sendable {
    /// A key with a haproxy counterpart (`inter`, `timeout client`…): haproxy reads a bare number as milliseconds.
    case haproxyMilliseconds
    /// A key with a keepalived counterpart (`advert_int`, `vrrp_script interval`…): keepalived reads seconds.
    case keepalivedSeconds
    /// A key of vipd's own: no earlier meaning to keep.
    case vipdOwn

    /// The part of the "needs a unit" message after "needs a unit", for the bare number `text`.
    func hint(for text: String) -> String {
        switch self {
        case .haproxyMilliseconds: ": haproxy reads \(text) as milliseconds, which is \"\(text)ms\" here"
        case .keepalivedSeconds: ": keepalived reads \(text) as seconds, which is \"\(text)s\" here"
        case .vipdOwn: ", e.g. \"\(text)s\" or \"\(text)ms\""
        }
    }
}
