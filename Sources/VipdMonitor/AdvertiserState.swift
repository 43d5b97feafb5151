import VipdCore
import VipdVRRP
import VipdVRRPPacket

/// What the wire has shown about one sender of advertisements in one group.
public struct AdvertiserState: Sendable, Hashable {
    /// The IP source of its advertisements.
    public let address: IPAddress
    public internal(set) var mac: MACAddress?
    public internal(set) var version: VRRPVersion
    /// The priority of its latest advertisement (0: it is leaving).
    public internal(set) var priority: UInt8
    public internal(set) var interval: Duration
    /// Its virtual addresses, sorted.
    public internal(set) var virtualAddresses: [IPAddress]
    public internal(set) var authentication: VRRPAuthentication
    /// Where its latest advertisement went: the multicast group or a unicast peer.
    public internal(set) var destination: IPAddress
    /// The TTL / hop limit of its latest advertisement.
    public internal(set) var hopLimit: Int
    public internal(set) var firstSeen: MonitorInstant
    /// The first advertisement after its latest gap: since when it has advertised without a pause.
    public internal(set) var runStart: MonitorInstant
    public internal(set) var lastSeen: MonitorInstant
    /// Its latest advertisement with a priority above 0, as master.
    public internal(set) var lastMasterAdvert: MonitorInstant?
    /// Its latest priority-0 advertisement.
    public internal(set) var departedAt: MonitorInstant?
    public internal(set) var advertisementCount: Int
    /// Advertisements with a wrong VRRP checksum, and the latest one's time.
    public internal(set) var badChecksumCount: Int
    public internal(set) var lastBadChecksum: MonitorInstant?
    /// Times of its latest advertisements as master (at most three), oldest first.
    var recentMasterAdverts: [MonitorInstant]

    init(sighting: AdvertisementSighting, at time: MonitorInstant) {
        let packet = sighting.packet
        address = packet.source
        mac = sighting.sourceMAC
        version = packet.advertisement.version
        priority = packet.advertisement.priority
        interval = packet.advertisement.interval
        virtualAddresses = packet.advertisement.addresses.sorted()
        authentication = packet.advertisement.authentication
        destination = packet.destination
        hopLimit = packet.hopLimit
        firstSeen = time
        runStart = time
        lastSeen = time
        advertisementCount = 0
        badChecksumCount = 0
        recentMasterAdverts = []
    }

    /// How long a backup of this sender's priority waits for it: VRRP's Master_Down_Interval.
    public var masterDownInterval: Duration {
        VRRPTimers.masterDownInterval(
            version: version, priority: Swift.max(priority, 1), masterAdvertisementInterval: interval)
    }

    /// True when its latest advertisement went to the multicast group.
    public var multicasts: Bool {
        destination == VRRPPacketCodec.multicastGroup(destination.family)
    }

    /// True while it advertises as master: an advertisement above priority 0 within its own
    /// Master_Down_Interval, and no priority-0 one after it.
    public func isActiveMaster(at now: MonitorInstant) -> Bool {
        guard let last = lastMasterAdvert else { return false }
        if let departed = departedAt, departed > last { return false }
        return now - last <= masterDownInterval
    }

    /// Whether it beats `other` in VRRP's election: higher priority, then higher primary address.
    func outranks(_ other: AdvertiserState) -> Bool {
        (priority, address) > (other.priority, other.address)
    }

    /// Takes in one more advertisement from this sender.
    mutating func record(_ sighting: AdvertisementSighting, at time: MonitorInstant) {
        let packet = sighting.packet
        let advertisement = packet.advertisement
        let wasActive = advertisementCount > 0 && isActiveMaster(at: time)
        if !wasActive && advertisement.priority > 0 { runStart = time }
        if let mac = sighting.sourceMAC { self.mac = mac }
        version = advertisement.version
        priority = advertisement.priority
        interval = advertisement.interval
        virtualAddresses = advertisement.addresses.sorted()
        authentication = advertisement.authentication
        destination = packet.destination
        hopLimit = packet.hopLimit
        lastSeen = time
        advertisementCount += 1
        if !packet.checksumIsValid {
            badChecksumCount += 1
            lastBadChecksum = time
        }
        if advertisement.priority == 0 {
            departedAt = time
        } else {
            lastMasterAdvert = time
            recentMasterAdverts.append(time)
            if recentMasterAdverts.count > 3 { recentMasterAdverts.removeFirst() }
        }
    }
}
