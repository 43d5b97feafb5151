import Foundation
import VipdConfig

/// Reads vipd's own rules and routes back from iproute2's JSON listings (`ip -j rule show`,
/// `ip -j route show table all proto 239`), so that what is no longer wanted can be removed one by
/// one while what stays is never taken away. Entries of any other shape are not vipd's and are skipped.
public enum PolicyRoutingListing {
    /// The rules of `family` in `json` that carry vipd's protocol and a mark.
    public static func rules(inJSON json: String, family: IPAddress.Family) -> [PolicyRule] {
        entries(json).compactMap { entry in
            guard entry["protocol"] as? String == "\(TransparentMarks.routeProtocol)",
                let mark = hexadecimal(entry["fwmark"]), let table = number(entry["table"])
            else { return nil }
            let mask = hexadecimal(entry["fwmask"]) ?? UInt32.max
            return PolicyRule(family: family, mark: mark, mask: mask, table: table)
        }
    }

    /// The default routes of `family` in `json` (a listing of vipd's protocol only) that vipd adds.
    public static func routes(inJSON json: String, family: IPAddress.Family) -> [PolicyRoute] {
        entries(json).compactMap { entry in
            guard entry["dst"] as? String == "default", let table = number(entry["table"]) else { return nil }
            if entry["type"] as? String == "local" { return PolicyRoute(family: family, table: table, target: .local) }
            guard entry["type"] == nil || entry["type"] as? String == "unicast",
                let gateway = (entry["gateway"] as? String).flatMap { IPAddress($0) }, gateway.family == family
            else { return nil }
            return PolicyRoute(family: family, table: table, target: .via(gateway))
        }
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
