import Foundation
import VipdCore
import VipdLab
import XCTest

/// Two network namespaces, A and B, joined by a veth pair `veth-a` / `veth-b`, with
/// 10.251.N.1/24 + fd00:251:N::1/64 on A and .2 / ::2 on B, no default route, and duplicate
/// address detection off so link-local addresses are usable at once. Deleted by `delete()`.
final class VethLab: Sendable {
    let a: NetworkNamespace
    let b: NetworkNamespace
    let subnet: Int
    let interfaceA = "veth-a"
    let interfaceB = "veth-b"

    /// Skips the calling test when namespaces cannot be made here (not root, no iproute2).
    static func requireAvailable() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
    }

    /// Builds the lab with subnet number `subnet` (100...119).
    init(subnet: Int) throws {
        self.subnet = subnet
        a = try NetworkNamespace(name: NetworkNamespace.uniqueName("net-a"))
        do {
            b = try NetworkNamespace(name: NetworkNamespace.uniqueName("net-b"))
        } catch {
            a.delete()
            throw error
        }
        do {
            for namespace in [a, b] {
                try namespace.perform {
                    try Self.writeSysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0")
                    try Self.writeSysctl("/proc/sys/net/ipv6/conf/all/accept_dad", "0")
                }
            }
            try a.ip(["link", "add", interfaceA, "type", "veth", "peer", "name", interfaceB, "netns", b.name])
            for (namespace, interface, host) in [(a, interfaceA, 1), (b, interfaceB, 2)] {
                try namespace.ip(["addr", "add", "10.251.\(subnet).\(host)/24", "dev", interface])
                try namespace.ip(["addr", "add", "fd00:251:\(subnet)::\(host)/64", "dev", interface, "nodad"])
                try namespace.ip(["link", "set", interface, "up"])
            }
            // Carrier and the link-local addresses come a moment after `up` (linkwatch, addrconf).
            for (namespace, interface) in [(a, interfaceA), (b, interfaceB)] {
                let ready = try eventually(within: .seconds(5)) {
                    let link = try show(["-o", "link"], in: namespace, device: interface)
                    let linkLocal = try show(["-o", "-6", "addr"], in: namespace, device: interface)
                    return link.contains("LOWER_UP") && linkLocal.contains("scope link") && !linkLocal.contains("tentative")
                }
                guard ready else { throw LabError.unexpectedOutput(command: "ip link/addr show dev \(interface)", output: "not up with a link-local address within 5 s") }
            }
        } catch {
            delete()
            throw error
        }
    }

    /// Deletes both namespaces (the veth pair goes with them).
    func delete() {
        a.delete()
        b.delete()
    }

    func ipv4(_ host: Int) -> IPAddress { IPAddress("10.251.\(subnet).\(host)")! }
    func ipv6(_ host: Int) -> IPAddress { IPAddress("fd00:251:\(subnet)::\(host)")! }

    /// `ip -o OBJECT show dev INTERFACE` in `namespace`, one line per entry.
    func show(_ object: [String], in namespace: NetworkNamespace, device: String) throws -> String {
        try namespace.ip(object + ["show", "dev", device]).standardOutput
    }

    private static func writeSysctl(_ path: String, _ value: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw LabError.systemCall(name: "open \(path)", errno: errno)
        }
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(value.utf8))
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}

/// Asserts that `stop` ends `stream` for a consumer waiting on it at once, not when its 10 s wait
/// runs out, and that a second `stop` is harmless.
func assertStopEndsPromptly<Element: Sendable>(
    _ stream: AsyncStream<Element>, stop: () -> Void, file: StaticString = #filePath, line: UInt = #line
) async throws {
    let consumer = Task { await firstElement(of: stream, within: .seconds(10)) { _ in false } }
    try await Task.sleep(for: .milliseconds(50))
    let start = ContinuousClock.now
    stop()
    _ = await consumer.value
    XCTAssertLessThan(
        ContinuousClock.now - start, .seconds(5), "the stream ends at stop, not when the 10 s wait runs out", file: file, line: line)
    stop()
}

/// The first element of `stream` matching `predicate` within `timeout`, or nil. On timeout the
/// stream's iteration is cancelled, which ends the stream (only ever on a failing test).
func firstElement<Element: Sendable>(
    of stream: AsyncStream<Element>, within timeout: Duration, where predicate: @escaping @Sendable (Element) -> Bool
) async -> Element? {
    await withTaskGroup(of: Element?.self) { group in
        group.addTask {
            for await element in stream where predicate(element) { return element }
            return nil
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
