import CVipdSys
import VipdCore

/// An entry of the kernel's neighbour table (ARP for IPv4, neighbour discovery for IPv6), as
/// `ip neigh show nud all` lists it (`RTM_NEWNEIGH`).
public struct Neighbour: Sendable, Equatable, CustomStringConvertible {
    /// The neighbour's IP address (`NDA_DST`).
    public let address: IPAddress
    /// The index of the interface the entry belongs to (`ndm_ifindex`).
    public let interfaceIndex: Int32
    /// The neighbour's link-layer address (`NDA_LLADDR`), the MAC on Ethernet; nil when the kernel
    /// has none, as for an entry still `INCOMPLETE` or already `FAILED`.
    public let linkAddress: [UInt8]?
    /// `ndm_state`: the `NUD_*` bits, e.g. 0x01 `INCOMPLETE`, 0x02 `REACHABLE`, 0x04 `STALE`, 0x20 `FAILED`.
    public let state: UInt16

    /// Creates an entry; the library builds these from rtnetlink messages.
    public init(address: IPAddress, interfaceIndex: Int32, linkAddress: [UInt8]?, state: UInt16) {
        self.address = address
        self.interfaceIndex = interfaceIndex
        self.linkAddress = linkAddress
        self.state = state
    }

    /// The states in which the kernel sends to the link address it has (the kernel's `NUD_VALID`).
    static let validStates = UInt16(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
    /// The states of an entry whose resolution is under way or gave up.
    static let unresolvedStates = UInt16(NUD_INCOMPLETE | NUD_FAILED)

    /// Whether the kernel can send to this neighbour now: a 6-byte (Ethernet) link address, and a
    /// state with a usable address (`REACHABLE`, `STALE`, `DELAY`, `PROBE`, `PERMANENT`, `NOARP`),
    /// neither `INCOMPLETE` nor `FAILED`. `STALE` is usable: the kernel sends and re-checks.
    public var isUsable: Bool {
        linkAddress?.count == 6 && state & Self.validStates != 0 && state & Self.unresolvedStates == 0
    }

    /// The link address as `ip neigh` prints it, e.g. `02:00:5e:00:01:0a`; nil when there is none.
    public var linkAddressText: String? {
        linkAddress?.colonSeparatedHex
    }

    /// The state as `ip neigh` prints it, e.g. `REACHABLE`, `NONE` for no bit.
    public var stateText: String {
        let names: [(Int32, String)] = [
            (NUD_INCOMPLETE, "INCOMPLETE"), (NUD_REACHABLE, "REACHABLE"), (NUD_STALE, "STALE"), (NUD_DELAY, "DELAY"),
            (NUD_PROBE, "PROBE"), (NUD_FAILED, "FAILED"), (NUD_NOARP, "NOARP"), (NUD_PERMANENT, "PERMANENT"),
        ]
        let set = names.filter { state & UInt16($0.0) != 0 }.map(\.1)
        return set.isEmpty ? "NONE" : set.joined(separator: " ")
    }

    /// `10.0.0.2 lladdr 02:00:5e:00:01:0a REACHABLE on #3`, or `10.0.0.9 INCOMPLETE on #3`.
    public var description: String {
        "\(address)\(linkAddressText.map { " lladdr \($0)" } ?? "") \(stateText) on #\(interfaceIndex)"
    }
}
