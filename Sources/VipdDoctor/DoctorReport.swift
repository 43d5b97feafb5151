/// The text `vipd doctor` prints, and its exit status. Pure.
///
/// ```
/// PASS  config /etc/vipd/vipd.yaml is valid
/// FAIL  firewall lets VRRP (protocol 112) in on eth0: dropped
///       nftables inet filter input handle 8: meta l4proto vrrp drop
///       fix: nft insert rule inet filter input position 8 meta l4proto vrrp accept
/// ```
public enum DoctorReport {
    /// Width of the status column: the status and two spaces.
    static let indent = String(repeating: " ", count: 6)

    /// One block per result: the status and title, then the detail and (for WARN and FAIL) the
    /// fix, indented under the title; then a summary line.
    public static func render(_ results: [DoctorCheckResult]) -> String {
        var lines: [String] = []
        for result in results {
            lines.append("\(result.status.rawValue)  \(result.title)")
            lines += result.detail.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }.map { indent + $0 }
            if result.status != .pass, !result.fix.isEmpty {
                let fixLines = result.fix.split(separator: "\n").map(String.init)
                lines.append(indent + "fix: " + fixLines[0])
                lines += fixLines.dropFirst().map { indent + "     " + $0 }
            }
        }
        let count = { (status: DoctorStatus) in results.filter { $0.status == status }.count }
        lines.append("\(count(.pass)) passed, \(count(.warn)) warning(s), \(count(.fail)) failed")
        return lines.joined(separator: "\n") + "\n"
    }

    /// 2 when a check failed, else 0 (warnings allowed).
    public static func exitStatus(_ results: [DoctorCheckResult]) -> Int32 {
        results.contains { $0.status == .fail } ? 2 : 0
    }
}
