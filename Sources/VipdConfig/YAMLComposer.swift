/// Composes a YAML text of one document into its `YAMLNode` tree from libyaml's events.
///
/// Aliases are resolved to the node their anchor names (an alias before its anchor, or inside the
/// node its anchor is on, is an error: undefined); a later anchor of the same name hides an earlier
/// one. Duplicate keys are kept. Nesting, aliases counted at their full depth, stops at
/// `maximumDepth` levels, so that hostile input cannot exhaust the stack of code that walks the tree.
struct YAMLComposer {
    /// The deepest nesting of mappings and sequences composed; a scalar counts as a level too.
    static let maximumDepth = 64

    /// The root node of `text`, nil when the text holds no document (empty, or only comments).
    /// A leading byte order mark is skipped.
    static func compose(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(YAMLSyntaxError) in try compose(bytes: bytes) } }.get()
    }

    /// The root node of the UTF-8 text `bytes`, nil when it holds no document.
    static func compose(bytes: UnsafeBufferPointer<UInt8>) throws(YAMLSyntaxError) -> YAMLNode? {
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let text = bytes.starts(with: byteOrderMark) ? UnsafeBufferPointer(rebasing: bytes.dropFirst(3)) : bytes
        let parser = YAMLEventParser(text)
        var composer = YAMLComposer()
        while true {
            if let result = try composer.add(parser.next()) { return result }
        }
    }

    /// A mapping or sequence whose end event has not come yet.
    private struct OpenCollection {
        var isMapping: Bool
        var anchor: String?
        var tag: String?
        var position: TextPosition
        /// The items of a sequence; the keys and values of a mapping, alternating.
        var children: [YAMLNode] = []
        /// The levels of its deepest child, plus one.
        var height = 1
    }

    private var open: [OpenCollection] = []
    private var anchors: [String: (node: YAMLNode, height: Int)] = [:]
    private var root: YAMLNode?
    private var documentStarted = false

    /// Takes the next event; returns the document's root (or `.some(nil)`, no document) at the stream's end.
    private mutating func add(_ event: YAMLEvent) throws(YAMLSyntaxError) -> YAMLNode?? {
        switch event {
        case .streamStart, .documentEnd:
            break
        case .documentStart(let position):
            guard !documentStarted else {
                throw YAMLSyntaxError(
                    position: position, message: "YAML syntax error: a second document (the config is one YAML document)")
            }
            documentStarted = true
        case .streamEnd:
            return .some(root)
        case .alias(let anchor, let position):
            guard let anchored = anchors[anchor] else {
                throw YAMLSyntaxError(position: position, message: "YAML syntax error: found undefined alias \"\(anchor)\"")
            }
            try checkDepth(open.count + anchored.height, at: position)
            attach(anchored.node, height: anchored.height)
        case .scalar(let scalar, let anchor):
            try checkDepth(open.count + 1, at: scalar.position)
            complete(.scalar(scalar), height: 1, anchor: anchor)
        case .sequenceStart(let anchor, let tag, let position):
            try checkDepth(open.count + 1, at: position)
            open.append(OpenCollection(isMapping: false, anchor: anchor, tag: tag, position: position))
        case .mappingStart(let anchor, let tag, let position):
            try checkDepth(open.count + 1, at: position)
            open.append(OpenCollection(isMapping: true, anchor: anchor, tag: tag, position: position))
        case .sequenceEnd, .mappingEnd:
            guard let collection = open.popLast() else { break }
            let node: YAMLNode
            if collection.isMapping {
                let pairs = stride(from: 0, to: collection.children.count - 1, by: 2).map {
                    (key: collection.children[$0], value: collection.children[$0 + 1])
                }
                node = .mapping(YAMLNode.Mapping(pairs: pairs, tag: collection.tag, position: collection.position))
            } else {
                node = .sequence(YAMLNode.Sequence(items: collection.children, tag: collection.tag, position: collection.position))
            }
            complete(node, height: collection.height, anchor: collection.anchor)
        }
        return nil
    }

    private func checkDepth(_ depth: Int, at position: TextPosition) throws(YAMLSyntaxError) {
        guard depth <= Self.maximumDepth else {
            throw YAMLSyntaxError(
                position: position, message: "YAML syntax error: nested deeper than \(Self.maximumDepth) levels")
        }
    }

    /// A finished node: its anchor now names it, and it joins its parent.
    private mutating func complete(_ node: YAMLNode, height: Int, anchor: String?) {
        if let anchor { anchors[anchor] = (node, height) }
        attach(node, height: height)
    }

    private mutating func attach(_ node: YAMLNode, height: Int) {
        guard !open.isEmpty else {
            root = node
            return
        }
        open[open.count - 1].children.append(node)
        open[open.count - 1].height = max(open[open.count - 1].height, height + 1)
    }
}
