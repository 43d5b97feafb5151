import VipdSystemd
import XCTest

final class StatusLineTests: XCTestCase {
    func testSeedPair() {
        let line = StatusLine(instances: [.init(name: "VI_1", state: "MASTER")], pools: [.init(name: "ssh", up: 2, total: 2)])
        XCTAssertEqual(line.text, "MASTER VI_1; ssh 2/2 up")
    }

    func testSeveralInstancesAndPoolsSortedByName() {
        let line = StatusLine(
            instances: [.init(name: "VI_2", state: "BACKUP"), .init(name: "VI_1", state: "MASTER")],
            pools: [.init(name: "web", up: 0, total: 3), .init(name: "ssh", up: 1, total: 2)])
        XCTAssertEqual(line.text, "MASTER VI_1, BACKUP VI_2; ssh 1/2 up, web 0/3 up")
    }

    func testPoolsOnly() {
        XCTAssertEqual(StatusLine(instances: [], pools: [.init(name: "ssh", up: 0, total: 2)]).text, "ssh 0/2 up")
    }

    func testInstancesOnly() {
        XCTAssertEqual(StatusLine(instances: [.init(name: "VI_1", state: "FAULT")], pools: []).text, "FAULT VI_1")
    }

    func testNothingConfigured() {
        XCTAssertEqual(StatusLine(instances: [], pools: []).text, "no pools, no VRRP")
    }

    func testPhasesComeFirst() {
        let instances = [StatusLine.Instance(name: "VI_1", state: "BACKUP")]
        let pools = [StatusLine.Pool(name: "ssh", up: 2, total: 2)]
        XCTAssertEqual(StatusLine(phase: .reloading, instances: instances, pools: pools).text, "reloading; BACKUP VI_1; ssh 2/2 up")
        XCTAssertEqual(StatusLine(phase: .stopping, instances: instances, pools: pools).text, "stopping; BACKUP VI_1; ssh 2/2 up")
        XCTAssertEqual(StatusLine(phase: .stopping, instances: [], pools: []).text, "stopping; no pools, no VRRP")
    }
}
