
extension ConfigReader {
    /// `track.files`: absolute paths, as a list (weight 0) or a mapping from path to weight.
    func readTrackedFiles(_ node: YAMLNode, path: String) -> [TrackedObjectConfig]? {
        guard let entries = readWeightedNames(node, path: path) else { return nil }
        var files: [TrackedObjectConfig] = []
        var valid = true
        for entry in entries {
            let entryPath = Self.join(path, entry.name)
            if !entry.name.hasPrefix("/") || entry.name.hasSuffix("/") || entry.name.contains("\0") {
                report(
                    "\"\(entry.name)\" is not an absolute file path: give the file like /run/vipd/priority", at: entry.node,
                    path: entryPath)
                valid = false
            } else if files.contains(where: { $0.name == entry.name }) {
                report("\(entry.name) is listed twice", at: entry.node, path: entryPath)
                valid = false
            } else {
                files.append(TrackedObjectConfig(kind: .file, name: entry.name, weight: entry.weight))
            }
        }
        return valid ? files : nil
    }

    /// `track.processes`: a mapping from process name to weight, or a list whose items are a name
    /// (weight 0) or `{ name, weight, min, max }`.
    func readTrackedProcesses(_ node: YAMLNode, path: String) -> [TrackedObjectConfig]? {
        var processes: [(object: TrackedObjectConfig, node: YAMLNode, path: String)] = []
        var valid = true
        if case .sequence(let sequence) = node {
            for (index, item) in sequence.enumerated() {
                let itemPath = "\(path)[\(index)]"
                if case .mapping = item {
                    if let process = readTrackedProcess(item, path: itemPath) {
                        processes.append((process.object, process.nameNode, itemPath))
                    } else {
                        valid = false
                    }
                } else if let name = readString(item, path: itemPath) {
                    processes.append((TrackedObjectConfig(kind: .process, name: name, weight: 0), item, itemPath))
                } else {
                    valid = false
                }
            }
        } else {
            guard let entries = readWeightedNames(node, path: path) else { return nil }
            processes = entries.map {
                (TrackedObjectConfig(kind: .process, name: $0.name, weight: $0.weight), $0.node, Self.join(path, $0.name))
            }
        }
        var names: Set<String> = []
        for process in processes {
            if process.object.name.contains("\0") {
                report("a process name cannot contain a NUL byte", at: process.node, path: process.path)
                valid = false
            } else if !names.insert(process.object.name).inserted {
                report("process \"\(process.object.name)\" is listed twice", at: process.node, path: process.path)
                valid = false
            }
        }
        return valid ? processes.map(\.object) : nil
    }

    /// One `{ name, weight, min, max }` item of `track.processes`, with the node of its name.
    private func readTrackedProcess(_ node: YAMLNode, path: String) -> (object: TrackedObjectConfig, nameNode: YAMLNode)? {
        guard let fields = fields(of: node, path: path, owner: node.position, as: .trackProcess) else { return nil }
        let nameNode = required("name", in: fields)
        let name = nameNode.flatMap { readString($0, path: fields.path("name")) }
        let weight: Int? = fields["weight"].map { readInt($0, path: fields.path("weight"), range: -254...254) } ?? 0
        let minimum: Int? = fields["min"].map { readInt($0, path: fields.path("min"), range: 0...Int(Int32.max)) } ?? 1
        let maximum: Int?? = fields["max"].map { readInt($0, path: fields.path("max"), range: 0...Int(Int32.max)).map { .some($0) } } ?? .some(nil)
        guard let nameNode, let name, let weight, let minimum, let maximum else { return nil }
        if let maximum, maximum < minimum {
            report("max \(maximum) is below min \(minimum): no count of processes would do", at: fields["max"]!, path: fields.path("max"))
            return nil
        }
        if minimum == 0 && maximum == nil {
            report(
                "min 0 without max is met by any count of processes: give min 1 or more, or a max (max: 0 fails while one runs)",
                at: fields["min"]!, path: fields.path("min"))
            return nil
        }
        return (TrackedObjectConfig(kind: .process, name: name, weight: weight, minimum: minimum, maximum: maximum), nameNode)
    }
}
