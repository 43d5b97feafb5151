import Foundation
import VipdCore
import VipdSystem
import XCTest

/// The /proc/net/tcp and tcp6 parser on rows as the kernel prints them.
final class ProcNetTCPTests: XCTestCase {
    private let header4 =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
    private let header6 =
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"

    private func row4(_ local: String, state: String = "0A", inode: String = "25431") -> String {
        "   0: \(local) 00000000:0000 \(state) 00000000:00000000 00:00000000 00000000     0        0 \(inode) 1 0000000000000000 100 0 0 10 0"
    }

    private func row6(_ local: String, state: String = "0A", inode: String = "31337") -> String {
        "   1: \(local) 00000000000000000000000000000000:0000 \(state) 00000000:00000000 00:00000000 00000000     0        0 \(inode) 1 0000000000000000 100 0 0 10 0"
    }

    private func endpoint(_ text: String) -> SocketEndpoint { SocketEndpoint(parsing: text)! }

    func testIPv4RowsDecodeLittleEndianWordsAndHexPorts() throws {
        let text = [
            header4, row4("00000000:0016"), row4("0100007F:0CEA", inode: "7"), row4("640BFB0A:0016", state: "01", inode: "0"),
            "",
        ].joined(separator: "\n")
        let records = try ProcNetTCP.parse(text, source: "/proc/net/tcp", hostIsLittleEndian: true)
        XCTAssertEqual(
            records,
            [
                TCPSocketRecord(local: endpoint("0.0.0.0:22"), state: 0x0A, inode: 25431),
                TCPSocketRecord(local: endpoint("127.0.0.1:3306"), state: 0x0A, inode: 7),
                TCPSocketRecord(local: endpoint("10.251.11.100:22"), state: 0x01, inode: 0),
            ])
        XCTAssertEqual(records.map(\.isListening), [true, true, false])
    }

    func testIPv6RowsDecodeFourWords() throws {
        let text = [
            header6,
            row6("00000000000000000000000000000000:0016"),
            row6("00000000000000000000000001000000:1F90"),
            row6("0000000000000000FFFF00000B01FB0A:0016"),
            row6("510200FD000001000000000011000000:0050"),
        ].joined(separator: "\n")
        let records = try ProcNetTCP.parse(text, source: "/proc/net/tcp6", hostIsLittleEndian: true)
        XCTAssertEqual(
            records.map(\.local),
            [endpoint("[::]:22"), endpoint("[::1]:8080"), endpoint("[::ffff:10.251.1.11]:22"), endpoint("[fd00:251:1::11]:80")])
    }

    func testBigEndianHostsPrintWordsInNetworkOrder() throws {
        let text = [header4, row4("7F000001:0016")].joined(separator: "\n")
        let records = try ProcNetTCP.parse(text, source: "tcp", hostIsLittleEndian: false)
        XCTAssertEqual(records.map(\.local), [endpoint("127.0.0.1:22")])
    }

    func testEmptyTableHasNoRecords() throws {
        XCTAssertEqual(try ProcNetTCP.parse(header6 + "\n", source: "tcp6"), [])
        XCTAssertEqual(try ProcNetTCP.parse("", source: "tcp6"), [])
    }

    func testMalformedRowsNameTheLineAndTheField() {
        let cases: [(row: String, message: String)] = [
            ("   0: 0100007F:0016 00000000:0000 0A", "expected at least 10 fields (sl, local_address, ..., inode), found 4"),
            (row4("0100007F0016"), "malformed local_address \"0100007F0016\": expected 8 or 32 hex digits, a colon and 4 hex digits"),
            (row4("0100007:0016"), "malformed local_address \"0100007:0016\": expected 8 or 32 hex digits, a colon and 4 hex digits"),
            (row4("0100007G:0016"), "malformed local_address \"0100007G:0016\": expected 8 or 32 hex digits, a colon and 4 hex digits"),
            (row4("+100007F:0016"), "malformed local_address \"+100007F:0016\": expected 8 or 32 hex digits, a colon and 4 hex digits"),
            (row4("0100007F:016"), "malformed local_address \"0100007F:016\": expected 8 or 32 hex digits, a colon and 4 hex digits"),
            (row4("0100007F:0016", state: "A"), "malformed state \"A\": expected 2 hex digits"),
            (row4("0100007F:0016", state: "+A"), "malformed state \"+A\": expected 2 hex digits"),
            (row4("0100007F:0016", inode: "12x"), "malformed inode \"12x\": expected a decimal number"),
            (row4("0100007F:0016", inode: "+12"), "malformed inode \"+12\": expected a decimal number"),
            (row4("0100007F:0016", inode: "99999999999999999999"), "malformed inode \"99999999999999999999\": expected a decimal number"),
        ]
        for (row, message) in cases {
            XCTAssertThrowsError(try ProcNetTCP.parse([header4, row4("00000000:0016"), row].joined(separator: "\n"), source: "/proc/net/tcp")) {
                XCTAssertEqual($0 as? ProcNetTCP.ParseError, ProcNetTCP.ParseError(source: "/proc/net/tcp", line: 3, message: message))
                XCTAssertEqual("\($0)", "/proc/net/tcp:3: \(message)")
            }
        }
    }

    func testSlColumnMustEndWithAColon() {
        let row = "   0 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1"
        XCTAssertThrowsError(try ProcNetTCP.parse(row, source: "tcp")) {
            XCTAssertEqual(($0 as? ProcNetTCP.ParseError)?.line, 1)
        }
    }
}
