/// What a run of consecutive logins through the VIP must show, judged from the node that served each.
public enum LoginRotation {
    /// Why `served` (node names in login order) is not strict round robin over `nodes`: every node
    /// serves, and no node serves twice in a row. Nil when it is.
    public static func roundRobinProblem(served: [String], nodes: [String]) -> String? {
        if let missing = nodes.first(where: { !served.contains($0) }) {
            return "\(missing) served none of the \(served.count) logins (\(served.joined(separator: ", ")))"
        }
        for index in served.indices.dropFirst() where served[index] == served[index - 1] {
            return "logins \(index) and \(index + 1) were both served by \(served[index]) (\(served.joined(separator: ", ")))"
        }
        return nil
    }

    /// Why `served` is not all served by `node`. Nil when it is.
    public static func onlyProblem(served: [String], node: String) -> String? {
        guard let other = served.firstIndex(where: { $0 != node }) else { return nil }
        return "login \(other + 1) was served by \(served[other]) (\(served.joined(separator: ", ")))"
    }
}
