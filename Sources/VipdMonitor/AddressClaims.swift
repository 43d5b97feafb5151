import VipdCore

/// Who has claimed an address (by ARP or NA) recently, per MAC.
public struct AddressClaimRecord: Sendable, Hashable {
    public var first: MonitorInstant
    public var last: MonitorInstant
    public var count: Int
    public var kinds: Set<AddressClaim.Kind>
}

/// The claims seen for one address on one interface.
public struct ClaimedAddress: Sendable, Hashable {
    public let interface: String
    public let address: IPAddress
    public internal(set) var byMAC: [MACAddress: AddressClaimRecord] = [:]

    /// Records `claim` at `time`; a MAC silent for longer than `window` starts a new record.
    mutating func record(_ claim: AddressClaim, at time: MonitorInstant, window: Duration) {
        if var record = byMAC[claim.mac], time - record.last <= window {
            record.last = time
            record.count += 1
            record.kinds.insert(claim.kind)
            byMAC[claim.mac] = record
        } else {
            byMAC[claim.mac] = AddressClaimRecord(first: time, last: time, count: 1, kinds: [claim.kind])
        }
    }

    /// Forgets MACs that have not claimed the address within `window` before `now`.
    mutating func forget(before now: MonitorInstant, window: Duration) {
        byMAC = byMAC.filter { now - $0.value.last <= window }
    }

    /// The MACs answering at the same time: each still claimed the address within `overlap` of
    /// another's first claim, so this is not a takeover (where the old holder goes quiet first).
    /// Claims that ended before `after` are left out.
    public func concurrentMACs(overlap: Duration, after: MonitorInstant? = nil) -> [MACAddress] {
        let records = byMAC.filter { _, record in after.map { record.last > $0 } ?? true }
            .sorted { $0.value.first < $1.value.first }
        var concurrent: Set<MACAddress> = []
        for (index, newer) in records.enumerated() {
            for older in records[..<index] where older.value.last + overlap >= newer.value.first {
                concurrent.insert(older.key)
                concurrent.insert(newer.key)
            }
        }
        return concurrent.sorted()
    }
}

/// ICMP errors one host sent about another's VRRP packets.
public struct RejectionRecord: Sendable, Hashable {
    public var rejection: VRRPRejection
    public var first: MonitorInstant
    public var last: MonitorInstant
    public var count: Int
}

/// The daemon's comparison of the wire with its VRRP socket on one interface and family.
public struct SocketVisibility: Sendable, Hashable {
    /// The socket's receive counter at the latest sample.
    public internal(set) var socketTotal: Int
    /// When the counter last moved (or was first sampled).
    public internal(set) var socketMovedAt: MonitorInstant
    /// Peer advertisements the capture saw since then, with the latest sender and group.
    public internal(set) var unseenPeerAdverts: Int = 0
    public internal(set) var firstUnseenAt: MonitorInstant?
    public internal(set) var thresholdReachedAt: MonitorInstant?
    public internal(set) var latestPeer: IPAddress?
    public internal(set) var latestGroup: GroupKey?
}

/// Where the daemon's VRRP socket listens: an interface and an address family.
public struct SocketKey: Sendable, Hashable {
    public var interface: String
    public var family: IPAddress.Family

    /// The socket of `family` on `interface`.
    public init(interface: String, family: IPAddress.Family) {
        self.interface = interface
        self.family = family
    }
}
