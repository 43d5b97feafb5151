import VipdStats
import XCTest

/// `/stats.csv` from a snapshot: haproxy's header line and column names, a FRONTEND row per
/// listener, server rows and a BACKEND row per pool.
final class StatsCSVTests: XCTestCase {
    private let text = StatsCSV.render(sampleSnapshot())

    private var rows: [[String: String]] {
        let lines = text.split(separator: "\n").map(String.init)
        let header = lines[0].dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, Self.fields(line)).filter { !$0.0.isEmpty })
        }
    }

    /// The fields of one CSV line (quoted fields with doubled quotes).
    private static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var characters = Array(line)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"", characters.first == "\"" { current.append("\""); characters.removeFirst() } else if c == "\"" { quoted = false } else { current.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current)
        return fields
    }

    func testHeaderIsHaproxysForm() {
        let header = String(text.prefix { $0 != "\n" })
        XCTAssertTrue(header.hasPrefix("# pxname,svname,scur,stot,bin,bout,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkdown,lastchg,downtime,"), header)
        XCTAssertTrue(header.hasSuffix(",hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,req_tot,no_server,"), header)
        for line in text.split(separator: "\n") {
            XCTAssertTrue(line.hasSuffix(","), "haproxy ends every line with a comma: \(line)")
        }
    }

    func testRowsOfListenersServersAndPools() throws {
        let rows = self.rows
        XCTAssertEqual(rows.map { [$0["pxname"]!, $0["svname"]!, $0["type"]!] }, [
            ["ssh", "FRONTEND", "0"], ["ssh", "ha0", "2"], ["ssh", "ha1", "2"], ["ssh", "BACKEND", "1"],
        ])
        let frontend = rows[0]
        XCTAssertEqual(frontend["stot"], "30")
        XCTAssertEqual(frontend["no_server"], "6")
        XCTAssertEqual(frontend["status"], "OPEN")
        let ha1 = rows[2]
        XCTAssertEqual(ha1["status"], "DOWN", "drained and down: down")
        XCTAssertEqual(ha1["econ"], "4")
        XCTAssertEqual(ha1["eresp"], "3", "broken off and timed out")
        XCTAssertEqual(ha1["wretr"], "3")
        XCTAssertEqual(ha1["chkdown"], "2")
        XCTAssertEqual(ha1["lastchg"], "1", "seconds since the change, at the snapshot")
        XCTAssertEqual(ha1["downtime"], "42")
        XCTAssertEqual(ha1["bck"], "1")
        XCTAssertEqual(ha1["last_chk"], "connection refused")
        XCTAssertEqual(ha1["hrsp_2xx"], "9")
        let ha0 = rows[1]
        XCTAssertEqual(ha0["last_chk"], #"SSH banner "SSH-2.0-OpenSSH_9.2p1""#, "quoted with its quotes doubled")
        XCTAssertEqual(ha0["stot"], "17")
        XCTAssertEqual(ha0["bout"], "1048576")
        XCTAssertEqual(ha0["check_duration"], "2")
        XCTAssertEqual(ha0["lastchg"], "")
        let backend = rows[3]
        XCTAssertEqual(backend["status"], "UP")
        XCTAssertEqual(backend["act"], "1", "one active server takes new connections")
        XCTAssertEqual(backend["stot"], "20")
        XCTAssertEqual(backend["econ"], "4")
        XCTAssertEqual(backend["no_server"], "6")
    }

    func testDrainedUpServerIsDrainAndBackendDownWithoutUsableServers() {
        var snapshot = sampleSnapshot()
        snapshot.pools[0].servers[0].adminState = "drain"
        let text = StatsCSV.render(snapshot)
        XCTAssertTrue(text.contains("\nssh,ha0,2,17,"), text)
        XCTAssertTrue(text.contains(",DRAIN,"), text)
        XCTAssertTrue(text.contains("\nssh,BACKEND,") && text.contains(",DOWN,0,0,0,"), "no server takes new connections: \(text)")
    }

    func testServedAtBothAddresses() {
        let snapshot = sampleSnapshot()
        XCTAssertEqual(StatsResource.csv.response(for: snapshot).body, StatsCSV.render(snapshot))
        XCTAssertEqual(StatsResource.haproxyCSV.response(for: snapshot), StatsResource.csv.response(for: snapshot))
        XCTAssertEqual(StatsResource.csv.response(for: snapshot).contentType, "text/csv; charset=utf-8")
    }
}
