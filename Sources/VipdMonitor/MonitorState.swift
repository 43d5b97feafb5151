import VipdCore

/// Everything the analyzer has learned from the wire so far; the rules read it, packets update it.
public struct MonitorState: Sendable, Hashable {
    public let settings: MonitorSettings
    /// When monitoring began: the silence of an expected group counts from here.
    public let startedAt: MonitorInstant
    public internal(set) var groups: [GroupKey: GroupState] = [:]
    public internal(set) var claims: [ClaimKey: ClaimedAddress] = [:]
    public internal(set) var rejections: [RejectionKey: RejectionRecord] = [:]
    public internal(set) var socketVisibility: [SocketKey: SocketVisibility] = [:]

    /// An address on an interface.
    public struct ClaimKey: Sendable, Hashable {
        public var interface: String
        public var address: IPAddress
    }

    /// Who rejected whose VRRP packets.
    public struct RejectionKey: Sendable, Hashable {
        public var reporter: IPAddress
        public var sender: IPAddress
    }

    init(settings: MonitorSettings, startedAt: MonitorInstant) {
        self.settings = settings
        self.startedAt = startedAt
    }

    /// Takes in one advertisement; returns the events it causes directly (a new group, a new master).
    mutating func ingest(_ sighting: AdvertisementSighting, interface: String, at time: MonitorInstant) -> [MonitorEvent] {
        let packet = sighting.packet
        let key = GroupKey(
            interface: interface, family: packet.source.family, virtualRouterID: packet.advertisement.virtualRouterID)
        var events: [MonitorEvent] = []
        // Taken out of the dictionaries while changed, so they are not copied at every packet.
        var group = groups.removeValue(forKey: key) ?? {
            events.append(.groupDiscovered(key, at: time))
            return GroupState(key: key, firstSeen: time)
        }()

        var sender = group.advertisers.removeValue(forKey: packet.source) ?? AdvertiserState(sighting: sighting, at: time)
        sender.record(sighting, at: time)
        group.advertisers[packet.source] = sender
        if sender.priority > 0 { recordConflicts(of: sender, in: &group, at: time) }

        let masters = group.activeMasters(at: time)
        if masters.count == 1, let master = masters.first, master.address != group.soleMaster {
            if group.soleMaster != nil {
                group.masterChanges.append(time)
                group.masterChanges.removeAll { time - $0 > settings.flappingWindow }
            }
            events.append(.masterChanged(key, from: group.soleMaster, to: master.address, at: time))
            group.soleMaster = master.address
        }
        groups[key] = group
        countForSocketVisibility(sighting, group: key, at: time)
        return events
    }

    /// Notes each active master that `sender` should have yielded to but did not.
    ///
    /// A router that hears a higher-ranked master goes backup at once and stays silent, so a
    /// lower-ranked sender advertising means it does not hear the other: either it took over
    /// while the other had been advertising without a gap for longer than its Master_Down_Interval,
    /// or it kept advertising after the other appeared. Senders with different VIP lists are two
    /// clusters sharing a VRID: that is a collision, reported by its own rule, not a split brain.
    private func recordConflicts(of sender: AdvertiserState, in group: inout GroupState, at time: MonitorInstant) {
        for other in group.advertisers.values
        where other.address != sender.address && other.isActiveMaster(at: time) && other.outranks(sender)
            && other.virtualAddresses == sender.virtualAddresses
        {
            let pair = GroupState.PairKey(winner: other.address, loser: sender.address)
            guard group.conflicts[pair] == nil else { continue }
            let backupWait = MonitorTimers.masterDownInterval(of: sender, hearing: other)
            let evidence: MasterConflict.Evidence
            if other.runStart <= time - backupWait {
                evidence = .tookOverFromLiveMaster(winnerAdvertisingFor: time - other.runStart)
            } else if sender.recentMasterAdverts.count >= 2,
                sender.recentMasterAdverts[sender.recentMasterAdverts.count - 2] > other.runStart + yieldMargin
            {
                evidence = .didNotYield
            } else {
                continue
            }
            group.conflicts[pair] = MasterConflict(
                winner: other.address, loser: sender.address, since: time, evidence: evidence)
        }
    }

    /// How late an advertisement may still be "in flight" when its sender hears a better master.
    private var yieldMargin: Duration { .milliseconds(100) }

    /// Takes in an ARP reply, gratuitous ARP or NA.
    mutating func ingest(_ claim: AddressClaim, interface: String, at time: MonitorInstant) {
        let key = ClaimKey(interface: interface, address: claim.address)
        var record = claims[key] ?? ClaimedAddress(interface: interface, address: claim.address)
        record.record(claim, at: time, window: settings.claimWindow)
        claims[key] = record
    }

    /// Takes in an ICMP error about a VRRP packet.
    mutating func ingest(_ rejection: VRRPRejection, at time: MonitorInstant) {
        let key = RejectionKey(reporter: rejection.reporter, sender: rejection.rejectedSender)
        if var record = rejections[key] {
            record.last = time
            record.count += 1
            record.rejection = rejection
            rejections[key] = record
        } else {
            rejections[key] = RejectionRecord(rejection: rejection, first: time, last: time, count: 1)
        }
    }

    /// Counts a protocol-112 packet that is not an advertisement against every group of its interface and family.
    mutating func ingest(_ malformed: MalformedAdvertisement, interface: String) {
        for key in groups.keys where key.interface == interface && key.family == (malformed.source?.family ?? key.family) {
            groups[key]!.malformedCounts[malformed.error.counterKey, default: 0] += 1
        }
    }

    /// Takes in a sample of the daemon's VRRP socket receive counter.
    mutating func recordSocketReceipts(_ socket: SocketKey, total: Int, at time: MonitorInstant) {
        if let visibility = socketVisibility[socket], visibility.socketTotal == total { return }
        socketVisibility[socket] = SocketVisibility(socketTotal: total, socketMovedAt: time)
    }

    /// A peer's advertisement for one of this node's groups: one more the socket has to account for.
    private mutating func countForSocketVisibility(_ sighting: AdvertisementSighting, group: GroupKey, at time: MonitorInstant) {
        let socket = SocketKey(interface: group.interface, family: group.family)
        guard var visibility = socketVisibility[socket], !settings.localAddresses.contains(sighting.packet.source),
            settings.expectedGroups.contains(where: { $0.key == group })
        else { return }
        visibility.unseenPeerAdverts += 1
        visibility.firstUnseenAt = visibility.firstUnseenAt ?? time
        visibility.latestPeer = sighting.packet.source
        visibility.latestGroup = group
        if visibility.unseenPeerAdverts == settings.unseenAdvertsForOneSidedVisibility {
            visibility.thresholdReachedAt = time
        }
        socketVisibility[socket] = visibility
    }

    /// Drops what has aged out: conflicts whose masters stopped, old claims and rejections.
    mutating func expire(at now: MonitorInstant) {
        for key in groups.keys {
            let lasting = groups[key]!.conflicts.filter { _, conflict in
                guard let winner = groups[key]!.advertisers[conflict.winner],
                    let loser = groups[key]!.advertisers[conflict.loser]
                else { return false }
                return winner.isActiveMaster(at: now) && loser.isActiveMaster(at: now)
            }
            if lasting.count < groups[key]!.conflicts.count { groups[key]!.lastConflictEnded = now }
            groups[key]!.conflicts = lasting
            groups[key]!.masterChanges.removeAll { now - $0 > settings.flappingWindow }
        }
        for key in claims.keys {
            claims[key]!.forget(before: now, window: settings.claimWindow)
            if claims[key]!.byMAC.isEmpty { claims[key] = nil }
        }
        rejections = rejections.filter { now - $0.value.last <= settings.findingHoldTime }
    }

    /// Every VIP the groups carry (from advertisements and the configuration), with its group.
    var virtualAddressGroups: [IPAddress: [GroupKey]] {
        var result: [IPAddress: [GroupKey]] = [:]
        for group in groups.values {
            for address in Set(group.advertisers.values.flatMap(\.virtualAddresses)) { result[address, default: []].append(group.key) }
        }
        for expected in settings.expectedGroups {
            for address in expected.virtualAddresses where !(result[address]?.contains(expected.key) ?? false) {
                result[address, default: []].append(expected.key)
            }
        }
        return result
    }
}
