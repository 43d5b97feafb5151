import VipdCore
import VipdVRRPPacket

extension MonitorState {
    /// The routers of one group must agree on VIPs, version, interval, authentication and how they
    /// send: one finding per property on which the group's recent advertisers differ.
    func groupConsistencyFindings(at now: MonitorInstant) -> [Finding] {
        groups.values.flatMap { group -> [Finding] in
            let recent = group.advertisers.values.filter { $0.isRecent(at: now) }.sorted { $0.address < $1.address }
            guard recent.count > 1 else { return [] }
            return [
                routerIDCollision(group, recent),
                versionMismatch(group, recent),
                intervalMismatch(group, recent),
                authenticationMismatch(group, recent.filter { $0.version == .v2 }),
                unicastMulticastMix(group, recent),
            ].compactMap { $0 }
        }
    }

    /// A finding of `kind` when `advertisers` disagree on `value`: one evidence line per value
    /// ("A, B: value"), since the last party arrived.
    private func disagreement<Value: Hashable>(
        _ kind: Finding.Kind, in group: GroupState, among advertisers: [AdvertiserState], on value: (AdvertiserState) -> Value,
        wording: (Value) -> String, summary: (Int) -> String, fix: String
    ) -> Finding? {
        let byValue = Dictionary(grouping: advertisers, by: value)
        guard byValue.count > 1 else { return nil }
        let parts = byValue.values.map { members in
            members.map { settings.label($0.address) }.joined(separator: ", ") + ": " + wording(value(members[0]))
        }.sorted()
        let since = byValue.values.map { members in members.map(\.firstSeen).min()! }.max()!
        return Finding(
            kind: kind, group: group.key, subject: "", since: since, summary: summary(byValue.count), evidence: parts, fix: fix)
    }

    private func routerIDCollision(_ group: GroupState, _ recent: [AdvertiserState]) -> Finding? {
        disagreement(
            .routerIDCollision, in: group, among: recent, on: \.virtualAddresses,
            wording: { "[\($0.map(\.description).joined(separator: ", "))]" },
            summary: { lists in
                "VRID COLLISION on \(group.key): its advertisements carry \(lists) different VIP lists — "
                    + "two clusters use VRID \(group.key.virtualRouterID) on one segment, or the nodes' VIP lists differ"
            },
            fix: "give one cluster another VRID (vipd: `router_id`; keepalived: `virtual_router_id`), "
                + "or make `virtual_addresses` the same on every node of the cluster")
    }

    private func versionMismatch(_ group: GroupState, _ recent: [AdvertiserState]) -> Finding? {
        disagreement(
            .versionMismatch, in: group, among: recent, on: \.version, wording: \.description,
            summary: { _ in
                "VERSION MISMATCH on \(group.key): VRRPv2 and VRRPv3 advertisements for one VRID; "
                    + "a router of one version ignores the other's"
            },
            fix: "set the same version on every node (vipd: `version:`; keepalived: `vrrp_version`)")
    }

    private func intervalMismatch(_ group: GroupState, _ recent: [AdvertiserState]) -> Finding? {
        let consequence = recent.contains { $0.version == .v2 }
            ? "VRRPv2 routers drop advertisements whose interval differs from their own, so they ignore each other"
            : "VRRPv3 backups adopt the master's interval, so failover timing changes with the master"
        return disagreement(
            .intervalMismatch, in: group, among: recent, on: \.interval, wording: { "every \($0.secondsText)" },
            summary: { _ in "INTERVAL MISMATCH on \(group.key): advertisement intervals differ; \(consequence)" },
            fix: "set the same advertisement interval on every node (vipd: `advert_interval`; keepalived: `advert_int`)")
    }

    private func authenticationMismatch(_ group: GroupState, _ recentV2: [AdvertiserState]) -> Finding? {
        disagreement(
            .authenticationMismatch, in: group, among: recentV2, on: \.authentication, wording: \.wording,
            summary: { _ in
                "AUTHENTICATION MISMATCH on \(group.key): the routers use different VRRPv2 authentication, "
                    + "so each drops the other's advertisements"
            },
            fix: "set the same password on every node (vipd: `authentication.password`; keepalived: `auth_pass`), or none on all")
    }

    private func unicastMulticastMix(_ group: GroupState, _ recent: [AdvertiserState]) -> Finding? {
        disagreement(
            .unicastMulticastMix, in: group, among: recent, on: \.multicasts, wording: { $0 ? "multicast" : "unicast" },
            summary: { _ in
                "UNICAST/MULTICAST MIX on \(group.key): some routers multicast their advertisements, others send "
                    + "them unicast; a router configured for unicast peers ignores multicast ones and the other way round"
            },
            fix: "configure every node the same way (vipd: `unicast: true` or `false` on all; keepalived: `unicast_peer` on all or none)")
    }
}

extension AdvertiserState {
    /// Seen lately enough to be compared with the group's other routers: within two of its
    /// Master_Down_Intervals, and at least 10 s.
    func isRecent(at now: MonitorInstant) -> Bool {
        now - lastSeen <= Swift.max(masterDownInterval * 2, .seconds(10))
    }
}
