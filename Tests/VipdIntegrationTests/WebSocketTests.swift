import Foundation
import VipdLab
import XCTest

/// WebSocket through a `mode: http` listener, with Debian's python3-websockets as server and client
/// (`websocket_peer.py`): the upgrade reaches the server, the `101` the client, and then messages
/// pass both ways unchanged until a clean close, as through haproxy's `mode http`.
final class WebSocketTests: XCTestCase {
    private var directory: LabDirectory!
    private var server: PythonPeer!
    private var listenPort = 0

    override func setUpWithError() throws {
        directory = try LabDirectory(prefix: "vipd-websocket")
        let portFile = directory.file("server.port")
        server = try PythonPeer(script: "websocket_peer.py", arguments: ["server", portFile.path], portFile: portFile)
        listenPort = try FreePort.allocate()
    }

    override func tearDown() {
        server?.stop()
        directory?.remove()
    }

    private func startVipd(listenerSettings: String) throws -> VipdProcess {
        try VipdProcess(
            yaml: """
                listeners:
                  ws:
                    bind: 127.0.0.1:\(listenPort)
                    mode: http
                    pool: ws
                    \(listenerSettings)
                pools:
                  ws:
                    servers: [{ name: peer, address: 127.0.0.1:\(server.port) }]
                    check: { kind: tcp, interval: 300ms }
                """, directory: directory)
    }

    /// Runs the client against `path` on the listener, pausing `pause` seconds before its last message.
    private func client(path: String, pause: Double) throws -> ProcessRunner.Output {
        try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            arguments: [
                PythonPeer.scriptURL("websocket_peer.py").path, "client", "ws://127.0.0.1:\(listenPort)\(path)", "--pause", "\(pause)",
            ],
            timeout: .seconds(120))
    }

    /// Text, the forwarded client address and 256 KiB of binary echo both ways; a pause longer than
    /// the server timeout does not cut the tunnel (it is no response being waited for); a clean close.
    /// `server_reuse: never` would send `Connection: close`: the upgrade must win over it.
    func testMessagesPassBothWaysPastTheServerTimeoutAndCloseCleanly() throws {
        let vipd = try startVipd(listenerSettings: "http: { server_timeout: 1s, server_reuse: never }")
        defer { vipd.stop() }
        let output = try client(path: "/chat?room=1", pause: 2.5)
        XCTAssertEqual(output.exitStatus, 0, output.standardError + vipd.log)
        XCTAssertEqual(
            output.standardOutput.split(separator: "\n").map(String.init),
            ["text=hello", "who=127.0.0.1", "binary=262144 same=True", "after-pause=still there", "closed=1000"],
            output.standardError + vipd.log)
        try vipd.waitForLog(containing: #""GET /chat?room=1 HTTP/1.1" status=101"#, timeout: 10)
        XCTAssertFalse(vipd.log.contains("error="), vipd.log)
    }

    /// A tunnel with no byte either way for the listener's idle timeout is closed, as haproxy's
    /// `timeout tunnel` closes it.
    func testTheIdleTimeoutEndsASilentTunnel() throws {
        let vipd = try startVipd(listenerSettings: "idle_timeout: 1s")
        defer { vipd.stop() }
        let output = try client(path: "/", pause: 4)
        XCTAssertNotEqual(output.exitStatus, 0, output.standardOutput)
        XCTAssertTrue(output.standardOutput.hasPrefix("text=hello\nwho=127.0.0.1\nbinary=262144 same=True\n"), output.standardOutput)
        XCTAssertFalse(output.standardOutput.contains("after-pause"), output.standardOutput)
        XCTAssertTrue(output.standardError.contains("ConnectionClosed"), output.standardError)
        try vipd.waitForLog(containing: #""GET / HTTP/1.1" status=101"#, timeout: 10)
    }
}
