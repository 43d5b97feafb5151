import VipdBalance
import VipdControl
import XCTest

/// The one-JSON-line protocol in both directions.
final class ControlWireTests: XCTestCase {
    private let ha1 = ServerTarget(pool: "ssh", server: "ha1")

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func testRequestsAreOneLineOfJSON() {
        XCTAssertEqual(text(ControlWire.line(ControlRequest(.status))), #"{"command":"status","version":1}"# + "\n")
        XCTAssertEqual(
            text(ControlWire.line(ControlRequest(.weight(ha1, 50)))),
            #"{"command":"weight","server":"ssh/ha1","version":1,"weight":50}"# + "\n")
        XCTAssertEqual(text(ControlWire.line(ControlRequest(.ready(nil)))), #"{"command":"ready","version":1}"# + "\n")
    }

    func testEveryRequestSurvivesTheRoundTrip() throws {
        let commands: [ControlCommand] = [.status, .servers, .drain(ha1), .maint(ha1), .ready(ha1), .ready(nil), .weight(ha1, 7), .handover, .reload]
        for command in commands {
            let line = ControlWire.line(ControlRequest(command))
            XCTAssertEqual(line.filter { $0 == UInt8(ascii: "\n") }.count, 1)
            XCTAssertEqual(try ControlWire.decode(ControlRequest.self, from: line), ControlRequest(command))
        }
    }

    func testResponsesSurviveTheRoundTripWithNewlinesInMessages() throws {
        let server = ServerReport(
            pool: "ssh", name: "ha1", address: "10.0.0.2:22", backup: false, health: "up", check: "3/3 UP",
            lastCheck: "banner \"SSH-2.0-x\"", admin: .drain, weight: 5, configuredWeight: 1, activeConnections: 2)
        let status = StatusReport(
            node: "ha0", configPath: "/etc/vipd/vipd.yaml",
            instances: [instanceStatus(name: "VI_1", state: "MASTER", priority: 100, effectivePriority: 40, masterAddress: "10.0.0.1", held: true, faultReason: nil)],
            pools: [PoolReport(name: "ssh", balance: "roundrobin", servers: [server])],
            findings: [FindingReport(severity: "critical", kind: "split-brain", summary: "two masters", since: "2026-01-01T00:00:00.000Z", fix: "nft …")])
        let responses = [
            ControlResponse(ok: true, status: status), ControlResponse(ok: true, message: "a\nb", servers: [server]),
            .failure(ControlError("no pool named 'x'")),
        ]
        for response in responses {
            let line = ControlWire.line(response)
            XCTAssertEqual(line.filter { $0 == UInt8(ascii: "\n") }.count, 1, "only the end of line")
            XCTAssertEqual(try ControlWire.decode(ControlResponse.self, from: line), response)
        }
        XCTAssertTrue(text(ControlWire.line(ControlResponse(ok: true, servers: [server]))).contains(#""admin":"drain""#))
    }

    private func assertMalformed(_ line: String, saying expected: String, file: StaticString = #filePath, line number: UInt = #line) {
        XCTAssertThrowsError(try ControlWire.decode(ControlRequest.self, from: Array(line.utf8)), file: file, line: number) { error in
            XCTAssertEqual("\(error)", expected, file: file, line: number)
        }
    }

    func testMalformedRequestsAreRefusedInWords() {
        assertMalformed("hello", saying: "malformed control message: not the JSON of a ControlRequest")
        assertMalformed(#"{"version":1}"#, saying: "malformed control message: no command")
        assertMalformed(#"{"command":"status"}"#, saying: "malformed control message: no version")
        assertMalformed(
            #"{"version":1,"command":"drain"}"#, saying: "malformed control message: drain needs one POOL/SERVER")
        assertMalformed(
            #"{"version":1,"command":"weight","server":"ssh/ha1","weight":999}"#,
            saying: "malformed control message: weight '999' is not a whole number in 0...256")
        assertMalformed(#"{"version":1,"command":"explode"}"#, saying: "malformed control message: unknown command 'explode'; commands: status, servers, drain, maint, ready, weight, handover, reload")
    }

    func testVersionCheck() {
        XCTAssertNil(ControlWire.versionProblem(of: ControlRequest(.status)))
        let problem = ControlWire.versionProblem(of: ControlRequest(.status, version: 2))
        XCTAssertEqual(
            problem?.description,
            "control protocol version 2 is not spoken by this vipd (it speaks 1): use the vipd ctl of the running build")
    }
}
