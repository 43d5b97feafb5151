import VipdCore
import VipdSystem
import XCTest

/// The sentences a conflict prints: owner, consequence, and the fix for the program in the way.
final class ListenerConflictTests: XCTestCase {
    private let vip = SocketEndpoint(parsing: "10.251.1.100:22")!

    private func conflict(
        _ held: String, _ owners: ListeningSocket.Owners, certainty: ListenerConflict.Certainty = .certain,
        sshd: SSHDActivation = .daemon
    ) -> ListenerConflict {
        ListenerConflict(
            wanted: vip, holder: ListeningSocket(local: SocketEndpoint(parsing: held)!, inode: 9, owners: owners),
            certainty: certainty, sshd: sshd)
    }

    func testSSHDOnTheWildcard() {
        XCTAssertEqual(
            conflict("0.0.0.0:22", .known([SocketOwner(pid: 812, program: "sshd")])).description,
            "0.0.0.0:22 is held by sshd (pid 812), so vipd cannot bind 10.251.1.100:22; "
                + "fix: vipd sshd-snippet --write, then systemctl restart ssh (sshd on RHEL)")
    }

    func testIPv6WildcardSaysMay() {
        XCTAssertEqual(
            conflict("[::]:22", .known([SocketOwner(pid: 812, program: "sshd")]), certainty: .unlessIPv6Only).description,
            "[::]:22 is held by sshd (pid 812), and an IPv6 wildcard also covers IPv4 unless the socket is IPv6-only, "
                + "so vipd may not be able to bind 10.251.1.100:22; "
                + "fix: vipd sshd-snippet --write, then systemctl restart ssh (sshd on RHEL)")
    }

    func testUnknownOwner() {
        let unknown = conflict("0.0.0.0:22", .unknown("owner unknown (needs root)"))
        XCTAssertEqual(
            unknown.description,
            "0.0.0.0:22 is held by a process vipd could not name (owner unknown (needs root)), so vipd cannot bind "
                + "10.251.1.100:22; fix: find the process with ss -ltnp 'sport = :22' as root, then stop it or make it listen elsewhere")
    }

    func testFixesByProgram() {
        func fix(_ programs: [String]) -> String {
            conflict("0.0.0.0:22", .known(programs.enumerated().map { SocketOwner(pid: Int32($0.offset + 1), program: $0.element) })).fix
        }
        XCTAssertEqual(fix(["sshd-session"]), "vipd sshd-snippet --write, then systemctl restart ssh (sshd on RHEL)")
        XCTAssertEqual(fix(["haproxy"]), "vipd replaces haproxy: systemctl disable --now haproxy")
        XCTAssertEqual(fix(["vipd"]), "another vipd already listens there; stop it first (systemctl stop vipd)")
        XCTAssertTrue(fix(["systemd"]).hasPrefix("a systemd socket unit holds it"))
        XCTAssertEqual(fix(["systemd", "sshd"]), "vipd sshd-snippet --write, then systemctl restart ssh (sshd on RHEL)")
        XCTAssertEqual(fix(["nginx"]), "stop nginx or make it listen on another address than 0.0.0.0:22")
    }

    func testSeveralOwnersAreAllNamed() {
        XCTAssertEqual(
            conflict("0.0.0.0:22", .known([SocketOwner(pid: 1, program: "systemd"), SocketOwner(pid: 812, program: "sshd")])).ownerText,
            "systemd (pid 1) and sshd (pid 812)")
    }

    func testSystemdHoldingPort22ForSocketActivatedSSHDIsNamedSSHSocketWithItsCommands() {
        let systemd = ListeningSocket.Owners.known([SocketOwner(pid: 1, program: "systemd")])
        let ubuntu = SSHDActivation.socketUnit(name: "ssh.socket", generator: true)
        XCTAssertEqual(
            conflict("0.0.0.0:22", systemd, sshd: ubuntu).description,
            "0.0.0.0:22 is held by ssh.socket (systemd (pid 1)), so vipd cannot bind 10.251.1.100:22; "
                + "fix: ssh.socket listens there for sshd (systemd socket activation): vipd sshd-snippet --write, "
                + "then systemctl daemon-reload && systemctl restart ssh.socket")
        // Once a connection started sshd, it holds the socket too: still ssh.socket's to move.
        let inherited = ListeningSocket.Owners.known([SocketOwner(pid: 1, program: "systemd"), SocketOwner(pid: 812, program: "sshd")])
        XCTAssertEqual(conflict("[::]:22", inherited, sshd: ubuntu).ownerText, "ssh.socket (systemd (pid 1) and sshd (pid 812))")
        XCTAssertEqual(
            conflict("[::]:22", inherited, sshd: ubuntu).fix,
            "ssh.socket listens there for sshd (systemd socket activation): vipd sshd-snippet --write, "
                + "then systemctl daemon-reload && systemctl restart ssh.socket")
        // sshd alone listens by itself, whatever units are installed.
        XCTAssertEqual(
            conflict("0.0.0.0:22", .known([SocketOwner(pid: 812, program: "sshd")]), sshd: ubuntu).fix,
            "vipd sshd-snippet --write, then systemctl restart ssh (sshd on RHEL)")
        // Without sshd-socket-generator the unit needs its own addresses.
        XCTAssertEqual(
            conflict("0.0.0.0:22", systemd, sshd: .socketUnit(name: "ssh.socket", generator: false)).fix,
            "ssh.socket listens there for sshd (systemd socket activation): vipd sshd-snippet --write, then give ssh.socket "
                + "the node's address in /etc/systemd/system/ssh.socket.d/addresses.conf (vipd sshd-snippet --write prints it), "
                + "then systemctl daemon-reload && systemctl restart ssh.socket")
    }

    func testSystemdOnAnotherPortIsNotTakenForSSHSocket() {
        let systemd = ListeningSocket.Owners.known([SocketOwner(pid: 1, program: "systemd")])
        let other = ListenerConflict(
            wanted: SocketEndpoint(parsing: "10.251.1.100:80")!,
            holder: ListeningSocket(local: SocketEndpoint(parsing: "0.0.0.0:80")!, inode: 9, owners: systemd),
            certainty: .certain, sshd: .socketUnit(name: "ssh.socket", generator: true))
        XCTAssertEqual(other.ownerText, "systemd (pid 1)")
        XCTAssertTrue(other.fix.hasPrefix("a systemd socket unit holds it"), other.fix)
    }
}
