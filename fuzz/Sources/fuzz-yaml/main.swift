import FuzzDriver
@testable import VipdConfig

/// The YAML composer alone, on raw bytes (invalid UTF-8 included, which the config loader refuses
/// before composing): a node tree or a syntax error, every position in the text.
fuzzMain { input in
    // At most one line per byte that can end one (LF, CR, the last byte of NEL, LS and PS), and
    // the line after the last: libyaml ends an unterminated last line at the end of the stream.
    let lines = 2 + input.reduce(0) { [0x0A, 0x0D, 0x85, 0xA8, 0xA9].contains($1) ? $0 + 1 : $0 }
    func check(_ position: TextPosition) {
        guard position.line >= 1, position.line <= lines, position.column >= 1, position.column <= input.count + 1 else {
            fatalError("position \(position) outside the text")
        }
    }
    do throws(YAMLSyntaxError) {
        guard let root = try YAMLComposer.compose(bytes: input) else { return }
        // Aliases repeat nodes: the walk stops after a bounded number of them.
        var pending = [root]
        var visited = 0
        while let node = pending.popLast(), visited < 100_000 {
            visited += 1
            check(node.position)
            switch node {
            case .scalar: break
            case .mapping(let mapping): pending += mapping.flatMap { [$0.key, $0.value] }
            case .sequence(let sequence): pending += sequence
            }
        }
    } catch {
        if let position = error.position { check(position) }
    }
}
