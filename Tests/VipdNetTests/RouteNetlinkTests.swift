import VipdCore
import VipdLab
import VipdNet
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// rtnetlink against the real kernel, checked against what `ip` prints.
final class RouteNetlinkTests: XCTestCase {
    private var lab: VethLab!

    override func setUpWithError() throws {
        try VethLab.requireAvailable()
        lab = try VethLab(subnet: 100)
    }

    override func tearDown() {
        lab?.delete()
    }

    func testInterfacesSeeTheVethWithItsIndexAddressAndState() throws {
        let (all, named) = try lab.a.perform {
            let netlink = try RouteNetlink()
            return (try netlink.interfaces(), try netlink.interface(named: "veth-a"))
        }
        XCTAssertEqual(all.map(\.name), ["lo", "veth-a"])
        XCTAssertEqual(all.last, named)
        let loopback = try XCTUnwrap(all.first)
        XCTAssertEqual(loopback.index, 1)
        XCTAssertEqual(loopback.operationalState, .unknown)
        XCTAssertTrue(loopback.isUsable, "loopback is up with state unknown")

        // "3: veth-a@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ... link/ether 6a:..:.. brd ff:ff:ff:ff:ff:ff ..."
        let line = try lab.show(["-o", "link"], in: lab.a, device: "veth-a")
        XCTAssertTrue(line.hasPrefix("\(named.index): veth-a@"), line)
        XCTAssertTrue(line.contains("link/ether \(named.hardwareAddressText) "), line)
        XCTAssertTrue(line.contains("UP,LOWER_UP"), line)
        XCTAssertTrue(line.contains("state UP"), line)
        XCTAssertEqual(named.hardwareAddress.count, 6)
        XCTAssertTrue(named.isAdministrativelyUp)
        XCTAssertTrue(named.hasCarrier)
        XCTAssertEqual(named.operationalState, .up)
        XCTAssertEqual(named.mtu, 1500)
        XCTAssertTrue(named.isUsable)
    }

    func testUnknownInterfaceNameIsAClearError() throws {
        try lab.a.perform {
            let netlink = try RouteNetlink()
            for name in ["nope0", "a-name-much-too-long-for-linux", ""] {
                XCTAssertThrowsError(try netlink.interface(named: name)) { error in
                    XCTAssertEqual(error as? NetworkError, .interfaceNotFound(name))
                    XCTAssertEqual("\(error)", "no network interface named '\(name)' in this network namespace")
                }
            }
        }
    }

    func testAddressesAreWhatIpAddrShows() throws {
        let (index, addresses, all) = try lab.a.perform {
            let netlink = try RouteNetlink()
            let index = try netlink.interface(named: "veth-a").index
            return (index, try netlink.addresses(interfaceIndex: index), try netlink.addresses())
        }
        let shown = try Self.prefixes(lab.show(["-o", "addr"], in: lab.a, device: "veth-a"))
        XCTAssertEqual(Set(addresses.map(\.prefix.description)), shown)
        XCTAssertEqual(shown.count, 3, "IPv4, IPv6 global, IPv6 link-local: \(shown)")
        XCTAssertTrue(addresses.allSatisfy { $0.interfaceIndex == index })
        XCTAssertEqual(addresses.first { $0.prefix.address.family == .v4 }?.label, "veth-a")
        let linkLocal = try XCTUnwrap(addresses.first(where: \.isLinkLocal))
        XCTAssertEqual(linkLocal.scope, 253)
        XCTAssertTrue(linkLocal.isUsableAsSource)
        XCTAssertTrue(all.contains { $0.prefix.description == "127.0.0.1/8" && $0.interfaceIndex == 1 })
    }

    func testIPv4VIPIsAddedAsSecondaryOnceAndRemovedOnce() throws {
        let vip = IPPrefix(address: lab.ipv4(100), length: 24)!
        let index = try lab.a.perform { try RouteNetlink().interface(named: "veth-a").index }
        let (added, addedAgain, listed) = try lab.a.perform {
            let netlink = try RouteNetlink()
            return (try netlink.addAddress(vip, interfaceIndex: index), try netlink.addAddress(vip, interfaceIndex: index),
                    try netlink.addresses(interfaceIndex: index))
        }
        XCTAssertTrue(added)
        XCTAssertFalse(addedAgain, "EEXIST: already there")
        let shown = try lab.show(["-o", "-4", "addr"], in: lab.a, device: "veth-a")
        XCTAssertTrue(shown.contains("inet 10.251.100.100/24 scope global secondary veth-a"), shown)
        XCTAssertEqual(listed.first { $0.prefix == vip }?.isSecondary, true)
        let own = lab.ipv4(1)
        XCTAssertEqual(listed.first { $0.prefix.address == own }?.isSecondary, false)

        let (removed, removedAgain) = try lab.a.perform {
            let netlink = try RouteNetlink()
            return (try netlink.removeAddress(vip, interfaceIndex: index), try netlink.removeAddress(vip, interfaceIndex: index))
        }
        XCTAssertTrue(removed)
        XCTAssertFalse(removedAgain, "EADDRNOTAVAIL: not there")
        let after = try lab.show(["-o", "-4", "addr"], in: lab.a, device: "veth-a")
        XCTAssertFalse(after.contains("10.251.100.100"), after)
        XCTAssertTrue(after.contains("inet 10.251.100.1/24"), "the node's own address stays: \(after)")
    }

    func testIPv6VIPIsAddedWithoutDADOnceAndRemovedOnce() throws {
        let vip = IPPrefix(address: lab.ipv6(100), length: 64)!
        let (added, addedAgain, listed) = try lab.a.perform {
            let netlink = try RouteNetlink()
            let index = try netlink.interface(named: "veth-a").index
            return (try netlink.addAddress(vip, interfaceIndex: index), try netlink.addAddress(vip, interfaceIndex: index),
                    try netlink.addresses(interfaceIndex: index))
        }
        XCTAssertTrue(added)
        XCTAssertFalse(addedAgain)
        let shown = try lab.show(["-o", "-6", "addr"], in: lab.a, device: "veth-a")
        let line = try XCTUnwrap(shown.split(separator: "\n").first { $0.contains("fd00:251:100::100/64") }, shown)
        XCTAssertTrue(line.contains("nodad"), String(line))
        XCTAssertFalse(line.contains("tentative"), String(line))
        let address = try XCTUnwrap(listed.first { $0.prefix == vip })
        XCTAssertTrue(address.flags.contains(.noDuplicateAddressDetection))
        XCTAssertTrue(address.isUsableAsSource)

        let (removed, removedAgain) = try lab.a.perform {
            let netlink = try RouteNetlink()
            let index = try netlink.interface(named: "veth-a").index
            return (try netlink.removeAddress(vip, interfaceIndex: index), try netlink.removeAddress(vip, interfaceIndex: index))
        }
        XCTAssertTrue(removed)
        XCTAssertFalse(removedAgain)
        XCTAssertFalse(try lab.show(["-o", "-6", "addr"], in: lab.a, device: "veth-a").contains("fd00:251:100::100/"))
    }

    func testUnknownInterfaceIndexIsAClearError() throws {
        let vip = IPPrefix(address: lab.ipv4(100), length: 24)!
        let vip6 = IPPrefix(address: lab.ipv6(100), length: 64)!
        let errors = try lab.a.perform {
            let netlink = try RouteNetlink()
            var errors = [NetworkError]()
            do throws(NetworkError) { try netlink.addAddress(vip, interfaceIndex: 99_999) } catch { errors.append(error) }
            do throws(NetworkError) { try netlink.removeAddress(vip, interfaceIndex: 99_999) } catch { errors.append(error) }
            do throws(NetworkError) { try netlink.addAddress(vip6, interfaceIndex: 99_999) } catch { errors.append(error) }
            return errors
        }
        XCTAssertEqual(errors.count, 3)
        for error in errors {
            guard case let .netlinkRequest(_, interface, code, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(code, ENODEV, "\(error)")
            XCTAssertEqual(interface, "interface index 99999")
        }
        let text = "\(errors[0])"
        XCTAssertTrue(text.hasPrefix("rtnetlink RTM_NEWADDR 10.251.100.100/24 on interface index 99999 failed: No such device (errno 19)"), text)
    }

    func testPrimaryAddressIsTheNodesOwnIPv4AndTheLinkLocalIPv6() throws {
        let vip = IPPrefix(address: lab.ipv4(100), length: 24)!
        let (v4, v6, none) = try lab.a.perform {
            let netlink = try RouteNetlink()
            let veth = try netlink.interface(named: "veth-a").index
            try netlink.addAddress(vip, interfaceIndex: veth)
            return (
                try netlink.primaryAddress(interfaceIndex: veth, family: .v4),
                try netlink.primaryAddress(interfaceIndex: veth, family: .v6),
                try netlink.primaryAddress(interfaceIndex: 1, family: .v6)
            )
        }
        XCTAssertEqual(v4, lab.ipv4(1), "the secondary VIP is never the source")
        let shown = try lab.show(["-o", "-6", "addr"], in: lab.a, device: "veth-a")
        let linkLocal = try XCTUnwrap(v6)
        XCTAssertTrue(linkLocal.isIPv6LinkLocal)
        XCTAssertTrue(shown.contains("inet6 \(linkLocal)/64 scope link"), shown)
        XCTAssertNil(none, "loopback has ::1 but no link-local address")
    }

    /// The `ADDRESS/LENGTH` column of `ip -o addr` lines.
    private static func prefixes(_ output: String) throws -> Set<String> {
        Set(output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let family = fields.firstIndex(where: { $0 == "inet" || $0 == "inet6" }), family + 1 < fields.count else { return nil }
            return IPPrefix(parsing: String(fields[family + 1]))?.description
        })
    }
}
