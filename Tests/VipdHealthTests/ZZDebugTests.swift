import NIOCore
import NIOPosix
import VipdConfig
import VipdHealth
import XCTest
import Foundation

final class ZZDebugTests: XCTestCase {
    func testDebug() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let port = try closedPort(group: group).port
        let sshd = try SSHBannerAgainstOpenSSHTests.TemporarySSHD(port: port)
        defer { sshd.stop() }
        let endpoint = SocketEndpoint(address: IPAddress("127.0.0.1")!, port: port)
        let outcome = try SSHBannerCheck().run(against: endpoint, timeout: .seconds(2), on: group.next()).wait()
        print("OUTCOME", outcome)
        Thread.sleep(forTimeInterval: 1)
        print("LOG", sshd.log)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ss -tnp | grep \(port); ps -ef | grep sshd | grep -v grep; grep Sig /proc/\(sshd.process.processIdentifier)/status"]
        try p.run(); p.waitUntilExit()
        try group.syncShutdownGracefully()
    }
}
