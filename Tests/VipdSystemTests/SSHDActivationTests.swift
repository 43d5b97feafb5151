import Foundation
import VipdConfig
import VipdCore
import VipdLab
@testable import VipdSystem
import XCTest

/// Socket-activated sshd (Ubuntu's `ssh.socket`): the decision over the facts, the facts read from a
/// host tree, and the commands each case prints.
final class SSHDActivationTests: XCTestCase {
    private func facts(
        unit: String? = "ssh.socket", enabled: Bool = false, active: Bool? = nil, systemdHolds: Bool = false, generator: Bool = true
    ) -> SSHDActivation.Facts {
        SSHDActivation.Facts(socketUnit: unit, enabled: enabled, active: active, systemdHoldsPort22: systemdHolds, generatorInstalled: generator)
    }

    func testTheDecision() {
        let ubuntu = SSHDActivation.socketUnit(name: "ssh.socket", generator: true)
        XCTAssertEqual(SSHDActivation(facts(unit: nil, enabled: true, active: true, systemdHolds: true)), .daemon, "no socket unit installed")
        XCTAssertEqual(SSHDActivation(facts(active: true)), ubuntu, "systemd says active")
        XCTAssertEqual(SSHDActivation(facts(enabled: true, active: false)), ubuntu, "enabled: it listens from the next boot")
        XCTAssertEqual(SSHDActivation(facts(enabled: false, active: false, systemdHolds: true)), .daemon, "installed, disabled and inactive (Debian)")
        XCTAssertEqual(SSHDActivation(facts(enabled: true)), ubuntu, "systemctl cannot tell: enabled")
        XCTAssertEqual(SSHDActivation(facts(systemdHolds: true)), ubuntu, "systemctl cannot tell: systemd holds :22")
        XCTAssertEqual(SSHDActivation(facts()), .daemon, "systemctl cannot tell, nothing else says so")
        XCTAssertEqual(
            SSHDActivation(facts(active: true, generator: false)), .socketUnit(name: "ssh.socket", generator: false), "Ubuntu 22.10 to 23.10")
    }

    func testSystemctlAnswers() {
        XCTAssertEqual(SSHDActivation.isActiveAnswer("active\n"), true)
        XCTAssertEqual(SSHDActivation.isActiveAnswer("inactive\n"), false)
        XCTAssertEqual(SSHDActivation.isActiveAnswer("failed\n"), false)
        XCTAssertNil(SSHDActivation.isActiveAnswer("offline\n"))
        XCTAssertNil(SSHDActivation.isActiveAnswer(""))
    }

    func testFactsFromAnUbuntuTree() throws {
        let root = try LabDirectory(prefix: "vipd-sshd-activation")
        defer { root.remove() }
        let manager = FileManager.default
        XCTAssertEqual(SSHDActivation.facts(root: root.url.path, listening: []), facts(unit: nil, generator: false))

        try manager.createDirectory(at: root.file("usr/lib/systemd/system"), withIntermediateDirectories: true)
        try "[Socket]\nListenStream=22\n".write(to: root.file("usr/lib/systemd/system/ssh.socket"), atomically: true, encoding: .utf8)
        XCTAssertEqual(SSHDActivation.facts(root: root.url.path, listening: []), facts(generator: false), "installed, not enabled")

        try manager.createDirectory(at: root.file("etc/systemd/system/sockets.target.wants"), withIntermediateDirectories: true)
        try manager.createSymbolicLink(
            atPath: root.file("etc/systemd/system/sockets.target.wants/ssh.socket").path,
            withDestinationPath: root.file("usr/lib/systemd/system/ssh.socket").path)
        try manager.createDirectory(at: root.file("usr/lib/systemd/system-generators"), withIntermediateDirectories: true)
        try "#!/bin/sh\n".write(to: root.file("usr/lib/systemd/system-generators/sshd-socket-generator"), atomically: true, encoding: .utf8)
        let ubuntu = SSHDActivation.facts(root: root.url.path, listening: [])
        XCTAssertEqual(ubuntu, facts(enabled: true))
        XCTAssertEqual(SSHDActivation(ubuntu), .socketUnit(name: "ssh.socket", generator: true))
    }

    func testCommandsForEachCase() {
        let addresses = [IPAddress("192.168.2.230")!, IPAddress("fd00::230")!]
        XCTAssertEqual(
            SSHDActivation.daemon.applyCommands(addresses: addresses),
            ["systemctl restart ssh     # Debian, Ubuntu", "systemctl restart sshd    # RHEL, Rocky, Alma"])
        XCTAssertEqual(
            SSHDActivation.socketUnit(name: "ssh.socket", generator: true).applyCommands(addresses: addresses),
            ["systemctl daemon-reload", "systemctl restart ssh.socket"])
        XCTAssertEqual(
            SSHDActivation.socketUnit(name: "ssh.socket", generator: false).applyCommands(addresses: addresses),
            [
                "mkdir -p /etc/systemd/system/ssh.socket.d",
                #"printf '[Socket]\nListenStream=\nListenStream=192.168.2.230:22\nListenStream=[fd00::230]:22\nFreeBind=yes\n' > /etc/systemd/system/ssh.socket.d/addresses.conf"#,
                "systemctl daemon-reload",
                "systemctl restart ssh.socket",
            ])
    }

    func testNextStepsAfterWriting() {
        let addresses = [IPAddress("192.168.2.230")!]
        XCTAssertEqual(
            SSHDActivation.daemon.nextSteps(addresses: addresses),
            """
            Next, restart sshd so that it listens only on 192.168.2.230:
              systemctl restart ssh     # Debian, Ubuntu
              systemctl restart sshd    # RHEL, Rocky, Alma
            """)
        XCTAssertEqual(
            SSHDActivation.socketUnit(name: "ssh.socket", generator: true).nextSteps(addresses: addresses),
            """
            sshd is socket-activated: ssh.socket holds port 22, and restarting the ssh service does not move it.
            Next, let sshd-socket-generator carry the ListenAddress to ssh.socket, then restart it, so that it listens only on 192.168.2.230:
              systemctl daemon-reload
              systemctl restart ssh.socket
            """)
        let withoutGenerator = SSHDActivation.socketUnit(name: "ssh.socket", generator: false).nextSteps(addresses: addresses)
        XCTAssertTrue(withoutGenerator.hasPrefix("sshd is socket-activated: ssh.socket holds port 22, and without sshd-socket-generator"))
        XCTAssertTrue(withoutGenerator.contains("\n  mkdir -p /etc/systemd/system/ssh.socket.d\n"), withoutGenerator)
    }

    func testWithoutTheGeneratorTheDoctorWantsTheSocketUnitsDropIn() throws {
        let node = ClusterNode(name: "ha0", address: IPAddress("192.168.2.230")!)
        let oldUbuntu = SSHDCoordination(
            node: node, configPath: "vipd.yaml", mainConfig: "/nonexistent/sshd_config", activation: .socketUnit(name: "ssh.socket", generator: false))
        let missing = try XCTUnwrap(oldUbuntu.socketUnitDropInProblem(nil))
        XCTAssertEqual(missing.location, "/etc/systemd/system/ssh.socket.d/addresses.conf")
        XCTAssertTrue(missing.fix.contains("ListenStream=192.168.2.230:22"), missing.fix)
        XCTAssertNotNil(oldUbuntu.socketUnitDropInProblem("[Socket]\nListenStream=192.168.2.230:22\n"), "22 of the unit itself not cleared")
        XCTAssertNil(oldUbuntu.socketUnitDropInProblem("[Socket]\nListenStream=\nListenStream=192.168.2.230:22\nFreeBind=yes\n"))
        let withGenerator = SSHDCoordination(
            node: node, configPath: "vipd.yaml", mainConfig: "/nonexistent/sshd_config", activation: .socketUnit(name: "ssh.socket", generator: true))
        XCTAssertNil(withGenerator.socketUnitDropInProblem(nil), "the generator carries ListenAddress")
    }
}
