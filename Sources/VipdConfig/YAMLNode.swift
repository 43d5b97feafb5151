/// A line and column in the YAML text (1-based, columns counted in Unicode scalars, as libyaml counts them).
struct TextPosition: Hashable {
    var line: Int
    var column: Int
}

/// A node of a composed YAML document: a scalar, a mapping or a sequence, each with the position it
/// starts at. Aliases are resolved (an alias is the node its anchor names); mappings keep every key
/// as written, duplicates included, so that the config reader can report them.
enum YAMLNode {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// How a scalar is written.
    enum ScalarStyle {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// A scalar: its text as the YAML denotes it (quotes, escapes and folding resolved).
    struct Scalar {
        var text: String
        /// The explicit tag, expanded (`!!str` is `tag:yaml.org,2002:str`); nil when none is written.
        var tag: String?
        var style: ScalarStyle
        var position: TextPosition

        /// Written without quotes or tag, so that its type comes from its text: `~` is null, `true`
        /// a boolean, `5` an integer. A quoted or tagged scalar is text as written (`"yes"`, `!!str 5`).
        var isPlain: Bool { style == .plain && tag == nil }
    }

    /// A mapping's key/value pairs in the order written.
    struct Mapping: RandomAccessCollection {
        var pairs: [(key: YAMLNode, value: YAMLNode)]
        var tag: String?
        var position: TextPosition

        var startIndex: Int { pairs.startIndex }
        var endIndex: Int { pairs.endIndex }
        subscript(index: Int) -> (key: YAMLNode, value: YAMLNode) { pairs[index] }

        /// The value of the first key whose text is `key`.
        subscript(key: String) -> YAMLNode? { pairs.first { $0.key.scalar?.text == key }?.value }
    }

    /// A sequence's items in order.
    struct Sequence: RandomAccessCollection {
        var items: [YAMLNode]
        var tag: String?
        var position: TextPosition

        var startIndex: Int { items.startIndex }
        var endIndex: Int { items.endIndex }
        subscript(index: Int) -> YAMLNode { items[index] }
    }

    /// Where the node starts: its first character, its tag or its anchor.
    var position: TextPosition {
        switch self {
        case .scalar(let scalar): scalar.position
        case .mapping(let mapping): mapping.position
        case .sequence(let sequence): sequence.position
        }
    }

    var scalar: Scalar? {
        if case .scalar(let scalar) = self { scalar } else { nil }
    }

    var mapping: Mapping? {
        if case .mapping(let mapping) = self { mapping } else { nil }
    }
}
