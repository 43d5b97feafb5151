import VipdCore
import VipdVRRPPacket

/// Why a decoded advertisement was not for this instance or not valid (RFC 3768 / RFC 5798 section
/// 7.1, with keepalived's choices). A dropped advertisement never changes the instance's state.
public enum VRRPDropReason: Sendable, Hashable, CustomStringConvertible {
    /// The source is our own primary address: our advertisement came back (multicast loop).
    case ownAdvertisement
    /// The TTL / hop limit is not 255, so the packet crossed a router (`VRRPHopLimitRule`: a
    /// unicast peer's advertisements may, others may not).
    case hopLimit(Int)
    /// VRRPv2 received by a VRRPv3 instance or the reverse.
    case versionMismatch(received: VRRPVersion, expected: VRRPVersion)
    /// Another virtual router on the same segment (or a VRID collision).
    case virtualRouterIDMismatch(received: UInt8, expected: UInt8)
    /// A unicast instance received an advertisement from an address that is not one of its peers.
    case notUnicastPeer
    /// VRRPv2: one side uses a password (`PASS`) and the other none.
    case authenticationTypeMismatch(receivedPassword: Bool)
    /// VRRPv2: both use a password, but not the same one.
    case wrongPassword
    /// VRRPv2: the advertisement interval differs from ours; RFC 3768 requires the drop
    /// (VRRPv3 backups adopt the master's interval instead).
    case intervalMismatch(received: Duration, expected: Duration)
    /// The advertised virtual addresses differ from ours (count or set), and the sender is not the
    /// address owner (priority 255).
    case addressListMismatch(received: [IPAddress], expected: [IPAddress])

    /// A stable identifier for counters and metrics, e.g. `vrid_mismatch`.
    public var counterKey: String {
        switch self {
        case .ownAdvertisement: "own_advertisement"
        case .hopLimit: "wrong_ttl"
        case .versionMismatch: "version_mismatch"
        case .virtualRouterIDMismatch: "vrid_mismatch"
        case .notUnicastPeer: "not_unicast_peer"
        case .authenticationTypeMismatch: "auth_type_mismatch"
        case .wrongPassword: "wrong_password"
        case .intervalMismatch: "interval_mismatch"
        case .addressListMismatch: "address_list_mismatch"
        }
    }

    /// Whether the advertisement belongs to another virtual router (another VRID): normal where
    /// several share a segment, so a speaker counts it without reporting it as a problem.
    public var isAnotherVirtualRouter: Bool {
        if case .virtualRouterIDMismatch = self { return true }
        return false
    }

    /// What is wrong, without the sender: `hop limit 64, expected 255`.
    public var description: String {
        switch self {
        case .ownAdvertisement:
            return "our own advertisement looped back"
        case .hopLimit(let hopLimit):
            return "hop limit \(hopLimit), expected 255 (it crossed a router)"
        case .versionMismatch(let received, let expected):
            return "it is \(received), we run \(expected)"
        case .virtualRouterIDMismatch(let received, let expected):
            return "VRID \(received), ours is \(expected)"
        case .notUnicastPeer:
            return "sender is not one of our unicast peers"
        case .authenticationTypeMismatch(let receivedPassword):
            return receivedPassword
                ? "it uses password authentication, we use none" : "it uses no authentication, we use a password"
        case .wrongPassword:
            return "wrong authentication password"
        case .intervalMismatch(let received, let expected):
            return "advertisement interval \(received.secondsText), ours is \(expected.secondsText)"
        case .addressListMismatch(let received, let expected):
            let missing = expected.filter { !received.contains($0) }
            let extra = received.filter { !expected.contains($0) }
            var parts = ["virtual addresses differ (\(received.count) received, \(expected.count) expected)"]
            if !missing.isEmpty { parts.append("missing \(missing.map(\.text).joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("unexpected \(extra.map(\.text).joined(separator: ", "))") }
            return parts.joined(separator: "; ")
        }
    }

    /// A log message naming the sender: `advertisement from 10.0.0.2 dropped: VRID 52, ours is 51`.
    public func description(sender: IPAddress) -> String {
        "advertisement from \(sender) dropped: \(description)"
    }
}
