import VipdDoctor
import XCTest

final class DoctorReportTests: XCTestCase {
    func testLinesAreAlignedAndFixesIndentedUnderWarnAndFail() {
        let text = DoctorReport.render([
            DoctorCheckResult(.pass, "config vipd.yaml is valid", detail: "2 node(s)", fix: "never shown for PASS"),
            DoctorCheckResult(.warn, "sshd snippet", detail: "missing", fix: "vipd sshd-snippet --write"),
            DoctorCheckResult(.fail, "firewall lets VRRP in", detail: "dropped by\n  rule", fix: "nft insert rule ...\nor remove it"),
        ])
        XCTAssertEqual(
            text,
            """
            PASS  config vipd.yaml is valid
                  2 node(s)
            WARN  sshd snippet
                  missing
                  fix: vipd sshd-snippet --write
            FAIL  firewall lets VRRP in
                  dropped by
                    rule
                  fix: nft insert rule ...
                       or remove it
            1 passed, 1 warning(s), 1 failed

            """)
    }

    func testExitStatusIsTwoOnlyWhenACheckFails() {
        XCTAssertEqual(DoctorReport.exitStatus([DoctorCheckResult(.pass, "a"), DoctorCheckResult(.warn, "b")]), 0)
        XCTAssertEqual(DoctorReport.exitStatus([DoctorCheckResult(.pass, "a"), DoctorCheckResult(.fail, "b")]), 2)
        XCTAssertEqual(DoctorReport.exitStatus([]), 0)
    }
}
