import Foundation
import Logging
import NIOPosix
import VipdControl
import XCTest

/// The control socket for real: a unix socket in a fresh directory, the client talking to it.
final class ControlServerTests: XCTestCase {
    private var directory: URL!
    private var path: String { directory.appendingPathComponent("run/vipd.sock").path }
    private let logger = Logger(label: "test")

    override func setUpWithError() throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("vipd-ctl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A server answering every request with its command's name.
    private func startEcho(at path: String? = nil) async throws -> ControlServer {
        try await ControlServer.start(path: path ?? self.path, group: MultiThreadedEventLoopGroup.singleton, logger: logger) { request in
            ControlResponse(ok: true, message: "did \(request.command.name) \(request.command.target?.description ?? "-")")
        }
    }

    private func send(_ command: ControlCommand, to path: String? = nil) async throws -> ControlResponse {
        try await ControlClient.send(ControlRequest(command), to: path ?? self.path, timeout: .seconds(10))
    }

    func testRequestsAreAnsweredOnARootOnlySocketInANewDirectory() async throws {
        let server = try await startEcho()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeSocket)
        let answer = try await send(.drain(ServerTarget(pool: "ssh", server: "ha1")))
        XCTAssertEqual(answer, ControlResponse(ok: true, message: "did drain ssh/ha1"))
        for _ in 0..<20 {
            let again = try await send(.status)
            XCTAssertEqual(again.message, "did status -")
        }
        await server.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "closing removes the socket file")
    }

    func testNoDaemonIsAClearError() async throws {
        do {
            _ = try await send(.status)
            XCTFail("no socket, no answer")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("no control socket at \(path): is vipd running?"), "\(error)")
        }
    }

    func testAStaleSocketIsReplacedAndALiveOneIsRefused() async throws {
        let first = try await startEcho()
        do {
            _ = try await startEcho()
            XCTFail("a second server must not steal a live socket")
        } catch {
            XCTAssertEqual("\(error)", "another vipd answers on the control socket \(path); set global.control_socket to another path")
        }
        let stillAnswering = try await send(.status)
        XCTAssertEqual(stillAnswering.message, "did status -", "the first server still answers")
        await first.close()

        // A socket file nobody answers on, as a killed daemon leaves it.
        let stale = try staleSocket(at: path)
        do {
            _ = try await send(.status)
            XCTFail("a stale socket answers nothing")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("nothing answers on \(path)"), "\(error)")
        }
        close(stale)
        let second = try await startEcho()
        let answer = try await send(.servers)
        XCTAssertEqual(answer.message, "did servers -")
        await second.close()
    }

    func testAFileThatIsNotASocketIsLeftAlone() async throws {
        let file = directory.appendingPathComponent("notes").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: file))
        do {
            _ = try await startEcho(at: file)
            XCTFail("a regular file must not be replaced")
        } catch {
            XCTAssertEqual("\(error)", "\(file) exists and is not a socket; remove it or set global.control_socket to another path")
        }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "keep me")
    }

    func testMalformedAndForeignVersionRequestsGetAnErrorAnswer() async throws {
        let server = try await startEcho()
        XCTAssertEqual(
            try rawExchange(#"{"version":9,"command":"status"}"#),
            ControlResponse.failure(ControlError("control protocol version 9 is not spoken by this vipd (it speaks 1): use the vipd ctl of the running build")))
        XCTAssertEqual(try rawExchange("garbage").ok, false)
        XCTAssertEqual(try rawExchange(#"{"version":1,"command":"drain","server":"x"}"#).message, "malformed control message: 'x' is not POOL/SERVER (e.g. ssh/ha1); `vipd ctl servers` lists them")
        await server.close()
    }

    /// Binds a unix socket at `path` without listening (connections are refused); returns its descriptor.
    private func staleSocket(at path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.enumerated() { bytes[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        return descriptor
    }

    /// Sends `line` as it is over a plain socket and decodes the answer.
    private func rawExchange(_ line: String) throws -> ControlResponse {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.enumerated() { bytes[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(connected, 0)
        let bytes = Array((line + "\n").utf8)
        XCTAssertEqual(write(descriptor, bytes, bytes.count), bytes.count)
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<1000 {
            let count = read(descriptor, &chunk, chunk.count)
            if count <= 0 { break }
            answer += chunk[..<count]
        }
        return try ControlWire.decode(ControlResponse.self, from: answer)
    }
}
