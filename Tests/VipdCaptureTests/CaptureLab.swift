import Foundation
import VipdCore
import VipdLab
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Two network namespaces joined by a veth pair: `cap-a` with 10.251.120.1/24 in `capturing`,
/// where the tests capture, and `cap-b` with 10.251.120.2/24 in `peer`, which sends.
/// Deleted by `delete()`.
final class CaptureLab: Sendable {
    let capturing: NetworkNamespace
    let peer: NetworkNamespace
    let capturingInterface = "cap-a"
    let capturingAddress = "10.251.120.1"

    /// Skips the calling test when namespaces cannot be made here (not root, no iproute2).
    static func requireAvailable() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
    }

    init() throws {
        capturing = try NetworkNamespace(name: NetworkNamespace.uniqueName("cap-a"))
        do {
            peer = try NetworkNamespace(name: NetworkNamespace.uniqueName("cap-b"))
        } catch {
            capturing.delete()
            throw error
        }
        do {
            try capturing.ip(["link", "add", "cap-a", "type", "veth", "peer", "name", "cap-b", "netns", peer.name])
            for (namespace, interface, host) in [(capturing, "cap-a", 1), (peer, "cap-b", 2)] {
                try namespace.ip(["addr", "add", "10.251.120.\(host)/24", "dev", interface])
                try namespace.ip(["link", "set", interface, "up"])
            }
        } catch {
            delete()
            throw error
        }
    }

    /// Deletes both namespaces (the veth pair goes with them).
    func delete() {
        capturing.delete()
        peer.delete()
    }

    /// Sends `count` ICMP echo requests from `peer` to `capturingAddress`, `interval` apart,
    /// through a raw socket (the kernel resolves the address with ARP first and answers).
    func sendEchoRequests(count: Int, interval: Duration) throws {
        let destination = capturingAddress
        try peer.perform {
            let descriptor = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMP))
            guard descriptor >= 0 else { throw LabError.systemCall(name: "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", errno: errno) }
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            guard inet_pton(AF_INET, destination, &address.sin_addr) == 1 else { throw LabError.invalidAddress(destination) }
            for sequence in 1...count {
                let message = echoRequest(identifier: 0x7661, sequence: UInt16(sequence))
                let sent = withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(descriptor, message, message.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                guard sent == message.count else { throw LabError.systemCall(name: "sendto(\(destination))", errno: errno) }
                Thread.sleep(forTimeInterval: interval.timeInterval)
            }
        }
    }
}

/// An ICMP echo request with a 16-byte payload and its checksum.
private func echoRequest(identifier: UInt16, sequence: UInt16) -> [UInt8] {
    var message: [UInt8] = [8, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xFF), UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
    message += (0..<16).map { UInt8($0) }
    var sum = 0
    for index in stride(from: 0, to: message.count, by: 2) {
        sum += Int(message[index]) << 8 + Int(message[index + 1])
    }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    let checksum = ~UInt16(sum)
    message[2] = UInt8(checksum >> 8)
    message[3] = UInt8(checksum & 0xFF)
    return message
}
