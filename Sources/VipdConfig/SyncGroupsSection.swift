
extension ConfigReader {
    /// The `sync_groups` section: a mapping from group name to `instances` and `priority`. Checks what
    /// keepalived requires of a `vrrp_sync_group` (members that exist, each in one group only, two or
    /// more per group) and what the members need to move together: one `preempt` setting, and weight 0
    /// on every tracked object unless `priority: lowest`.
    ///
    /// - Parameters:
    ///   - instances: the valid `vrrp` instances.
    ///   - instanceNames: every `vrrp` entry's name, valid or not (a member that has errors of its own
    ///     is not reported again).
    func readSyncGroups(
        _ node: YAMLNode, path: String, instances: [VRRPInstanceConfig], instanceNames: [String]
    ) -> [SyncGroupConfig] {
        guard let entries = namedEntries(of: node, path: path) else { return [] }
        if instanceNames.isEmpty {
            report("sync_groups needs vrrp instances to group: add them under vrrp", at: node, path: path)
            return []
        }
        var groups: [SyncGroupConfig] = []
        var groupOf: [String: String] = [:]
        for entry in entries {
            let groupPath = Self.join(path, entry.name)
            guard let fields = fields(of: entry.value, path: groupPath, owner: entry.key.position, as: .syncGroup) else { continue }
            let priority: SyncGroupConfig.Priority? =
                fields["priority"].map { readChoice($0, path: fields.path("priority"), as: SyncGroupConfig.Priority.self) } ?? .own
            guard let membersNode = required("instances", in: fields), let priority,
                let members = readMembers(membersNode, path: fields.path("instances"), instanceNames: instanceNames)
            else { continue }
            var valid = true
            for member in members {
                if let other = groupOf[member.name] {
                    report(
                        "instance \"\(member.name)\" is already in sync group \"\(other)\": an instance can be in one sync group only",
                        at: member.node, path: member.path)
                    valid = false
                } else if priority == .own, let instance = instances.first(where: { $0.name == member.name }),
                    let weighted = instance.track.first(where: { $0.weight != 0 })
                {
                    report(
                        "\(member.name) tracks \(weighted.kind.rawValue) \(weighted.name) with weight \(weighted.weight): in a sync group with priority: own every tracked object of a member needs weight 0 (FAULT), since a weight would move this member alone and the group would not follow; use weight 0, or priority: lowest to let a weight move the whole group",
                        at: member.node, path: member.path)
                    valid = false
                }
            }
            let preempts = Set(members.compactMap { member in instances.first { $0.name == member.name }?.preempt })
            if preempts.count > 1 {
                let settings = members.compactMap { member in
                    instances.first { $0.name == member.name }.map { "\($0.name) has preempt: \($0.preempt)" }
                }
                report(
                    "the members of a sync group move together, so they must agree on preempt: \(settings.joined(separator: ", "))",
                    at: membersNode, path: fields.path("instances"))
                valid = false
            }
            guard valid else { continue }
            for member in members { groupOf[member.name] = entry.name }
            groups.append(SyncGroupConfig(name: entry.name, instances: members.map(\.name), priority: priority))
        }
        return groups
    }

    /// `instances`: two or more names of `vrrp` entries, each listed once.
    private func readMembers(
        _ node: YAMLNode, path: String, instanceNames: [String]
    ) -> [(name: String, node: YAMLNode, path: String)]? {
        guard case .sequence(let sequence) = node else {
            reportType(expected: "a list of vrrp instance names like [VI_1, VI_2]", got: node, path: path)
            return nil
        }
        var members: [(name: String, node: YAMLNode, path: String)] = []
        var valid = true
        for (index, item) in sequence.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let name = readString(item, path: itemPath) else {
                valid = false
                continue
            }
            if !instanceNames.contains(name) {
                let hint = closestMatch(to: name, among: instanceNames).map { " (did you mean \"\($0)\"?)" } ?? ""
                report("no vrrp instance named \"\(name)\"\(hint)", at: item, path: itemPath)
                valid = false
            } else if members.contains(where: { $0.name == name }) {
                report("\"\(name)\" is listed twice", at: item, path: itemPath)
                valid = false
            } else {
                members.append((name, item, itemPath))
            }
        }
        guard valid else { return nil }
        guard members.count >= 2 else {
            report("a sync group needs at least two instances: one alone already changes state on its own", at: node, path: path)
            return nil
        }
        return members
    }
}
