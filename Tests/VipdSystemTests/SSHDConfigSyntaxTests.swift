import VipdSystem
import XCTest

/// sshd_config's line syntax: comments, `Keyword=value`, quotes, case.
final class SSHDConfigSyntaxTests: XCTestCase {
    func testDirectivesWithTheirLineNumbers() {
        let text = """
            # comment
            Include /etc/ssh/sshd_config.d/*.conf

              ListenAddress 192.168.2.230   # trailing comment
            AddressFamily=inet
            Port = 22
            \tSubsystem\tsftp\t/usr/lib/openssh/sftp-server
            Banner "/etc/issue net"
            AcceptEnv LANG LC_*\r
            """
        XCTAssertEqual(
            SSHDConfigSyntax.directives(in: text),
            [
                SSHDDirective(line: 2, keyword: "Include", arguments: ["/etc/ssh/sshd_config.d/*.conf"]),
                SSHDDirective(line: 4, keyword: "ListenAddress", arguments: ["192.168.2.230"]),
                SSHDDirective(line: 5, keyword: "AddressFamily", arguments: ["inet"]),
                SSHDDirective(line: 6, keyword: "Port", arguments: ["22"]),
                SSHDDirective(line: 7, keyword: "Subsystem", arguments: ["sftp", "/usr/lib/openssh/sftp-server"]),
                SSHDDirective(line: 8, keyword: "Banner", arguments: ["/etc/issue net"]),
                SSHDDirective(line: 9, keyword: "AcceptEnv", arguments: ["LANG", "LC_*"]),
            ])
    }

    func testKeywordsCompareCaseInsensitively() {
        let directive = SSHDConfigSyntax.directives(in: "listenaddress 10.0.0.1:2222 rdomain blue")[0]
        XCTAssertTrue(directive.is("ListenAddress"))
        XCTAssertFalse(directive.is("ListenAddresses"))
        XCTAssertEqual(directive.value, "10.0.0.1:2222 rdomain blue")
    }

    func testAHashInsideAWordIsKept() {
        XCTAssertEqual(SSHDConfigSyntax.directives(in: "Banner /etc/is#sue")[0].arguments, ["/etc/is#sue"])
        XCTAssertEqual(SSHDConfigSyntax.directives(in: "Banner \"a # b\" #c")[0].arguments, ["a # b"])
    }

    func testEmptyAndCommentOnlyTextHasNoDirectives() {
        XCTAssertEqual(SSHDConfigSyntax.directives(in: ""), [])
        XCTAssertEqual(SSHDConfigSyntax.directives(in: "\n   \n\t# x\n#ListenAddress 0.0.0.0\n"), [])
    }
}
