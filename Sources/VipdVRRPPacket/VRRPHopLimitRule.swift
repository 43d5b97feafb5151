/// The TTL / hop-limit rule for received advertisements, as keepalived applies RFC 3768 / RFC 5798
/// section 7.1: the one statement of it, for the speaker's receive filter and the monitor's findings.
///
/// A multicast advertisement must arrive with 255: anything less crossed a router, and VRRP routers
/// drop it. A unicast advertisement from a configured peer is accepted whatever its TTL: unicast
/// peers may sit on different subnets with routers between them (keepalived checks the TTL only
/// without `unicast_peer`). The codec never checks it; it reports the value.
public enum VRRPHopLimitRule {
    /// Whether an advertisement that arrived with `hopLimit` is acceptable; `unicastFromPeer` is
    /// true when it was sent unicast by a configured peer (an observer that cannot know the
    /// peers passes true for every unicast advertisement).
    public static func accepts(hopLimit: Int, unicastFromPeer: Bool) -> Bool {
        unicastFromPeer || hopLimit == VRRPPacketCodec.requiredHopLimit
    }

    /// Whether an accepted advertisement crossed a router on its way (its TTL is below 255).
    public static func wasRouted(hopLimit: Int) -> Bool {
        hopLimit != VRRPPacketCodec.requiredHopLimit
    }
}
