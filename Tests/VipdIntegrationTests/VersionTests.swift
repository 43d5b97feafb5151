import VipdConfig
import VipdLab
import XCTest

/// `vipd --version` as an admin runs it: the release version alone on standard output, exit 0.
final class VersionTests: XCTestCase {
    func testVersionFlagPrintsTheReleaseVersion() throws {
        let output = try ProcessRunner.run(VipdProcess.binary, arguments: ["--version"], timeout: .seconds(60))
        XCTAssertEqual(output.exitStatus, 0, output.standardError)
        XCTAssertEqual(output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), VipdVersion.current)
    }
}
