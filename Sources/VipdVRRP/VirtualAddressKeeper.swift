import VipdCore

/// Keeps a master's virtual addresses on its interface (pure, clock-free): another program (an
/// `ip addr del` or `flush`, systemd-networkd or NetworkManager reconfiguring the interface, an
/// `ifdown`) may remove them, and nothing else would notice: the node goes on advertising as master
/// while nobody answers for the addresses.
///
/// The runner says when vipd adds the addresses and when it removes them, so that removals vipd
/// makes itself are never mistaken for another program's. An address notification only asks for a
/// check, a short `settleDelay` later (one check for a whole flush; a program that re-adds its own
/// addresses after flushing gets to do so first); the check reads what is on the interface and names
/// what to put back. A check is also due every `safetyInterval` while holding, in case notifications
/// were missed.
public struct VirtualAddressKeeper<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// How long after a removal notification the interface is read.
    public static var settleDelay: Duration { .milliseconds(100) }
    /// The longest time between two checks while holding.
    public static var safetyInterval: Duration { .seconds(10) }

    /// The instance's virtual addresses.
    public let addresses: [IPPrefix]
    /// True from vipd adding the addresses until vipd removes them.
    public private(set) var isHolding = false
    /// Addresses put back so far, each time counted.
    public private(set) var restoredCount = 0
    private var checkAt: Instant?
    private var lastCheck: Instant?
    private var reported: Set<IPAddress> = []

    /// A keeper for `addresses`, not holding them yet.
    public init(addresses: [IPPrefix]) {
        self.addresses = addresses
    }

    /// vipd added the addresses (the instance became master): keep them from now on.
    public mutating func added(now: Instant) {
        isHolding = true
        checkAt = nil
        lastCheck = now
    }

    /// vipd is about to remove the addresses (the instance leaves master): whatever removal is
    /// notified from now on is none of the keeper's business.
    public mutating func removing() {
        isHolding = false
        checkAt = nil
    }

    /// A removal notification of `address` on the instance's interface, or nil when notifications
    /// were lost. Returns when to check, when that needs a new wake-up (nil: nothing to do, or a
    /// check is already pending).
    public mutating func removalNotified(of address: IPAddress?, now: Instant) -> Instant? {
        guard isHolding, checkAt == nil else { return nil }
        if let address, !addresses.contains(where: { $0.address == address }) { return nil }
        let at = now.advanced(by: Self.settleDelay)
        checkAt = at
        return at
    }

    /// Whether the interface should be read now: a notification's settle time passed, or the last
    /// check is `safetyInterval` old. Never while not holding.
    public func isCheckDue(now: Instant) -> Bool {
        guard isHolding else { return false }
        if let checkAt, checkAt <= now { return true }
        guard let lastCheck else { return true }
        return lastCheck.duration(to: now) >= Self.safetyInterval
    }

    /// The addresses to put back, given the addresses on the interface now (`present`, any prefix
    /// length: an address re-added by hand with another length is left alone). Empty while not holding.
    public mutating func check(present: [IPAddress], now: Instant) -> [IPPrefix] {
        guard isHolding else { return [] }
        checkAt = nil
        lastCheck = now
        return addresses.filter { !present.contains($0.address) }
    }

    /// `prefix` was put back. Returns true the first time for this address (the time to explain at
    /// length who removes it and what to do); later ones are counted.
    public mutating func restored(_ prefix: IPPrefix) -> Bool {
        restoredCount += 1
        return reported.insert(prefix.address).inserted
    }
}
