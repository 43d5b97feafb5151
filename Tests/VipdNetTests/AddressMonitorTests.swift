import Foundation
import VipdLab
import VipdNet
import XCTest

/// Addresses added and removed by another program (`ip addr`), seen through `RTMGRP_IPV4_IFADDR`
/// and `RTMGRP_IPV6_IFADDR`.
final class AddressMonitorTests: XCTestCase {
    private var lab: VethLab!

    override func setUpWithError() throws {
        try VethLab.requireAvailable()
        lab = try VethLab(subnet: 106)
    }

    override func tearDown() {
        lab?.delete()
    }

    private static func isChange(_ change: AddressChange, removed: Bool, of prefix: String) -> Bool {
        switch change {
        case .added(let address): !removed && address.prefix.description == prefix
        case .removed(let address): removed && address.prefix.description == prefix
        case .lost: false
        }
    }

    func testReportsAnAddressAddedAndDeletedByIp() async throws {
        let monitor = try lab.a.perform { try AddressMonitor() }
        defer { monitor.stop() }
        let index = try lab.a.perform { try RouteNetlink().interface(named: "veth-a").index }

        try lab.a.ip(["addr", "add", "10.251.106.50/24", "dev", "veth-a"])
        let added = await firstElement(of: monitor.changes, within: .seconds(5)) { Self.isChange($0, removed: false, of: "10.251.106.50/24") }
        guard case .added(let address) = try XCTUnwrap(added, "no RTM_NEWADDR within 5 s") else { return XCTFail() }
        XCTAssertEqual(address.interfaceIndex, index)
        XCTAssertTrue(address.isSecondary, "inside the subnet of 10.251.106.1/24")

        try lab.a.ip(["addr", "del", "10.251.106.50/24", "dev", "veth-a"])
        let removed = await firstElement(of: monitor.changes, within: .seconds(5)) { Self.isChange($0, removed: true, of: "10.251.106.50/24") }
        guard case .removed(let gone) = try XCTUnwrap(removed, "no RTM_DELADDR within 5 s") else { return XCTFail() }
        XCTAssertEqual(gone.interfaceIndex, index)
    }

    func testReportsEveryAddressOfAFlushBothFamilies() async throws {
        let monitor = try lab.a.perform { try AddressMonitor() }
        defer { monitor.stop() }
        try lab.a.ip(["addr", "add", "fd00:251:106::50/64", "dev", "veth-a", "nodad"])
        try lab.a.ip(["addr", "flush", "dev", "veth-a"])
        let wanted: Set<String> = ["10.251.106.1/24", "fd00:251:106::1/64", "fd00:251:106::50/64"]
        let seen = await collect(monitor.changes, within: .seconds(5)) { removed in wanted.isSubset(of: removed) }
        XCTAssertTrue(wanted.isSubset(of: seen), "removals seen: \(seen.sorted())")
    }

    func testStopEndsTheStreamPromptly() async throws {
        let monitor = try lab.a.perform { try AddressMonitor() }
        try await assertStopEndsPromptly(monitor.changes, stop: monitor.stop)
    }

    func testDecodesOnlyAddressMessagesOfANotification() throws {
        /// A netlink message of `type` with `payload` (host byte order, as the kernel sends it).
        func message(type: UInt16, payload: [UInt8]) -> [UInt8] {
            var bytes: [UInt8] = []
            func append<T: FixedWidthInteger>(_ field: T) { withUnsafeBytes(of: field) { bytes += $0 } }
            append(UInt32(16 + payload.count))
            append(type)
            append(UInt16(0))
            append(UInt32(0))
            append(UInt32(0))
            return bytes + payload
        }
        XCTAssertEqual(try AddressMonitor.changes(inNotification: []), [])
        XCTAssertEqual(try AddressMonitor.changes(inNotification: message(type: 16, payload: [0, 0, 0, 0])), [], "RTM_NEWLINK is skipped")
        XCTAssertThrowsError(
            try AddressMonitor.changes(inNotification: message(type: 21, payload: [2, 24, 0, 0])), "an RTM_DELADDR shorter than ifaddrmsg")
        XCTAssertThrowsError(
            try AddressMonitor.changes(inNotification: message(type: 21, payload: [2, 24, 0, 0, 1, 0, 0, 0])), "an RTM_DELADDR without an address")
    }

    /// The seeds of fuzz/corpus/netlink-address: notifications the kernel sent while `ip addr` ran.
    func testDecodesRealNotifications() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fuzz/corpus/netlink-address")
        func changes(_ name: String) throws -> [AddressChange] {
            try AddressMonitor.changes(inNotification: Array(Data(contentsOf: corpus.appendingPathComponent(name))))
        }
        guard case .added(let added)? = try changes("ipv4-added").first else { return XCTFail("ipv4-added") }
        XCTAssertEqual(added.prefix.description, "10.9.0.1/24")
        XCTAssertFalse(added.isSecondary)
        guard case .removed(let removed)? = try changes("ipv4-secondary-removed").first else { return XCTFail("ipv4-secondary-removed") }
        XCTAssertEqual(removed.prefix.description, "10.9.0.100/24")
        XCTAssertTrue(removed.isSecondary)
        XCTAssertEqual(removed.label, "d0:vip")
        guard case .removed(let removed6)? = try changes("ipv6-removed").first else { return XCTFail("ipv6-removed") }
        XCTAssertEqual(removed6.prefix.description, "fd00:9::100/64")
        XCTAssertTrue(removed6.flags.contains(.noDuplicateAddressDetection))
        let flush = try changes("flush-two-messages")
        XCTAssertEqual(flush.count, 2)
        XCTAssertTrue(flush.allSatisfy { if case .removed = $0 { true } else { false } }, "\(flush)")
    }

    /// The prefixes removed, until `done` holds for them or `timeout` passes.
    private func collect(
        _ stream: AsyncStream<AddressChange>, within timeout: Duration, until done: @escaping @Sendable (Set<String>) -> Bool
    ) async -> Set<String> {
        await withTaskGroup(of: Set<String>?.self) { group in
            group.addTask {
                var removed: Set<String> = []
                for await change in stream {
                    if case .removed(let address) = change { removed.insert(address.prefix.description) }
                    if done(removed) { break }
                }
                return removed
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }
}
