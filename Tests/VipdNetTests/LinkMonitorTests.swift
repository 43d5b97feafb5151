import VipdLab
import VipdNet
import XCTest

/// Carrier changes seen through `RTMGRP_LINK`, caused from the other end of the veth pair.
final class LinkMonitorTests: XCTestCase {
    private var lab: VethLab!

    override func setUpWithError() throws {
        try VethLab.requireAvailable()
        lab = try VethLab(subnet: 101)
    }

    override func tearDown() {
        lab?.delete()
    }

    func testReportsCarrierLossWhenThePeerGoesDownAndRecoveryWhenItComesBack() async throws {
        let monitor = try lab.a.perform { try LinkMonitor(interfaceNames: ["veth-a"]) }
        defer { monitor.stop() }

        try lab.b.ip(["link", "set", "veth-b", "down"])
        let lost = await firstElement(of: monitor.changes, within: .seconds(5)) { !$0.hasCarrier }
        let down = try XCTUnwrap(lost, "no carrier loss reported within 5 s")
        XCTAssertEqual(down.name, "veth-a")
        XCTAssertTrue(down.isAdministrativelyUp, "our end stays administratively up")
        // LOWERLAYERDOWN on most hosts; DOWN when the peer's index in its own namespace equals
        // ours (the kernel's iflink != ifindex test), which fresh namespaces make likely.
        XCTAssertTrue([.lowerLayerDown, .down].contains(down.operationalState), "\(down.operationalState)")
        XCTAssertFalse(down.isUsable)

        try lab.b.ip(["link", "set", "veth-b", "up"])
        let recovered = await firstElement(of: monitor.changes, within: .seconds(5)) { $0.isUsable }
        let up = try XCTUnwrap(recovered, "no recovery reported within 5 s")
        XCTAssertTrue(up.hasCarrier)
        XCTAssertEqual(up.operationalState, .up)
        XCTAssertEqual(up.index, down.index)
    }

    func testReportsOurOwnEndAdministrativelyDownAndIgnoresOtherInterfaces() async throws {
        let monitor = try lab.a.perform { try LinkMonitor(interfaceNames: ["veth-a"]) }
        defer { monitor.stop() }
        try lab.a.ip(["link", "add", "other-x", "type", "veth", "peer", "name", "other-y"])
        try lab.a.ip(["link", "set", "other-x", "up"])
        try lab.a.ip(["link", "set", "other-y", "up"])
        try lab.a.ip(["link", "set", "veth-a", "down"])
        let first = await firstElement(of: monitor.changes, within: .seconds(5)) { _ in true }
        let change = try XCTUnwrap(first, "no change reported within 5 s")
        XCTAssertEqual(change.name, "veth-a", "other-x and other-y are not watched")
        XCTAssertFalse(change.isAdministrativelyUp)
        XCTAssertFalse(change.isUsable)
    }

    func testReportsADeletedInterfaceAsNotPresent() async throws {
        let monitor = try lab.a.perform { try LinkMonitor(interfaceNames: ["veth-a"]) }
        defer { monitor.stop() }
        try lab.b.ip(["link", "delete", "veth-b"])
        let gone = await firstElement(of: monitor.changes, within: .seconds(5)) { $0.operationalState == .notPresent }
        XCTAssertNotNil(gone, "deleting one end of the pair deletes veth-a too")
        XCTAssertEqual(gone?.isUsable, false)
    }

    func testStopEndsTheStreamPromptly() async throws {
        let monitor = try lab.a.perform { try LinkMonitor(interfaceNames: ["veth-a"]) }
        try await assertStopEndsPromptly(monitor.changes, stop: monitor.stop)
    }
}
