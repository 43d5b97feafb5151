import Foundation
import VipdLab
import XCTest

/// The loopback setup of the tests that put `vipd run` in front of two real OpenSSH sshd: "ha0" and
/// "ha1" on free ports with lab keys, the ssh client that trusts them, and a free port for vipd's
/// listener. Subclasses that override `tearDown` stop their own processes, then call `super.tearDown()`.
class TwoSSHDTestCase: XCTestCase {
    var directory: LabDirectory!
    var keys: LabKeys!
    var ha0: SSHDaemon!
    var ha1: SSHDaemon!
    var client: SSHClient!
    var vipPort = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(SSHDaemon.isAvailable, "OpenSSH sshd/ssh not installed (apt-get install openssh-server openssh-client)")
        directory = try LabDirectory(prefix: "vipd-\(type(of: self))")
        keys = try LabKeys.generate(in: directory)
        ha0 = try SSHDaemon.start(name: "ha0", port: try FreePort.allocate(), keys: keys, directory: directory)
        ha1 = try SSHDaemon.start(name: "ha1", port: try FreePort.allocate(), keys: keys, directory: directory)
        client = SSHClient(keys: keys)
        vipPort = try FreePort.allocate()
    }

    override func tearDown() {
        ha0?.stop()
        ha1?.stop()
        directory?.remove()
        super.tearDown()
    }
}
