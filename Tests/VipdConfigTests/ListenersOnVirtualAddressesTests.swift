import VipdConfig
import VipdCore
import XCTest

/// Which listeners receive connections to a virtual address (their sessions can be kept across moves).
final class ListenersOnVirtualAddressesTests: XCTestCase {
    func testBoundOnTheAddressOrOnTheWildcardOfItsFamily() {
        let config = VipdConfiguration(
            nodes: [], global: GlobalSettings(),
            vrrp: [
                VRRPInstanceConfig(
                    name: "VI_1", interface: "eth0", virtualRouterID: 51,
                    virtualAddresses: [IPPrefix(parsing: "10.0.0.50/24")!, IPPrefix(parsing: "10.0.0.51/24")!])
            ],
            listeners: [
                ListenerConfig(name: "ssh", bind: SocketEndpoint(address: IPAddress("10.0.0.50")!, port: 22), pool: "p"),
                ListenerConfig(name: "second", bind: SocketEndpoint(address: IPAddress("10.0.0.51")!, port: 22), pool: "p"),
                ListenerConfig(name: "any4", bind: SocketEndpoint(address: IPAddress("0.0.0.0")!, port: 80), pool: "p"),
                ListenerConfig(name: "any6", bind: SocketEndpoint(address: IPAddress("::")!, port: 80), pool: "p"),
                ListenerConfig(name: "node", bind: SocketEndpoint(address: IPAddress("10.0.0.11")!, port: 8404), pool: "p"),
            ],
            pools: [])
        XCTAssertEqual(config.listenersOnVirtualAddresses, ["ssh", "second", "any4"])
        XCTAssertFalse(config.listeners[0].receives(IPAddress("10.0.0.51")!))
    }
}
