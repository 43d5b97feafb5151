import Foundation
import VipdConfig
import XCTest

/// docs/configuration.md documents every key the configuration reader accepts, and no other: each
/// case of `ConfigMapping` has a section whose heading names its path in backticks ("### `pools.NAME.check`";
/// the top level's is "## Top level"), with a table row per key whose first cell is the key in backticks.
final class ConfigurationReferenceTests: XCTestCase {
    /// The reference as it is in the repository.
    private func reference() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/configuration.md")
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The problems of the reference after `edit`, besides those it has as it is.
    private func problems(after edit: (String) throws -> String) throws -> [String] {
        let markdown = try reference()
        let before = ConfigurationReference(markdown: markdown).problems()
        return ConfigurationReference(markdown: try edit(markdown)).problems().filter { !before.contains($0) }
    }

    /// The table row of `key` in `markdown`, the only one.
    private static func row(of key: String, in markdown: String) throws -> Substring {
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| `\(key)` |") }
        XCTAssertEqual(rows.count, 1, "rows of \(key)")
        return try XCTUnwrap(rows.first)
    }

    func testTheReferenceDocumentsExactlyTheAcceptedKeys() throws {
        for problem in ConfigurationReference(markdown: try reference()).problems() {
            XCTFail(problem)
        }
    }

    /// Taking a key's row out of the reference is reported, with the key and the section.
    func testAMissingKeyIsReported() throws {
        XCTAssertEqual(
            try problems { try $0.replacingOccurrences(of: "\(Self.row(of: "expect_status", in: $0))\n", with: "") },
            [
                "docs/configuration.md does not document the key `expect_status` of pools.NAME.check: add a row"
                    + " \"| `expect_status` | TYPE | DEFAULT | MEANING |\" to the table under \"### `pools.NAME.check`\""
            ])
    }

    /// A row for a key the reader does not accept is reported.
    func testAStaleKeyIsReported() throws {
        XCTAssertEqual(
            try problems {
                let row = try Self.row(of: "expect_status", in: $0)
                return $0.replacingOccurrences(of: "\(row)\n", with: "\(row)\n| `inter` | duration | `2s` | |\n")
            },
            [
                "docs/configuration.md documents `inter` under \"### `pools.NAME.check`\", but pools.NAME.check has no"
                    + " such key: remove the row, or add the key to ConfigMapping.healthCheck"
            ])
    }

    /// A mapping without a section is reported with all its keys.
    func testAMissingSectionIsReported() throws {
        XCTAssertEqual(
            try problems { $0.replacingOccurrences(of: "### `stats.auth`", with: "### Authentication") },
            [
                "docs/configuration.md has no section for stats.auth: add a heading with `stats.auth` in it and"
                    + " a table with a row for each of its keys: user, password"
            ])
    }

    /// A section for a mapping the reader does not have is reported.
    func testAStaleSectionIsReported() throws {
        XCTAssertEqual(
            try problems { $0 + "\n### `stats.tls`\n\n| Key | Type | Default | Meaning |\n|-|-|-|-|\n| `cert` | path | none | |\n" },
            [
                "docs/configuration.md documents keys under \"### `stats.tls`\", which is no mapping of the"
                    + " configuration: remove the section, or add the mapping to ConfigMapping"
            ])
    }

    /// Lines of a code block are not headings or table rows.
    func testCodeBlocksAreNotSections() {
        let reference = ConfigurationReference(markdown: "## `stats`\n\n```yaml\n# `stats.x`\n| `x` |\n```\n| `bind` |\n")
        XCTAssertEqual(reference.sections.map(\.heading), ["## `stats`"])
        XCTAssertEqual(reference.sections.map(\.keys), [["bind"]])
    }
}

/// The sections of docs/configuration.md and the keys their tables document.
struct ConfigurationReference {
    /// A heading and the keys of the table rows between it and the next heading.
    struct Section {
        /// The whole heading line, e.g. "### `pools.NAME.check`".
        var heading: String
        /// The first cells of its table rows that are a key in backticks.
        var keys: [String] = []

        /// The heading's text after the `#`s.
        var title: String { String(heading.drop { $0 == "#" }.drop { $0 == " " }) }

        /// Whether this is the section of `mapping`.
        func documents(_ mapping: ConfigMapping) -> Bool {
            mapping.path.isEmpty ? title == "Top level" : title.contains("`\(mapping.path)`")
        }
    }

    let sections: [Section]

    init(markdown: String) {
        var sections: [Section] = []
        var inCode = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inCode.toggle()
            } else if inCode {
                continue
            } else if line.hasPrefix("#") {
                sections.append(Section(heading: String(line)))
            } else if line.hasPrefix("|"), let key = Self.key(inFirstCellOf: line), !sections.isEmpty {
                sections[sections.count - 1].keys.append(key)
            }
        }
        self.sections = sections
    }

    /// The first cell of a table row when it is one word in backticks, such as `` `interval` ``.
    private static func key(inFirstCellOf row: Substring) -> String? {
        let cell = row.dropFirst().prefix { $0 != "|" }.trimmingCharacters(in: .whitespaces)
        guard cell.count > 2, cell.hasPrefix("`"), cell.hasSuffix("`") else { return nil }
        let key = cell.dropFirst().dropLast()
        return key.contains(where: { $0 == "`" || $0 == " " }) ? nil : String(key)
    }

    /// What is missing from the reference or documented without being accepted, one message each.
    func problems() -> [String] {
        let file = "docs/configuration.md"
        var problems: [String] = []
        for mapping in ConfigMapping.allCases {
            let name = mapping.path.isEmpty ? "the top level" : mapping.path
            let matching = sections.filter { $0.documents(mapping) }
            guard let section = matching.first else {
                let heading = mapping.path.isEmpty ? "\"## Top level\"" : "with `\(mapping.path)` in it"
                problems.append(
                    "\(file) has no section for \(name): add a heading \(heading) and a table with a row for each of"
                        + " its keys: \(mapping.keys.joined(separator: ", "))")
                continue
            }
            if matching.count > 1 {
                problems.append(
                    "\(file) has \(matching.count) sections for \(name): \(matching.map { "\"\($0.heading)\"" }.joined(separator: ", "))")
            }
            for key in mapping.keys where !section.keys.contains(key) {
                problems.append(
                    "\(file) does not document the key `\(key)` of \(name): add a row \"| `\(key)` | TYPE | DEFAULT | MEANING |\""
                        + " to the table under \"\(section.heading)\"")
            }
            for key in section.keys where !mapping.keys.contains(key) {
                problems.append(
                    "\(file) documents `\(key)` under \"\(section.heading)\", but \(name) has no such key: remove the"
                        + " row, or add the key to ConfigMapping.\(mapping)")
            }
        }
        for section in sections
        where section.title.hasPrefix("`") && !section.keys.isEmpty
            && !ConfigMapping.allCases.contains(where: section.documents)
        {
            problems.append(
                "\(file) documents keys under \"\(section.heading)\", which is no mapping of the configuration: remove"
                    + " the section, or add the mapping to ConfigMapping")
        }
        return problems
    }
}
