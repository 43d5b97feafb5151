import FoundationEssentials
import VipdCore

/// The demo's progress lines, pure: each function turns what a step saw into what the user reads.
public enum DemoText {
    /// How many steps the story has.
    public static let stepCount = 6

    /// `[3/6] title`, after an empty line.
    public static func heading(step: Int, _ title: String) -> [String] {
        ["", "[\(step)/\(stepCount)] \(title)"]
    }

    /// A command the step runs (or its equivalent), as the user would type it.
    public static func command(_ text: String) -> String { "   $ \(text)" }

    /// Something the step observed.
    public static func note(_ text: String) -> String { "   \(text)" }

    /// The step's verified result.
    public static func ok(_ text: String) -> String { "   ok: \(text)" }

    /// The embedded configuration, indented as a block.
    public static func configuration(_ yaml: String) -> [String] {
        yaml.trimming(while: \.isNewline).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "    \($0)" }
    }

    /// `ha0 (priority 100): 10.251.1.11/24 10.251.1.100/24   MASTER: holds 10.251.1.100`.
    public static func node(_ index: Int, of topology: DemoTopology, addresses: [String]) -> String {
        let node = topology.nodes[index]
        let role = InterfaceListing.contains(topology.vip, in: addresses) ? "holds \(topology.vip)" : "does not hold the VIP"
        let name = "\(node.name) (priority \(node.priority)):"
        let column = String(name.prefix(22)) + String(repeating: " ", count: max(0, 22 - name.count))
        return "   \(column)\(addresses.joined(separator: " "))   \(role)"
    }

    /// `ha0 only`, `ha0 and ha1`, `no node`: who holds the VIP.
    public static func holders(_ indices: [Int], of topology: DemoTopology) -> String {
        let names = indices.map { topology.nodes[$0].name }
        switch names.count {
        case 0: return "no node"
        case 1: return "\(names[0]) only"
        default: return names.dropLast().joined(separator: ", ") + " and " + names.last!
        }
    }

    /// `login 2 -> served by ha1 (sshd on 10.251.1.12:22) in 0.3 s`.
    public static func login(_ number: Int, servedBy name: String, address: String, port: Int, took: Duration) -> String {
        "   login \(number) -> served by \(name) (sshd on \(address):\(port)) in \(seconds(took))"
    }

    /// The failover gap in milliseconds, with the probe counts and the VRRP timer that explains it.
    /// - Parameter timeout: how long each probe waited for the banner.
    public static func gap(
        _ gap: FailoverGap, timeout: Duration, newMaster: DemoTopology.Node, oldMaster: DemoTopology.Node
    ) -> String {
        guard let duration = gap.gap else {
            return "   gap: no new connection succeeded after the cut (\(gap.probes) attempts)"
        }
        return "   gap: new connections to the VIP failed for \(duration.millisecondsText) after the cut "
            + "(\(gap.failedBeforeRecovery) attempts, each given \(timeout.millisecondsText) for the banner; "
            + "\(gap.failedAfterRecovery) failed after the first success). \(newMaster.name)'s Master_Down_Interval is "
            + "\(newMaster.masterDownInterval.millisecondsText), counted from \(oldMaster.name)'s last advertisement before the cut"
    }

    /// `3.7 s`: an elapsed time rounded to a tenth of a second (a negative one reads `0.0 s`).
    public static func seconds(_ duration: Duration) -> String {
        let tenths = (max(0, duration.wholeMilliseconds) + 50) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }

    /// A log record's message up to its evidence and fix (`…; evidence: …; fix: …` is shown apart).
    public static func headline(_ message: String) -> String {
        message.firstRange(of: "; evidence: ").map { String(message[..<$0.lowerBound]) } ?? message
    }

    /// A monitor finding: its summary, then indented evidence and fix.
    public static func finding(_ line: MonitorLine) -> [String] {
        ["   monitor: \(line.summary ?? line.kind ?? line.event)"] + line.evidence.map { "      evidence: \($0)" }
            + (line.fix.map { ["      fix: \($0)"] } ?? [])
    }
}
