import VipdCore

/// The screen of a live monitor on a terminal, redrawn like top: every group and advertiser,
/// who answers for each VIP, and the findings in force.
public enum LiveTable {
    /// The lines of the screen at `now`, cut to `width` columns.
    public static func lines(
        analyzer: MonitorAnalyzer, capture: [CaptureCounts], at now: MonitorInstant, width: Int
    ) -> [String] {
        let state = analyzer.state
        var lines = [
            "vipd monitor  \(now.timeOfDayText) UTC  " + capture.map(\.text).joined(separator: "; "),
            "",
            pad("GROUP", 22) + pad("VER", 8) + pad("ADVERTISER", 30) + pad("PRIO", 6) + pad("INTERVAL", 10)
                + pad("LAST SEEN", 12) + pad("STATE", 9) + "VIPS",
        ]
        let groups = state.groups.values.sorted { $0.key < $1.key }
        if groups.isEmpty { lines.append("(no VRRP advertisement seen yet)") }
        for group in groups {
            let advertisers = group.advertisers.values.sorted { $0.outranks($1) }
            for (index, advertiser) in advertisers.enumerated() {
                let role = advertiser.isActiveMaster(at: now) ? "MASTER" : advertiser.priority == 0 ? "left" : "silent"
                lines.append(
                    pad(index == 0 ? group.key.description : "", 22) + pad(advertiser.version.description, 8)
                        + pad(state.settings.label(advertiser.address), 30) + pad("\(advertiser.priority)", 6)
                        + pad(advertiser.interval.secondsText, 10) + pad((now - advertiser.lastSeen).secondsText + " ago", 12)
                        + pad(role, 9) + advertiser.virtualAddresses.map(\.description).joined(separator: " "))
            }
        }
        let virtualAddresses = state.virtualAddressGroups
        let claimed = state.claims.values.filter { virtualAddresses[$0.address] != nil }
            .sorted { ($0.interface, $0.address) < ($1.interface, $1.address) }
        if !claimed.isEmpty {
            lines += ["", "VIP ANSWERS (ARP / NA)"]
            for address in claimed {
                let macs = address.byMAC.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count)×" }
                lines.append("  \(address.interface) \(address.address): " + macs.joined(separator: ", "))
            }
        }
        let findings = analyzer.currentFindings
        lines += ["", findings.isEmpty ? "FINDINGS: none" : "FINDINGS (\(findings.count))"]
        for finding in findings {
            lines.append("  \(finding.severity.rawValue.uppercased()) since \(finding.since.timeOfDayText): \(finding.summary)")
            lines.append("    fix: \(finding.fix)")
        }
        return lines.map { $0.count > width ? String($0.prefix(Swift.max(width - 1, 0))) + "…" : $0 }
    }

    /// `text` padded with spaces to `width` (and one space more when it is longer).
    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
