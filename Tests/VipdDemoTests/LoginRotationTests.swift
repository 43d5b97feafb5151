import VipdDemo
import XCTest

/// Judging a run of logins: strict round robin, or all on one node.
final class LoginRotationTests: XCTestCase {
    private let nodes = ["ha0", "ha1"]

    func testStrictAlternationStartingAnywhereIsRoundRobin() {
        XCTAssertNil(LoginRotation.roundRobinProblem(served: ["ha0", "ha1", "ha0", "ha1"], nodes: nodes))
        XCTAssertNil(LoginRotation.roundRobinProblem(served: ["ha1", "ha0", "ha1", "ha0"], nodes: nodes))
    }

    func testANodeThatServesNothingIsNamed() {
        XCTAssertEqual(
            LoginRotation.roundRobinProblem(served: ["ha0", "ha0"], nodes: nodes),
            "ha1 served none of the 2 logins (ha0, ha0)")
        XCTAssertEqual(LoginRotation.roundRobinProblem(served: [], nodes: nodes), "ha0 served none of the 0 logins ()")
    }

    func testTheSameNodeTwiceInARowIsNamedWithItsLogins() {
        XCTAssertEqual(
            LoginRotation.roundRobinProblem(served: ["ha0", "ha1", "ha1", "ha0"], nodes: nodes),
            "logins 2 and 3 were both served by ha1 (ha0, ha1, ha1, ha0)")
    }

    func testOnlyOneNodeServing() {
        XCTAssertNil(LoginRotation.onlyProblem(served: ["ha1", "ha1", "ha1"], node: "ha1"))
        XCTAssertEqual(LoginRotation.onlyProblem(served: ["ha1", "ha1", "ha0"], node: "ha1"), "login 3 was served by ha0 (ha1, ha1, ha0)")
    }
}
