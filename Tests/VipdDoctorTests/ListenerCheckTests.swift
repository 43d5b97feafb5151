import VipdConfig
import VipdCore
import VipdDoctor
import VipdSystem
import XCTest

/// The listener line of `vipd doctor`: who holds the port, in words, and the fix.
final class ListenerCheckTests: XCTestCase {
    private let listener = ListenerConfig(name: "ssh", bind: SocketEndpoint(parsing: "10.251.1.100:22")!, pool: "ssh")

    private func conflict(_ owners: [SocketOwner], sshd: SSHDActivation) -> ListenerConflict {
        ListenerConflict(
            wanted: listener.bind,
            holder: ListeningSocket(local: SocketEndpoint(parsing: "0.0.0.0:22")!, inode: 7, owners: .known(owners)),
            certainty: .certain, sshd: sshd)
    }

    func testSocketActivatedSSHDFailsNamingSSHSocketAndItsCommands() {
        let result = ListenerCheck.result(
            for: listener,
            conflicts: [conflict([SocketOwner(pid: 1, program: "systemd")], sshd: .socketUnit(name: "ssh.socket", generator: true))])
        XCTAssertEqual(
            result,
            DoctorCheckResult(
                .fail, "10.251.1.100:22 is free for listener ssh", detail: "0.0.0.0:22 is held by ssh.socket (systemd (pid 1))",
                fix: "ssh.socket listens there for sshd (systemd socket activation): vipd sshd-snippet --write, "
                    + "then systemctl daemon-reload && systemctl restart ssh.socket"))
    }

    func testSSHDListeningByItselfKeepsTheServiceRestart() {
        let result = ListenerCheck.result(
            for: listener,
            conflicts: [conflict([SocketOwner(pid: 812, program: "sshd")], sshd: .socketUnit(name: "ssh.socket", generator: true))])
        XCTAssertEqual(result.detail, "0.0.0.0:22 is held by sshd (pid 812)")
        XCTAssertEqual(result.fix, "vipd sshd-snippet --write, then systemctl restart ssh (sshd on RHEL)")
    }
}
