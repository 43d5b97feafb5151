import Foundation
import XCTest

@testable import VipdProxy

/// The messages a stopping vipd sends `vipd serve-sessions`: each one decodes to what was encoded,
/// the fuzz corpus's seeds are real messages, and anything else is an error, never a trap.
final class SessionServerMessageTests: XCTestCase {
    private let details = MovedConnection.Details(
        client: "10.251.1.2:52110", listener: "ssh", pool: "ssh", server: "ha0", ageMilliseconds: 4024, bytesFromClient: 3617,
        bytesFromServer: 3505, idleTimeoutMilliseconds: 3_600_000)

    func testEveryMessageRoundTrips() throws {
        for message in [
            SessionServerMessage.start(limitMilliseconds: 86_400_000, heldAddresses: ["10.251.1.100", "2001:db8::50"], parent: 1234),
            .connection(details), .end,
        ] {
            XCTAssertEqual(try SessionServerMessage.decode(try message.encoded()), message)
        }
    }

    func testTheFuzzCorpusSeedsAreRealMessages() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fuzz/corpus/session-handoff")
        func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: corpus.appendingPathComponent(name))) }
        XCTAssertEqual(
            try SessionServerMessage.decode(try read("start-message")),
            .start(limitMilliseconds: 86_400_000, heldAddresses: ["10.251.1.100", "2001:db8::50"], parent: 1234))
        XCTAssertEqual(try SessionServerMessage.decode(try read("connection-message")), .connection(details))
        XCTAssertEqual(try SessionServerMessage.decode(try read("end-message")), .end)
    }

    func testAnythingElseIsAnError() {
        for bytes in ["", "{", "{\"start\":{}}", "{\"connection\":{\"_0\":{\"client\":1}}}", "[]", "\u{0}\u{ff}"].map({ Array($0.utf8) }) {
            XCTAssertThrowsError(try SessionServerMessage.decode(bytes))
        }
    }
}
