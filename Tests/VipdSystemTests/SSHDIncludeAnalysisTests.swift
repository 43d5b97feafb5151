import VipdSystem
import XCTest

/// Whether the snippet will decide where sshd listens, on the configurations Debian and RHEL ship and
/// on every way an edited one can defeat it.
final class SSHDIncludeAnalysisTests: XCTestCase {
    private let mainPath = "/etc/ssh/sshd_config"
    private let snippet = "/etc/ssh/sshd_config.d/01-vipd.conf"

    private func problems(
        _ main: String, included: [(String, String)] = [], family: SSHDAddressFamily = .inet
    ) -> [String] {
        SSHDIncludeAnalysis.problems(
            main: SSHDConfigFile(path: mainPath, text: main),
            included: included.map { SSHDConfigFile(path: "/etc/ssh/sshd_config.d/\($0.0)", text: $0.1) },
            snippetPath: snippet, family: family
        ).map(\.description)
    }

    func testDebianDefaultIsFine() {
        let debian = """
            # This is the sshd server system-wide configuration file.
            Include /etc/ssh/sshd_config.d/*.conf
            #Port 22
            #AddressFamily any
            #ListenAddress 0.0.0.0
            KbdInteractiveAuthentication no
            UsePAM yes
            Subsystem\tsftp\t/usr/lib/openssh/sftp-server
            """
        XCTAssertEqual(problems(debian), [])
    }

    func testRHELDefaultWithItsOwnDropInIsFine() {
        let rhel = """
            Include /etc/ssh/sshd_config.d/*.conf
            AuthorizedKeysFile\t.ssh/authorized_keys
            Subsystem\tsftp\t/usr/libexec/openssh/sftp-server
            """
        XCTAssertEqual(problems(rhel, included: [("50-redhat.conf", "Include /etc/crypto-policies/back-ends/opensshserver.config\nSyslogFacility AUTHPRIV\n")]), [])
    }

    func testRelativeAndMultiplePatternsAreResolvedUnderEtcSSH() {
        XCTAssertEqual(problems("Include sshd_config.d/*.conf"), [])
        XCTAssertEqual(problems("Include /etc/ssh/extra.conf sshd_config.d/0*.conf"), [])
        XCTAssertEqual(problems("include=/etc/ssh/sshd_config.d/01-vipd.conf"), [])
    }

    func testMissingIncludeIsReportedWithTheLineToAdd() {
        let expected =
            "/etc/ssh/sshd_config: no Include covers /etc/ssh/sshd_config.d/01-vipd.conf, so sshd would never read the snippet; "
            + "fix: add the line `Include /etc/ssh/sshd_config.d/*.conf` at the top of /etc/ssh/sshd_config"
        XCTAssertEqual(problems("PermitRootLogin no\n"), [expected])
        XCTAssertEqual(problems("Include /etc/ssh/other.d/*.conf"), [expected])
        XCTAssertEqual(problems("Include /etc/ssh/sshd_config.d/*.cfg"), [expected])
        XCTAssertEqual(problems("Include /etc/ssh/*/01-vipd.conf.old"), [expected])
        XCTAssertEqual(problems("#Include /etc/ssh/sshd_config.d/*.conf"), [expected])
    }

    func testIncludeInsideAMatchBlock() {
        XCTAssertEqual(
            problems("PermitRootLogin no\nMatch User backup\n  ForceCommand /usr/bin/rrsync\nInclude /etc/ssh/sshd_config.d/*.conf\n"),
            [
                "/etc/ssh/sshd_config:4: this Include is inside the Match block that starts at line 2, where sshd does not "
                    + "allow ListenAddress or AddressFamily; fix: move the Include above line 2, e.g. to the first line"
            ])
        XCTAssertEqual(problems("Include /etc/ssh/sshd_config.d/*.conf\nMatch User backup\n  ForceCommand x\n"), [])
    }

    func testAddressFamilyBeforeTheIncludeWinsOverTheSnippet() {
        XCTAssertEqual(
            problems("AddressFamily any\nInclude /etc/ssh/sshd_config.d/*.conf\n"),
            [
                "/etc/ssh/sshd_config:1: AddressFamily any comes before the Include at line 2, and sshd keeps the first value "
                    + "it reads, so the snippet's AddressFamily inet would be ignored; fix: delete line 1 (the snippet sets AddressFamily)"
            ])
        XCTAssertEqual(problems("AddressFamily INET\nInclude /etc/ssh/sshd_config.d/*.conf\n"), [])
        XCTAssertEqual(problems("Include /etc/ssh/sshd_config.d/*.conf\nAddressFamily inet6\n"), [])
        XCTAssertEqual(problems("AddressFamily inet\nInclude /etc/ssh/sshd_config.d/*.conf\n", family: .any).count, 1)
    }

    func testListenAddressInTheMainFileAddsUp() {
        // Seed 001's hand-made fix, written into sshd_config itself.
        let seed = "Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\nAddressFamily inet\nListenAddress 192.168.2.230\n"
        XCTAssertEqual(
            problems(seed),
            [
                "/etc/ssh/sshd_config:4: ListenAddress 192.168.2.230 adds to the snippet's ListenAddress (sshd listens on every one "
                    + "it reads), so sshd would keep listening there; fix: delete line 4 of /etc/ssh/sshd_config or comment it out "
                    + "(the snippet has this host's ListenAddress)"
            ])
        XCTAssertEqual(problems("ListenAddress 0.0.0.0\nListenAddress ::\n").count, 3)
    }

    func testOtherDropInsWithListenAddressOrAnEarlierAddressFamily() {
        let main = "Include /etc/ssh/sshd_config.d/*.conf\n"
        XCTAssertEqual(
            problems(
                main,
                included: [
                    ("00-cloud.conf", "# cloud-init\nAddressFamily any\nListenAddress 0.0.0.0\n"),
                    ("01-vipd.conf", "ListenAddress 10.0.0.1\n"),
                    ("50-redhat.conf", "AddressFamily inet6\n"),
                    ("60-local.conf", "listenaddress [::]:22\n"),
                ]),
            [
                "/etc/ssh/sshd_config.d/00-cloud.conf:2: AddressFamily any is read before /etc/ssh/sshd_config.d/01-vipd.conf, "
                    + "and sshd keeps the first value, so the snippet's AddressFamily inet would be ignored; "
                    + "fix: delete line 2 of /etc/ssh/sshd_config.d/00-cloud.conf (the snippet sets AddressFamily)",
                "/etc/ssh/sshd_config.d/00-cloud.conf:3: ListenAddress 0.0.0.0 adds to the snippet's ListenAddress (sshd listens "
                    + "on every one it reads), so sshd would keep listening there; fix: delete line 3 of "
                    + "/etc/ssh/sshd_config.d/00-cloud.conf or comment it out (the snippet has this host's ListenAddress)",
                "/etc/ssh/sshd_config.d/60-local.conf:1: ListenAddress [::]:22 adds to the snippet's ListenAddress (sshd listens "
                    + "on every one it reads), so sshd would keep listening there; fix: delete line 1 of "
                    + "/etc/ssh/sshd_config.d/60-local.conf or comment it out (the snippet has this host's ListenAddress)",
            ])
        XCTAssertEqual(problems(main, included: [("00-a.conf", "AddressFamily inet\n")]), [])
    }

    func testEveryProblemIsReportedAtOnce() {
        XCTAssertEqual(problems("AddressFamily any\nListenAddress 0.0.0.0\nMatch all\nInclude sshd_config.d/*.conf\n").count, 3)
    }

    func testCoveringIncludeAndPatterns() {
        let main = SSHDConfigFile(path: mainPath, text: "Include /etc/ssh/a.conf\nInclude b.d/*.conf sshd_config.d/*.conf\n")
        let include = SSHDIncludeAnalysis.coveringInclude(in: main, snippetPath: snippet)
        XCTAssertEqual(include?.line, 2)
        XCTAssertEqual(
            include.map { SSHDIncludeAnalysis.includePatterns($0, sshDirectory: "/etc/ssh") },
            ["/etc/ssh/b.d/*.conf", "/etc/ssh/sshd_config.d/*.conf"])
        XCTAssertNil(SSHDIncludeAnalysis.coveringInclude(in: main, snippetPath: "/srv/ssh/sshd_config.d/01-vipd.conf"))
    }
}
