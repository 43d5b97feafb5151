import Foundation
import VipdCore

/// Reads vipd's own rules and routes back from iproute2's JSON listings (`ip -j rule show`,
/// `ip -j route show table all proto 239`), so that what is no longer wanted can be removed one by
/// one while what stays is never taken away. Entries of any other shape are not vipd's and are skipped.
public enum PolicyRoutingListing {
    /// The rules of `family` in `json` that carry vipd's protocol and a mark or a destination.
    public static func rules(inJSON json: String, family: IPAddress.Family) -> [PolicyRule] {
        entries(json).compactMap { entry in
            guard entry["protocol"] as? String == "\(TransparentMarks.routeProtocol)", let table = number(entry["table"]) else { return nil }
            if let mark = hexadecimal(entry["fwmark"]) {
                return PolicyRule(family: family, selector: .mark(mark, mask: hexadecimal(entry["fwmask"]) ?? UInt32.max), table: table)
            }
            guard let destination = address(entry["dst"], family: family) else { return nil }
            return PolicyRule(family: family, selector: .destination(destination), table: table)
        }
    }

    /// The routes of `family` in `json` (a listing of vipd's protocol only) of the shapes vipd adds:
    /// default routes, and routes to one address.
    public static func routes(inJSON json: String, family: IPAddress.Family) -> [PolicyRoute] {
        entries(json).compactMap { entry in
            guard let to = entry["dst"] as? String, let table = number(entry["table"]) else { return nil }
            var destination: IPAddress?
            if to != "default" {
                guard let single = address(to, family: family) else { return nil }
                destination = single
            }
            let type = entry["type"] as? String
            if type == "local" { return PolicyRoute(family: family, table: table, destination: destination, target: .local) }
            guard type == nil || type == "unicast" else { return nil }
            if let gateway = address(entry["gateway"], family: family) {
                return PolicyRoute(family: family, table: table, destination: destination, target: .via(gateway))
            }
            guard let device = entry["dev"] as? String, !device.isEmpty else { return nil }
            return PolicyRoute(family: family, table: table, destination: destination, target: .device(device))
        }
    }

    /// A single address of `family` (`169.254.0.1`, also written `169.254.0.1/32`).
    private static func address(_ value: Any?, family: IPAddress.Family) -> IPAddress? {
        guard let text = value as? String else { return nil }
        let bits = family == .v4 ? "/32" : "/128"
        let bare = text.hasSuffix(bits) ? String(text.dropLast(bits.count)) : text
        guard let address = IPAddress(bare), address.family == family else { return nil }
        return address
    }

    private static func entries(_ json: String) -> [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: Any]] ?? []
    }

    private static func number(_ value: Any?) -> UInt32? {
        if let text = value as? String { return UInt32(text) }
        return (value as? NSNumber).flatMap { UInt32(exactly: $0.doubleValue) }
    }

    private static func hexadecimal(_ value: Any?) -> UInt32? {
        guard let text = value as? String, text.hasPrefix("0x") else { return nil }
        return UInt32(text.dropFirst(2), radix: 16)
    }
}
