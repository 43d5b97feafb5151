import VipdDemo
import XCTest

/// How a failed step reads.
final class DemoStepFailureTests: XCTestCase {
    func testAStepFailureSaysWhatWasExpectedAndSeenThenTheLogs() {
        let failure = DemoStepFailure(
            step: 3, expected: "the VIP on ha1 only within 38.0 s", saw: "it on ha0 and ha1",
            logs: [.init(title: "vipd on ha0 (/tmp/x/vipd-ha0.log)", lines: ["a", "b"]), .init(title: "vipd on ha1", lines: [])])
        XCTAssertEqual(
            failure.description,
            """
            step 3 failed: expected the VIP on ha1 only within 38.0 s, saw it on ha0 and ha1
            --- vipd on ha0 (/tmp/x/vipd-ha0.log), last 2 lines ---
            a
            b
            --- vipd on ha1, last 0 lines ---
            """)
    }

    func testASetupFailureSaysSettingUp() {
        XCTAssertEqual(
            DemoStepFailure(step: nil, expected: "the lab to start", saw: "sshd exited").description,
            "setting up failed: expected the lab to start, saw sshd exited")
    }
}
