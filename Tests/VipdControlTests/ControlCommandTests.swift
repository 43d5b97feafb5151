import VipdControl
import XCTest

/// `vipd ctl COMMAND ARGUMENTS` read into commands, and the errors for everything else.
final class ControlCommandTests: XCTestCase {
    private let ha1 = ServerTarget(pool: "ssh", server: "ha1")

    func testEveryCommand() throws {
        XCTAssertEqual(try ControlCommand(name: "status", arguments: []), .status)
        XCTAssertEqual(try ControlCommand(name: "servers", arguments: []), .servers)
        XCTAssertEqual(try ControlCommand(name: "drain", arguments: ["ssh/ha1"]), .drain(ha1))
        XCTAssertEqual(try ControlCommand(name: "maint", arguments: ["ssh/ha1"]), .maint(ha1))
        XCTAssertEqual(try ControlCommand(name: "ready", arguments: ["ssh/ha1"]), .ready(ha1))
        XCTAssertEqual(try ControlCommand(name: "ready", arguments: []), .ready(nil))
        XCTAssertEqual(try ControlCommand(name: "weight", arguments: ["ssh/ha1", "0"]), .weight(ha1, 0))
        XCTAssertEqual(try ControlCommand(name: "weight", arguments: ["ssh/ha1", "256"]), .weight(ha1, 256))
        XCTAssertEqual(try ControlCommand(name: "handover", arguments: []), .handover)
        XCTAssertEqual(try ControlCommand(name: "reload", arguments: []), .reload)
    }

    func testNamesAndTargets() throws {
        let commands: [ControlCommand] = [.status, .servers, .drain(ha1), .maint(ha1), .ready(ha1), .ready(nil), .weight(ha1, 3), .handover, .reload]
        XCTAssertEqual(
            commands.map(\.name), ["status", "servers", "drain", "maint", "ready", "ready", "weight", "handover", "reload"])
        XCTAssertEqual(commands.map(\.target), [nil, nil, ha1, ha1, ha1, nil, ha1, nil, nil])
    }

    private func assertRefused(_ name: String, _ arguments: [String], saying text: String, line: UInt = #line) {
        XCTAssertThrowsError(try ControlCommand(name: name, arguments: arguments), line: line) { error in
            XCTAssertTrue("\(error)".contains(text), "\(error)", line: line)
        }
    }

    func testBadCommandsSayWhatIsWrong() {
        assertRefused("stats", [], saying: "unknown command 'stats'; commands: status, servers, drain, maint, ready, weight, handover, reload")
        assertRefused("status", ["x"], saying: "status takes no arguments")
        assertRefused("drain", [], saying: "drain needs one POOL/SERVER")
        assertRefused("maint", ["a/b", "c/d"], saying: "maint needs one POOL/SERVER")
        assertRefused("ready", ["a/b", "c/d"], saying: "ready takes at most one POOL/SERVER")
        assertRefused("weight", ["ssh/ha1"], saying: "weight needs POOL/SERVER and a weight")
        assertRefused("weight", ["ssh/ha1", "257"], saying: "weight '257' is not a whole number in 0...256")
        assertRefused("weight", ["ssh/ha1", "-1"], saying: "weight '-1' is not a whole number")
        assertRefused("weight", ["ssh/ha1", "1.5"], saying: "weight '1.5' is not a whole number")
        assertRefused("drain", ["ha1"], saying: "'ha1' is not POOL/SERVER (e.g. ssh/ha1)")
    }

    func testServerTargets() throws {
        XCTAssertEqual(try ServerTarget(parsing: "web/app-1.example"), ServerTarget(pool: "web", server: "app-1.example"))
        XCTAssertEqual(ServerTarget(pool: "ssh", server: "ha0").description, "ssh/ha0")
        for bad in ["", "/", "ssh/", "/ha1", "a/b/c", "ssh"] {
            XCTAssertThrowsError(try ServerTarget(parsing: bad), bad)
        }
    }
}
