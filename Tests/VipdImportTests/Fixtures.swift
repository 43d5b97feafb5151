import Foundation
import VipdConfig
import VipdImport
import XCTest

/// The seed configurations in `Fixtures/` (see its README) and small helpers shared by the tests.
enum Fixture {
    /// The fixture `name` as a source named like the file.
    static func source(_ name: String) throws -> SourceText {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil), "missing fixture \(name)")
        return SourceText(path: name, text: try String(contentsOf: url, encoding: .utf8))
    }

    /// Imports inline texts named `haproxy.cfg` and `keepalived-N.conf` (N from 1).
    static func importing(haproxy: String, keepalived: [String] = [], nodes: [NodeAddress] = []) throws -> ImportResult {
        try ConfigImporter.translate(
            haproxy: SourceText(path: "haproxy.cfg", text: haproxy),
            keepalived: keepalived.enumerated().map { SourceText(path: "keepalived-\($0.offset + 1).conf", text: $0.element) },
            nodes: nodes)
    }

    /// Imports inline keepalived.conf texts named `keepalived-N.conf` (N from 1) without a haproxy.cfg.
    static func importing(keepalived: [String], nodes: [NodeAddress] = []) throws -> ImportResult {
        try ConfigImporter.translate(
            haproxy: nil,
            keepalived: keepalived.enumerated().map { SourceText(path: "keepalived-\($0.offset + 1).conf", text: $0.element) },
            nodes: nodes)
    }

    /// A file reader for which no file exists, as on a machine without the pages haproxy.cfg names.
    static func noFile(_ path: String) throws -> [UInt8] { throw NoFile() }

    private struct NoFile: Error, CustomStringConvertible {
        var description: String { "No such file or directory" }
    }

    /// The notes as `FILE:LINE: directive: reason` lines.
    static func lines(_ result: ImportResult) -> [String] { result.notes.map(\.description) }

    /// The YAML loads with vipd's own loader into exactly the configuration the import built.
    static func assertLoads(_ result: ImportResult, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let loaded = try ConfigLoader.parse(yaml: result.yaml, file: "vipd.yaml")
            XCTAssertEqual(loaded, result.configuration, result.yaml, file: file, line: line)
        } catch {
            XCTFail("\(error)\n\(result.yaml)", file: file, line: line)
        }
    }

    /// A minimal haproxy.cfg with one TCP listener, so keepalived tests have a pool.
    static let sshProxy = """
        defaults
        mode tcp
        timeout client 1h
        timeout server 1h
        frontend ssh
        bind 192.168.2.232:22
        default_backend ssh
        backend ssh
        server ha0 192.168.2.230:22 check
        server ha1 192.168.2.231:22 check
        """
}
