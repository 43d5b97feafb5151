import FoundationEssentials
import VipdCore

/// Reads vipd's own rules and routes back from iproute2's JSON listings (`ip -j rule show`,
/// `ip -j route show table all proto 239`), so that what is no longer wanted can be removed one by
/// one while what stays is never taken away. Entries of any other shape are not vipd's and are skipped.
public enum PolicyRoutingListing {
    /// The rules of `family` in `json` that carry vipd's protocol and a mark or a destination.
    public static func rules(inJSON json: String, family: IPAddress.Family) -> [PolicyRule] {
        entries(json).compactMap { (entry: JSONValue) -> PolicyRule? in
            guard entry["protocol"]?.stringValue == "\(TransparentMarks.routeProtocol)", let table = number(entry["table"]) else { return nil }
            if let mark = hexadecimal(entry["fwmark"]) {
                return PolicyRule(family: family, selector: .mark(mark, mask: hexadecimal(entry["fwmask"]) ?? UInt32.max), table: table)
            }
            guard let destination = address(entry["dst"]?.stringValue, family: family) else { return nil }
            return PolicyRule(family: family, selector: .destination(destination), table: table)
        }
    }

    /// The routes of `family` in `json` (a listing of vipd's protocol only) of the shapes vipd adds:
    /// default routes, and routes to one address.
    public static func routes(inJSON json: String, family: IPAddress.Family) -> [PolicyRoute] {
        entries(json).compactMap { (entry: JSONValue) -> PolicyRoute? in
            guard let to = entry["dst"]?.stringValue, let table = number(entry["table"]) else { return nil }
            var destination: IPAddress?
            if to != "default" {
                guard let single = address(to, family: family) else { return nil }
                destination = single
            }
            let type = entry["type"]?.stringValue
            if type == "local" { return PolicyRoute(family: family, table: table, destination: destination, target: .local) }
            guard type == nil || type == "unicast" else { return nil }
            if let gateway = address(entry["gateway"]?.stringValue, family: family) {
                return PolicyRoute(family: family, table: table, destination: destination, target: .via(gateway))
            }
            guard let device = entry["dev"]?.stringValue, !device.isEmpty else { return nil }
            return PolicyRoute(family: family, table: table, destination: destination, target: .device(device))
        }
    }

    /// A single address of `family` (`169.254.0.1`, also written `169.254.0.1/32`).
    private static func address(_ text: String?, family: IPAddress.Family) -> IPAddress? {
        guard let text else { return nil }
        let bits = family == .v4 ? "/32" : "/128"
        let bare = text.hasSuffix(bits) ? String(text.dropLast(bits.count)) : text
        guard let address = IPAddress(bare), address.family == family else { return nil }
        return address
    }

    /// The elements of the listing's top-level array (none when it is no array).
    private static func entries(_ json: String) -> [JSONValue] {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)))?.arrayValue ?? []
    }

    private static func number(_ value: JSONValue?) -> UInt32? {
        if let text = value?.stringValue { return UInt32(text) }
        return value?.numberValue.flatMap { UInt32(exactly: $0) }
    }

    private static func hexadecimal(_ value: JSONValue?) -> UInt32? {
        guard let text = value?.stringValue, text.hasPrefix("0x") else { return nil }
        return UInt32(text.dropFirst(2), radix: 16)
    }
}
