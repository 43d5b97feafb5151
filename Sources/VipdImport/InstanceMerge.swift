import VipdConfig

/// One vipd instance set from several nodes' keepalived files (pure).
///
/// vipd runs the same file on every node, so an instance has one set of settings: the first file's
/// wins and every difference in a later file is remarked. Per-node values (`priority`, `state`,
/// source addresses) are not compared; `nopreempt` on any node makes the instance `preempt: false`.
enum InstanceMerge {
    /// The instances, scripts and sync groups of all files, with YAML comments by key path.
    static func merge(_ files: [KeepalivedFileTranslation], ledger: inout ImportLedger)
        -> (
            instances: [VRRPInstanceConfig], scripts: [TrackScriptConfig], syncGroups: [SyncGroupConfig],
            comments: [String: [String]]
        )
    {
        var instances: [(config: VRRPInstanceConfig, origin: KeepalivedInstance)] = []
        var nopreempt: [String: [SourceLocation]] = [:]
        var seenIn: [String: Int] = [:]
        var comments: [String: [String]] = [:]
        for file in files {
            for instance in file.instances {
                let name = instance.config.name
                comments["vrrp.\(name)", default: []].append("\(instance.location) vrrp_instance \(name)")
                seenIn[name, default: 0] += 1
                if let location = instance.nopreempt { nopreempt[name, default: []].append(location) }
                guard let base = instances.first(where: { $0.config.name == name }) else {
                    instances.append((instance.config, instance))
                    if file.file != files.first?.file {
                        ledger.remark(instance.location, "vrrp_instance \(name)", "only in this file; vipd runs it on every node")
                    }
                    continue
                }
                let differences = differingFields(base.config, instance.config)
                if !differences.isEmpty {
                    ledger.remark(
                        instance.location, "vrrp_instance \(name)",
                        "\(differences.joined(separator: ", ")) differ from \(base.origin.location); vipd runs one setting on every node: that file's is kept")
                }
            }
        }
        for index in instances.indices {
            let name = instances[index].config.name
            guard let locations = nopreempt[name] else { continue }
            instances[index].config.preempt = false
            if locations.count < seenIn[name, default: 0] {
                for location in locations {
                    ledger.remark(
                        location, "nopreempt",
                        "in some nodes' files only; vipd's preempt: false applies to the whole instance: a node that comes back never takes the VIP from the one holding it")
                }
            }
        }
        var scripts: [(config: TrackScriptConfig, location: SourceLocation)] = []
        for (config, location) in files.flatMap(\.scripts) {
            if let base = scripts.first(where: { $0.config.name == config.name }) {
                if base.config != config {
                    ledger.remark(location, "vrrp_script \(config.name)", "differs from \(base.location); vipd runs one script on every node: that file's is kept")
                }
            } else {
                scripts.append((config, location))
                comments["track_scripts.\(config.name)"] =
                    ["\(location) vrrp_script \(config.name)"]
                    + (HAProxyLivenessCheck.namesHAProxy(config.command) ? [HAProxyLivenessCheck.stillNamesHAProxy] : [])
            }
        }
        let syncGroups = mergeSyncGroups(files, instances: &instances, comments: &comments, ledger: &ledger)
        for index in instances.indices { instances[index].config.track = inReadingOrder(instances[index].config.track) }
        return (instances.map(\.config), scripts.map(\.config), syncGroups, comments)
    }

    /// The sync groups of all files (the first file's version of each; a later different one is
    /// remarked), with members that disagree on `nopreempt` all set to `preempt: false`: vipd's
    /// members move together.
    private static func mergeSyncGroups(
        _ files: [KeepalivedFileTranslation], instances: inout [(config: VRRPInstanceConfig, origin: KeepalivedInstance)],
        comments: inout [String: [String]], ledger: inout ImportLedger
    ) -> [SyncGroupConfig] {
        var groups: [KeepalivedSyncGroup] = []
        for group in files.flatMap(\.syncGroups) {
            if let base = groups.first(where: { $0.config.name == group.config.name }) {
                if base.config != group.config {
                    ledger.remark(
                        group.location, "vrrp_sync_group \(group.config.name)",
                        "differs from \(base.location); vipd runs one group on every node: that file's is kept")
                }
            } else if groups.contains(where: { !Set($0.config.instances).isDisjoint(with: group.config.instances) }) {
                ledger.list(
                    group.location, "vrrp_sync_group \(group.config.name)",
                    "shares an instance with a sync group of another file; an instance can be in one group only: not carried")
            } else {
                groups.append(group)
                comments["sync_groups.\(group.config.name)"] = ["\(group.location) vrrp_sync_group \(group.config.name)"]
            }
        }
        for group in groups {
            let members = instances.indices.filter { group.config.instances.contains(instances[$0].config.name) }
            guard Set(members.map { instances[$0].config.preempt }).count > 1 else { continue }
            for index in members { instances[index].config.preempt = false }
            ledger.remark(
                group.location, "vrrp_sync_group \(group.config.name)",
                "its members differ in nopreempt; vipd's members move together and share one setting: preempt: false for all of them")
        }
        return groups.map(\.config)
    }

    /// `track` in the order vipd's loader reads it back (interfaces, pools, scripts, files, processes),
    /// each kind in the order found.
    private static func inReadingOrder(_ track: [TrackedObjectConfig]) -> [TrackedObjectConfig] {
        let order: [TrackedObjectConfig.Kind] = [.interface, .pool, .script, .file, .process]
        return order.flatMap { kind in track.filter { $0.kind == kind } }
    }

    /// The names of the shared settings in which two nodes' versions of one instance differ.
    static func differingFields(_ lhs: VRRPInstanceConfig, _ rhs: VRRPInstanceConfig) -> [String] {
        var fields: [String] = []
        if lhs.interface != rhs.interface { fields.append("interface") }
        if lhs.virtualRouterID != rhs.virtualRouterID { fields.append("virtual_router_id") }
        if lhs.version != rhs.version { fields.append("version") }
        if lhs.advertisementInterval != rhs.advertisementInterval { fields.append("advert_int") }
        if lhs.preemptDelay != rhs.preemptDelay { fields.append("preempt_delay") }
        if lhs.unicast != rhs.unicast { fields.append("unicast_peer") }
        if lhs.password != rhs.password { fields.append("authentication") }
        if lhs.virtualAddresses != rhs.virtualAddresses { fields.append("virtual_ipaddress") }
        if lhs.track != rhs.track { fields.append("track_interface/track_script") }
        if lhs.announcements != rhs.announcements { fields.append("garp settings") }
        if lhs.notify != rhs.notify { fields.append("notify commands") }
        return fields
    }
}
