@testable import VipdConfig
import XCTest

/// The YAML composer on libyaml's events: node kinds, positions, anchors, limits and errors.
final class YAMLComposerTests: XCTestCase {
    /// `node` in one line: a scalar as `text@line:column` (quoted as written, `|` literal, `>` folded,
    /// a tag in front), a mapping as `{key: value}@line:column`, a sequence as `[item]@line:column`.
    private func render(_ node: YAMLNode?) -> String {
        guard let node else { return "no document" }
        let at = "@\(node.position.line):\(node.position.column)"
        switch node {
        case .scalar(let scalar):
            let tag = scalar.tag.map { "!<\($0)> " } ?? ""
            let text =
                switch scalar.style {
                case .plain: scalar.text
                case .singleQuoted: "'\(scalar.text)'"
                case .doubleQuoted: "\"\(scalar.text)\""
                case .literal: "|\(scalar.text)"
                case .folded: ">\(scalar.text)"
                }
            return tag + text + at
        case .mapping(let mapping):
            return "{" + mapping.map { "\(render($0.key)): \(render($0.value))" }.joined(separator: ", ") + "}" + at
        case .sequence(let sequence):
            return "[" + sequence.map(render).joined(separator: ", ") + "]" + at
        }
    }

    private func composed(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            return render(try YAMLComposer.compose(yaml))
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return ""
        }
    }

    private func syntaxError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> YAMLSyntaxError? {
        do {
            let root = try bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(YAMLSyntaxError) in try YAMLComposer.compose(bytes: buffer) }
            }.get()
            XCTFail("composed \(render(root))", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    private func syntaxError(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> YAMLSyntaxError? {
        syntaxError(Array(yaml.utf8), file: file, line: line)
    }

    func testEveryNodeKindWithItsPosition() {
        XCTAssertEqual(
            composed("a: 1\nb: [x, 'y', \"z\"]\nc:\n  - |\n    lit\n  - >\n    fold\n    ed\nd: {}\ne:\n"),
            "{a@1:1: 1@1:4, b@2:1: [x@2:5, 'y'@2:8, \"z\"@2:13]@2:4, c@3:1: [|lit\n@4:5, >fold ed\n@6:5]@4:3, "
                + "d@9:1: {}@9:4, e@10:1: @10:3}@1:1")
    }

    func testQuotedAndTaggedScalarsAreNotPlain() throws {
        let root = try XCTUnwrap(try YAMLComposer.compose("a: yes\nb: \"yes\"\nc: !!str 5\nd: ~\n")?.mapping)
        XCTAssertEqual(root.map { $0.value.scalar?.isPlain }, [true, false, false, true])
        XCTAssertEqual(root["c"]?.scalar?.tag, "tag:yaml.org,2002:str")
        guard case .sequence(let sequence) = try YAMLComposer.compose("a: !x [1]\n")?.mapping?["a"] else {
            return XCTFail("not a sequence")
        }
        XCTAssertEqual(sequence.tag, "!x")
        XCTAssertEqual(sequence.position, TextPosition(line: 1, column: 4))
    }

    func testColumnsCountUnicodeScalars() {
        XCTAssertEqual(composed("é: ü\n😀: 'x'\ncafe\u{301}: 1\n"), "{é@1:1: ü@1:4, 😀@2:1: 'x'@2:4, cafe\u{301}@3:1: 1@3:8}@1:1")
    }

    func testLineBreaks() {
        XCTAssertEqual(composed("a: 1\r\nb: 2\r\n\r\nc: 3"), "{a@1:1: 1@1:4, b@2:1: 2@2:4, c@4:1: 3@4:4}@1:1")
        XCTAssertEqual(composed("a: 1\rb: 2\n"), "{a@1:1: 1@1:4, b@2:1: 2@2:4}@1:1")
    }

    func testByteOrderMarkIsSkipped() {
        XCTAssertEqual(composed("\u{FEFF}a: 1\nb: 2"), "{a@1:1: 1@1:4, b@2:1: 2@2:4}@1:1")
    }

    func testDuplicateKeysAreKept() {
        XCTAssertEqual(composed("a: 1\na: 2\n\"a\": 3\n"), "{a@1:1: 1@1:4, a@2:1: 2@2:4, \"a\"@3:1: 3@3:6}@1:1")
    }

    func testAliasesAreTheNodesTheirAnchorsName() {
        XCTAssertEqual(
            composed("a: &x {b: 1}\nc: *x\nd: &x 2\ne: *x\n"),
            "{a@1:1: {b@1:8: 1@1:11}@1:4, c@2:1: {b@1:8: 1@1:11}@1:4, d@3:1: 2@3:4, e@4:1: 2@3:4}@1:1")
        XCTAssertEqual(
            syntaxError("a: *x\nb: &x 1\n"), YAMLSyntaxError(position: .init(line: 1, column: 4), message: #"YAML syntax error: found undefined alias "x""#))
        XCTAssertEqual(
            syntaxError("a: &x [1, *x]\n"),
            YAMLSyntaxError(position: .init(line: 1, column: 11), message: #"YAML syntax error: found undefined alias "x""#))
    }

    func testNestingDepthIsLimited() {
        let limit = YAMLComposer.maximumDepth
        let deepest = String(repeating: "[", count: limit - 1) + "x" + String(repeating: "]", count: limit - 1)
        XCTAssertNoThrow(try YAMLComposer.compose(deepest))
        XCTAssertEqual(
            syntaxError(String(repeating: "[", count: limit) + "x" + String(repeating: "]", count: limit)),
            YAMLSyntaxError(position: .init(line: 1, column: limit + 1), message: "YAML syntax error: nested deeper than \(limit) levels"))
        XCTAssertEqual(
            syntaxError(String(repeating: "[", count: limit + 1_000_000))?.message,
            "YAML syntax error: nested deeper than \(limit) levels")

        // An alias counts at the depth of the node it names.
        let anchored = "a: &x " + String(repeating: "[", count: limit - 1) + String(repeating: "]", count: limit - 1)
        XCTAssertNoThrow(try YAMLComposer.compose(anchored + "\nb: *x\n"))
        XCTAssertEqual(
            syntaxError(anchored + "\nb: [*x]\n"),
            YAMLSyntaxError(position: .init(line: 2, column: 5), message: "YAML syntax error: nested deeper than \(limit) levels"))
    }

    func testManyAliasesShareTheirNode() throws {
        // "Billion laughs": each level names the one before ten times; composing stays linear.
        var yaml = "a0: &a0 [x]\n"
        for level in 1...30 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let root = try XCTUnwrap(try YAMLComposer.compose(yaml)?.mapping)
        XCTAssertEqual(root.count, 31)
    }

    func testEmptyTexts() {
        XCTAssertEqual(composed(""), "no document")
        XCTAssertEqual(composed("# only a comment\n\n"), "no document")
        XCTAssertEqual(composed("\u{FEFF}"), "no document")
        XCTAssertEqual(composed("---\n"), "@2:1")
        XCTAssertEqual(composed("--- ~\n...\n"), "~@1:5")
    }

    func testInvalidUTF8() {
        XCTAssertEqual(
            syntaxError([0x61, 0x3A, 0x20, 0xFF]),
            YAMLSyntaxError(position: .init(line: 1, column: 4), message: "unreadable YAML text: invalid leading UTF-8 octet (0xFF)"))
        XCTAssertEqual(syntaxError(Array("a: 1\nb: é".utf8) + [0xC3])?.position, TextPosition(line: 2, column: 5))
        XCTAssertEqual(
            syntaxError("a: \u{1}"),
            YAMLSyntaxError(position: .init(line: 1, column: 4), message: "unreadable YAML text: control characters are not allowed (0x1)"))
    }

    func testByteOffsetsCountLinesAndColumnsLikeLibyaml() {
        let text = Array("a\r\nb\rc\u{85}d\u{2028}e\u{2029}ü😀x".utf8)
        text.withUnsafeBufferPointer { buffer in
            XCTAssertEqual(YAMLEventParser.position(ofByteOffset: 0, in: buffer), TextPosition(line: 1, column: 1))
            XCTAssertEqual(YAMLEventParser.position(ofByteOffset: 3, in: buffer), TextPosition(line: 2, column: 1))
            XCTAssertEqual(YAMLEventParser.position(ofByteOffset: buffer.count - 1, in: buffer), TextPosition(line: 6, column: 3))
            XCTAssertEqual(YAMLEventParser.position(ofByteOffset: buffer.count + 5, in: buffer), TextPosition(line: 6, column: 4))
        }
    }

    func testTabsCannotIndent() {
        XCTAssertEqual(
            syntaxError("a:\n\tb: 1\n"),
            YAMLSyntaxError(
                position: .init(line: 2, column: 1),
                message: "YAML syntax error: found character that cannot start any token (while scanning for the next token at line 2, column 1)"))
        XCTAssertEqual(composed("a: 1\t# tab before a comment\n"), "{a@1:1: 1@1:4}@1:1")
    }

    func testSyntaxErrorsNameTheirPosition() {
        XCTAssertEqual(
            syntaxError("a: [1, 2\nb: 3\n"),
            YAMLSyntaxError(
                position: .init(line: 2, column: 2),
                message: "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)"))
        XCTAssertEqual(
            syntaxError("a: 1\n b: 2\n"),
            YAMLSyntaxError(position: .init(line: 2, column: 3), message: "YAML syntax error: mapping values are not allowed in this context"))
        XCTAssertEqual(
            syntaxError("a: 1\n---\nb: 2\n"),
            YAMLSyntaxError(position: .init(line: 2, column: 1), message: "YAML syntax error: a second document (the config is one YAML document)"))
    }
}
