import VipdDemo
import XCTest

/// What the demo says before it creates anything when it cannot run.
final class DemoPreflightTests: XCTestCase {
    func testRootWithEverythingInstalledCanRun() {
        XCTAssertNil(DemoPreflight.problem(isRoot: true, missingPrograms: []))
    }

    func testNotRootSaysSo() {
        XCTAssertEqual(
            DemoPreflight.problem(isRoot: false, missingPrograms: []),
            "vipd demo must run as root (it creates network namespaces and nftables rules): sudo vipd demo")
    }

    func testMissingProgramsNameTheirDebianPackagesOnce() {
        XCTAssertEqual(
            DemoPreflight.problem(isRoot: true, missingPrograms: ["ssh", "ssh-keygen", "nft"]),
            "vipd demo needs ssh, ssh-keygen, nft, not installed here: apt-get install openssh-client nftables "
                + "(scripts/demo installs everything and runs the demo)")
        XCTAssertEqual(
            DemoPreflight.problem(isRoot: true, missingPrograms: ["ip", "sshd"]),
            "vipd demo needs ip, sshd, not installed here: apt-get install iproute2 openssh-server "
                + "(scripts/demo installs everything and runs the demo)")
    }

    func testBothProblemsAreReportedTogether() {
        let problem = DemoPreflight.problem(isRoot: false, missingPrograms: ["nft"]) ?? ""
        XCTAssertEqual(problem.split(separator: "\n").count, 2, problem)
        XCTAssertTrue(problem.contains("sudo vipd demo"))
        XCTAssertTrue(problem.contains("apt-get install nftables"))
    }

    func testEveryProgramHasAPackage() {
        XCTAssertEqual(Set(DemoPreflight.programs.map(\.program)), ["ip", "sshd", "ssh", "ssh-keygen", "nft"])
        XCTAssertTrue(DemoPreflight.programs.allSatisfy { !$0.package.isEmpty })
    }
}
