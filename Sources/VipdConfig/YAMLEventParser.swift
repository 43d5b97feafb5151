import CYAML

/// One event of libyaml's parser, copied out of libyaml's memory.
enum YAMLEvent {
    case streamStart
    case documentStart(TextPosition)
    case documentEnd
    case streamEnd
    case alias(anchor: String, position: TextPosition)
    case scalar(YAMLNode.Scalar, anchor: String?)
    case sequenceStart(anchor: String?, tag: String?, position: TextPosition)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?, position: TextPosition)
    case mappingEnd
}

/// libyaml's event parser (`yaml_parser_parse`, Debian's libyaml) over UTF-8 text.
///
/// The parser reads the text in place: the buffer must stay valid as long as the parser is used.
final class YAMLEventParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let text: UnsafeBufferPointer<UInt8>
    private let initialized: Bool

    /// A parser over `text`, UTF-8 without a byte order mark.
    init(_ text: UnsafeBufferPointer<UInt8>) {
        // libyaml keeps a pointer to the parser for its string reader: the parser must not move.
        parser = .allocate(capacity: 1)
        self.text = text
        initialized = yaml_parser_initialize(parser) == 1
        guard initialized else { return }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        // libyaml copies nothing from an empty input but still wants a pointer.
        yaml_parser_set_input_string(parser, text.baseAddress ?? Self.emptyInput, text.count)
    }

    deinit {
        if initialized { yaml_parser_delete(parser) }
        parser.deallocate()
    }

    /// A byte never read, never written.
    nonisolated(unsafe) private static let emptyInput: UnsafePointer<UInt8> = {
        let byte = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        byte.initialize(to: 0)
        return UnsafePointer(byte)
    }()

    /// The next event; after the stream's end, `.streamEnd` again.
    func next() throws(YAMLSyntaxError) -> YAMLEvent {
        guard initialized else { throw YAMLSyntaxError(position: nil, message: "YAML error: out of memory") }
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw error() }
        defer { yaml_event_delete(&event) }
        let position = Self.position(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return .streamStart
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart(position)
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: Self.string(event.data.alias.anchor) ?? "", position: position)
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = data.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self) }
            let scalar = YAMLNode.Scalar(
                text: text ?? "", tag: Self.string(data.tag), style: Self.style(data.style), position: position)
            return .scalar(scalar, anchor: Self.string(data.anchor))
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            return .sequenceStart(anchor: Self.string(data.anchor), tag: Self.string(data.tag), position: position)
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            return .mappingStart(anchor: Self.string(data.anchor), tag: Self.string(data.tag), position: position)
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        default:
            // YAML_NO_EVENT: libyaml gives it once the stream has ended.
            return .streamEnd
        }
    }

    private static func string(_ characters: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        characters.map { String(cString: $0) }
    }

    private static func position(_ mark: yaml_mark_t) -> TextPosition {
        TextPosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    /// The error that stopped the parser, with libyaml's words.
    private func error() -> YAMLSyntaxError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "invalid YAML"
        switch state.error {
        case YAML_MEMORY_ERROR:
            return YAMLSyntaxError(position: nil, message: "YAML error: out of memory")
        case YAML_READER_ERROR:
            let value = state.problem_value >= 0 ? " (0x\(String(state.problem_value, radix: 16, uppercase: true)))" : ""
            return YAMLSyntaxError(
                position: Self.position(ofByteOffset: Int(state.problem_offset), in: text),
                message: "unreadable YAML text: \(problem)\(value)")
        default:
            let position = Self.position(state.problem_mark)
            guard let context = state.context.map({ String(cString: $0) }) else {
                return YAMLSyntaxError(position: position, message: "YAML syntax error: \(problem)")
            }
            let contextPosition = Self.position(state.context_mark)
            return YAMLSyntaxError(
                position: position,
                message:
                    "YAML syntax error: \(problem) (\(context) at line \(contextPosition.line), column \(contextPosition.column))"
            )
        }
    }

    /// The line and column of the byte at `offset` in `text`, counting lines and columns as libyaml
    /// does: CR LF, CR, LF, NEL, LS and PS end a line; a column is a Unicode scalar. The bytes before
    /// `offset` are valid UTF-8 (libyaml stops at the first that is not).
    static func position(ofByteOffset offset: Int, in text: UnsafeBufferPointer<UInt8>) -> TextPosition {
        var position = TextPosition(line: 1, column: 1)
        var index = 0
        let end = min(offset, text.count)
        while index < end {
            let byte = text[index]
            let next = index + 1 < text.count ? text[index + 1] : 0
            let third = index + 2 < text.count ? text[index + 2] : 0
            let lineBreakLength: Int? =
                switch (byte, next, third) {
                case (0x0D, 0x0A, _): 2
                case (0x0D, _, _), (0x0A, _, _): 1
                case (0xC2, 0x85, _): 2
                case (0xE2, 0x80, 0xA8), (0xE2, 0x80, 0xA9): 3
                default: nil
                }
            if let lineBreakLength {
                position = TextPosition(line: position.line + 1, column: 1)
                index += lineBreakLength
                continue
            }
            if byte & 0xC0 != 0x80 { position.column += 1 }
            index += 1
        }
        return position
    }
}
