import VipdVRRPPacket

/// Decides whether a decoded advertisement is for this instance and valid (RFC 3768 / RFC 5798
/// section 7.1, with keepalived's choices), before the state machine looks at it.
///
/// The checks, in order: our own advertisement looped back; unicast sender among the peers; TTL /
/// hop limit (`VRRPHopLimitRule`: 255, except unicast from a peer, which may be routed); version;
/// VRID; VRRPv2 authentication type and password; VRRPv2 advertisement interval; the virtual
/// address list (count and set, unless the sender is the address owner, as RFC 3768 / 5798 section
/// 7.1 allow).
///
/// It is the one owner of these rules: the codec checks only the structure and the checksum, and
/// the speaker hands every decoded advertisement here, whatever its VRID.
public struct VRRPReceiveFilter: Sendable {
    /// The instance the advertisements are checked against.
    public let settings: VRRPInstanceSettings

    /// A filter for the instance described by `settings`.
    public init(settings: VRRPInstanceSettings) {
        self.settings = settings
    }

    /// Why `packet` must be dropped, or nil when it is a valid advertisement for this instance.
    public func dropReason(for packet: VRRPReceivedPacket) -> VRRPDropReason? {
        let advertisement = packet.advertisement
        if packet.source == settings.primaryAddress { return .ownAdvertisement }
        let unicast = !settings.unicastPeers.isEmpty
        if unicast, !settings.unicastPeers.contains(packet.source) { return .notUnicastPeer }
        if !VRRPHopLimitRule.accepts(hopLimit: packet.hopLimit, unicastFromPeer: unicast) {
            return .hopLimit(packet.hopLimit)
        }
        if advertisement.version != settings.version {
            return .versionMismatch(received: advertisement.version, expected: settings.version)
        }
        if advertisement.virtualRouterID != settings.virtualRouterID {
            return .virtualRouterIDMismatch(received: advertisement.virtualRouterID, expected: settings.virtualRouterID)
        }
        if settings.version == .v2 {
            if let reason = authenticationProblem(advertisement.authentication) { return reason }
            if advertisement.interval != settings.advertisementInterval {
                return .intervalMismatch(received: advertisement.interval, expected: settings.advertisementInterval)
            }
        }
        if advertisement.priority != 255,
            advertisement.addresses.count != settings.virtualAddresses.count
                || Set(advertisement.addresses) != Set(settings.virtualAddresses)
        {
            return .addressListMismatch(received: advertisement.addresses, expected: settings.virtualAddresses)
        }
        return nil
    }

    /// VRRPv2 Auth Type 0 vs 1, then the password as keepalived compares it: the first 8 bytes,
    /// zero padded.
    private func authenticationProblem(_ received: VRRPAuthentication) -> VRRPDropReason? {
        switch (received, settings.authentication) {
        case (.none, .none):
            return nil
        case (.simplePassword, .none):
            return .authenticationTypeMismatch(receivedPassword: true)
        case (.none, .simplePassword):
            return .authenticationTypeMismatch(receivedPassword: false)
        case (.simplePassword(let theirs), .simplePassword(let ours)):
            return Self.wirePassword(theirs) == Self.wirePassword(ours) ? nil : .wrongPassword
        }
    }

    /// A password as its 8-byte, zero-padded authentication field.
    private static func wirePassword(_ password: [UInt8]) -> [UInt8] {
        let truncated = Array(password.prefix(8))
        return truncated + Array(repeating: 0, count: 8 - truncated.count)
    }
}
