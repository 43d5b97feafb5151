import FoundationEssentials
import VipdCore

/// What one VRRP instance asks of the kernel to keep sessions across moves of its virtual addresses.
public struct HandoffInstanceRules: Sendable, Equatable {
    /// The instance's name (for the counter's comment and logs).
    public var instance: String
    /// The interface the virtual addresses live on; forwarded segments leave from it.
    public var interface: String
    /// The node's own address on `interface`: the sender of its ARP requests while it holds a moved address.
    public var nodeAddress: IPAddress
    /// Every listener address and port on a virtual address of the instance.
    public var services: [SocketEndpoint]
    /// As owner after a planned move: the previous owner, which still serves the sessions it holds.
    public var forwardTo: IPAddress?
    /// As previous owner: the virtual addresses held on `lo` for the sessions still served here.
    public var heldAddresses: [IPAddress]

    public init(
        instance: String, interface: String, nodeAddress: IPAddress, services: [SocketEndpoint],
        forwardTo: IPAddress? = nil, heldAddresses: [IPAddress] = []
    ) {
        self.instance = instance
        self.interface = interface
        self.nodeAddress = nodeAddress
        self.services = services
        self.forwardTo = forwardTo
        self.heldAddresses = heldAddresses
    }
}

/// vipd's own nftables tables for the session hand-off (`ip`, `ip6` and `arp` tables named
/// `vipd_sessions`), as one `nft -f` script that replaces them atomically.
///
/// - Every SYN to a listener on a virtual address is marked, so that (with `tcp_fwmark_accept`)
///   each accepted socket carries the mark while the listener has none.
/// - The owner after a planned move sends every non-SYN segment to such a listener whose socket
///   lookup finds no marked socket (no flow of this node) to the previous owner, untouched at
///   layer 2 (`dup to … device …`), and drops its own copy.
/// - The previous owner, holding the addresses on `lo`, answers no ARP request for them and does
///   not put them as sender in its own ARP requests (neighbours' caches keep the new owner).
public struct HandoffRuleset: Sendable, Equatable {
    /// The tables' name in each family.
    public static let tableName = "vipd_sessions"
    /// The bit set on the mark of SYNs to a listener on a virtual address (and so on accepted sockets).
    public static let acceptMark: UInt32 = 0x0040_0000

    public var instances: [HandoffInstanceRules]
    /// `net.ipv4.tcp_fwmark_accept` as it was before vipd set it, recorded in the `ip` table's
    /// comment so that a start after a crash restores the right value.
    public var originalFwmarkAccept: Int
    /// The process that serves the held addresses' sessions after vipd stopped (`vipd
    /// serve-sessions`), recorded in the comment; nil while vipd itself serves them.
    public var sessionServer: Int32?

    public init(instances: [HandoffInstanceRules], originalFwmarkAccept: Int, sessionServer: Int32? = nil) {
        self.instances = instances
        self.originalFwmarkAccept = originalFwmarkAccept
        self.sessionServer = sessionServer
    }

    /// The comment of the `ip` table (at most 128 bytes, as nftables allows).
    public static func comment(originalFwmarkAccept: Int, sessionServer: Int32? = nil) -> String {
        "vipd: sessions kept across moves of virtual addresses; tcp_fwmark_accept was \(originalFwmarkAccept)"
            + (sessionServer.map { "; session server pid \($0)" } ?? "")
    }

    /// `tcp_fwmark_accept was N` from a table listing; nil when there is none.
    public static func originalFwmarkAccept(inListing listing: String) -> Int? {
        number(after: "tcp_fwmark_accept was ", in: listing)
    }

    /// `session server pid N` from a table listing; nil when there is none.
    public static func sessionServer(inListing listing: String) -> Int32? {
        number(after: "session server pid ", in: listing).flatMap { Int32(exactly: $0) }
    }

    /// The held addresses listed in the `ip` table's sets (`nft list table ip vipd_sessions`).
    public static func heldAddresses(inListing listing: String) -> [IPAddress] {
        var addresses: [IPAddress] = []
        var rest = listing[...]
        // nft wraps long element lists over several lines.
        while let open = rest.firstRange(of: "elements = {") {
            let tail = rest[open.upperBound...]
            let close = tail.firstIndex(of: "}") ?? tail.endIndex
            addresses += tail[..<close].split(whereSeparator: { $0 == "," || $0.isWhitespace }).compactMap { IPAddress(String($0)) }
            rest = tail[close...]
        }
        return addresses
    }

    private static func number(after marker: String, in listing: String) -> Int? {
        guard let range = listing.firstRange(of: marker) else { return nil }
        return Int(listing[range.upperBound...].prefix { $0.isNumber })
    }

    /// The counter of segments forwarded for instance number `index`.
    public static func counterName(_ index: Int) -> String { "forwarded_\(index)" }

    /// The script that replaces vipd's tables with these rules (a family without rules loses its table).
    public var script: String {
        var lines = [String]()
        for family in ["ip", "ip6", "arp"] {
            lines += ["add table \(family) \(Self.tableName)", "delete table \(family) \(Self.tableName)"]
        }
        lines += table(.v4)
        lines += table(.v6)
        lines += arpTable()
        return lines.joined(separator: "\n") + "\n"
    }

    /// The script that removes every table of vipd's (at stop, and at start after a crash).
    public static var removalScript: String {
        ["ip", "ip6", "arp"].flatMap { ["add table \($0) \(tableName)", "delete table \($0) \(tableName)"] }
            .joined(separator: "\n") + "\n"
    }

    private func table(_ family: IPAddress.Family) -> [String] {
        let keyword = family == .v4 ? "ip" : "ip6"
        let marked = instances.flatMap(\.services).filter { $0.address.family == family }
        // The ip table always exists while vipd's state does: it carries the comment and the held addresses.
        guard family == .v4 || !marked.isEmpty else { return [] }
        var lines = ["table \(keyword) \(Self.tableName) {"]
        if family == .v4 {
            lines.append("\tcomment \"\(Self.comment(originalFwmarkAccept: originalFwmarkAccept, sessionServer: sessionServer))\"")
            let held = instances.flatMap(\.heldAddresses)
            for (name, type, addressFamily) in [("held_addresses", "ipv4_addr", IPAddress.Family.v4), ("held_addresses6", "ipv6_addr", .v6)] {
                let elements = held.filter { $0.family == addressFamily }
                lines += ["\tset \(name) {", "\t\ttype \(type)"]
                if !elements.isEmpty { lines.append("\t\telements = { \(elements.map(\.description).joined(separator: ", ")) }") }
                lines.append("\t}")
            }
        }
        for index in instances.indices {
            lines += ["\tcounter \(Self.counterName(index)) {", "\t}"]
        }
        if !marked.isEmpty {
            lines += [
                "\tchain mark_new_flows {",
                "\t\ttype filter hook prerouting priority mangle; policy accept;",
                "\t\t\(keyword) daddr . tcp dport \(Self.elements(marked)) tcp flags & (syn | ack) == syn meta mark set meta mark | \(Self.markText)",
                "\t}",
            ]
        }
        let forwards = instances.enumerated().compactMap { index, instance -> String? in
            guard let destination = instance.forwardTo, destination.family == family else { return nil }
            let services = instance.services.filter { $0.address.family == family }
            guard !services.isEmpty else { return nil }
            return "\t\t\(keyword) daddr . tcp dport \(Self.elements(services)) tcp flags & syn == 0 socket mark & \(Self.markText) == 0 counter name \"\(Self.counterName(index))\" dup to \(destination) device \"\(instance.interface)\" drop"
        }
        if !forwards.isEmpty {
            lines += ["\tchain forward_unknown_flows {", "\t\ttype filter hook prerouting priority mangle + 1; policy accept;"]
            lines += forwards
            lines.append("\t}")
        }
        lines.append("}")
        return lines
    }

    private func arpTable() -> [String] {
        let held = instances.flatMap { instance in
            instance.heldAddresses.filter { $0.family == .v4 }.map { (address: $0, sender: instance.nodeAddress) }
        }
        guard !held.isEmpty else { return [] }
        var lines = [
            "table arp \(Self.tableName) {",
            "\tchain drop_requests_for_held_addresses {",
            "\t\ttype filter hook input priority filter; policy accept;",
            "\t\tarp operation request arp daddr ip { \(held.map(\.address.description).joined(separator: ", ")) } drop",
            "\t}",
            "\tchain send_from_node_address {",
            "\t\ttype filter hook output priority filter; policy accept;",
        ]
        for entry in held where entry.sender.family == .v4 {
            lines.append("\t\tarp saddr ip \(entry.address) arp saddr ip set \(entry.sender)")
        }
        lines += ["\t}", "}"]
        return lines
    }

    private static var markText: String {
        let hex = String(acceptMark, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    private static func elements(_ services: [SocketEndpoint]) -> String {
        var seen = Set<SocketEndpoint>()
        let unique = services.filter { seen.insert($0).inserted }
        return "{ " + unique.map { "\($0.address) . \($0.port)" }.joined(separator: ", ") + " }"
    }
}

extension HandoffRuleset {
    /// The packets each instance's counter holds in `nft -j list counters …` output, by instance
    /// number; counters of other names are ignored, and so is output that is not such a listing.
    public static func forwardedCounts(inJSON json: String) -> [Int: Int] {
        guard let root = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)),
            let entries = root["nftables"]?.arrayValue
        else { return [:] }
        var counts: [Int: Int] = [:]
        for entry in entries {
            guard let counter = entry["counter"], let name = counter["name"]?.stringValue,
                name.hasPrefix("forwarded_"), let index = Int(name.dropFirst("forwarded_".count)),
                let packets = counter["packets"]?.integerValue
            else { continue }
            counts[index, default: 0] += packets
        }
        return counts
    }
}
