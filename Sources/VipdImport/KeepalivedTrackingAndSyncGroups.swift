import VipdConfig

/// A `vrrp_track_file` (or `track_file`) of keepalived.conf: the file and its default weight.
struct KeepalivedTrackedFile {
    var path: String
    /// keepalived's default is 1.
    var weight: Int
    var location: SourceLocation
}

/// A `vrrp_track_process`: the process name, its default weight and its counts.
struct KeepalivedTrackedProcess {
    var name: String
    /// keepalived's default is 0.
    var weight: Int
    /// `quorum` (default 1) and `quorum_max`.
    var minimum: Int
    var maximum: Int?
    var location: SourceLocation
}

/// A `vrrp_sync_group` as read from one file, before its members' tracking is settled.
struct KeepalivedSyncGroup {
    var config: SyncGroupConfig
    var location: SourceLocation
}

/// keepalived's `vrrp_track_file`, `vrrp_track_process` and `vrrp_sync_group`, and the instances'
/// `track_file` and `track_process`, translated to vipd's `track.files`, `track.processes` and
/// `sync_groups`.
extension KeepalivedTranslator {
    // MARK: Definitions

    /// `vrrp_track_file NAME { file PATH; weight W [reverse]; init_file … }` (also `track_file` at the top).
    mutating func readTrackFile(_ statement: KeepalivedStatement) {
        guard let name = statement.arguments.first else {
            ledger.list(statement.location, statement.text, "a \(statement.keyword) needs a name; not carried")
            return
        }
        var path: String?
        var weight = 1
        for child in statement.block ?? [] {
            switch child.keyword {
            case "file":
                path = value(child, "an absolute file path") { $0.hasPrefix("/") && !$0.hasSuffix("/") ? $0 : nil }
            case "weight":
                weight = readWeight(child, in: Int(Int32.min + 1)...Int(Int32.max)) ?? weight
            case "init_file":
                ledger.list(
                    child.location, child.text,
                    "vipd does not create or write the file; a missing file counts as 0, as in keepalived: create it at boot (for example with systemd-tmpfiles) when 0 is not the value to start with")
            default: ledger.list(child.location, child.text, "vipd has no such track_file setting; not carried")
            }
        }
        guard let path else {
            ledger.list(statement.location, statement.text, "a track_file needs an absolute file path (file); not carried")
            return
        }
        ledger.carry(statement.location)
        trackedFiles[name] = KeepalivedTrackedFile(path: path, weight: weight, location: statement.location)
    }

    /// `vrrp_track_process NAME { process NAME [ARGS]; weight W [reverse]; quorum N; quorum_max N; … }`.
    mutating func readTrackProcess(_ statement: KeepalivedStatement) {
        guard let name = statement.arguments.first else {
            ledger.list(statement.location, statement.text, "a vrrp_track_process needs a name; not carried")
            return
        }
        var process: String?
        var weight = 0
        var minimum = 1
        var maximum: Int?
        for child in statement.block ?? [] {
            switch child.keyword {
            case "process":
                guard let word = child.arguments.first, !word.isEmpty else {
                    ledger.list(child.location, child.text, "expected a process name; not carried")
                    continue
                }
                ledger.carry(child.location)
                process = word
                if child.words.count > 2 {
                    ledger.remark(
                        child.location, child.text,
                        "the parameters are not compared: vipd counts every process named \(word), whatever its arguments")
                }
            case "weight":
                weight = readWeight(child, in: -254...254) ?? weight
            case "quorum": minimum = value(child, "a count of at least 1", Self.integer(in: 1...Int(Int32.max))) ?? minimum
            case "quorum_max": maximum = value(child, "a count", Self.integer(in: 0...Int(Int32.max))) ?? maximum
            case "full_command":
                ledger.remark(
                    child.location, child.text,
                    "vipd compares the name with the process name and with its command's first word anyway (not the whole command line)")
                ledger.carry(child.location)
            case "delay", "fork_delay", "terminate_delay":
                ledger.list(
                    child.location, child.text,
                    "vipd counts the processes once a second and has no delay: a process gone and back within a second is not seen, one gone longer is")
            case "param_match":
                ledger.list(child.location, child.text, "vipd does not compare parameters; not carried")
            default: ledger.list(child.location, child.text, "vipd has no such vrrp_track_process setting; not carried")
            }
        }
        guard let process else {
            ledger.list(statement.location, statement.text, "a vrrp_track_process needs a process; not carried")
            return
        }
        if let maximum, maximum < minimum {
            ledger.list(statement.location, statement.text, "quorum_max \(maximum) is below quorum \(minimum); not carried")
            return
        }
        ledger.carry(statement.location)
        trackedProcesses[name] = KeepalivedTrackedProcess(
            name: process, weight: weight, minimum: minimum, maximum: maximum, location: statement.location)
    }

    /// `weight W [reverse]`: W within `range`; a `reverse` is remarked (vipd has none).
    private mutating func readWeight(_ line: KeepalivedStatement, in range: ClosedRange<Int>) -> Int? {
        guard let word = line.arguments.first, let weight = Int(word), range.contains(weight) else {
            ledger.list(line.location, line.text, "expected a weight \(range.lowerBound) to \(range.upperBound); not carried")
            return nil
        }
        ledger.carry(line.location)
        if line.words.count > 2, line.words[2] != "noreverse" {
            ledger.remark(line.location, line.text, "\"\(line.words.dropFirst(2).joined(separator: " "))\" not carried: vipd has no reverse weights")
        }
        return weight
    }

    // MARK: Tracking in an instance or a group

    /// `track_file { NAME [weight W] }` and `track_process { NAME [weight W] }` inside an instance or
    /// a sync group, as vipd's tracked objects.
    mutating func trackedObjects(_ block: KeepalivedStatement) -> [TrackedObjectConfig] {
        var objects: [TrackedObjectConfig] = []
        for line in block.block ?? [] {
            let defaultWeight: Int
            let make: (Int) -> TrackedObjectConfig
            if block.keyword == "track_file", let file = trackedFiles[line.keyword] {
                defaultWeight = file.weight
                make = { TrackedObjectConfig(kind: .file, name: file.path, weight: $0) }
            } else if block.keyword == "track_process", let process = trackedProcesses[line.keyword] {
                defaultWeight = process.weight
                make = {
                    TrackedObjectConfig(kind: .process, name: process.name, weight: $0, minimum: process.minimum, maximum: process.maximum)
                }
            } else {
                let kind = block.keyword == "track_file" ? "track_file" : "vrrp_track_process"
                ledger.list(line.location, line.text, "no \(kind) named \(line.keyword) was carried")
                continue
            }
            guard let weight = line.words.count > 1 ? trackWeight(line) : defaultWeight else { continue }
            guard (-254...254).contains(weight) else {
                ledger.list(line.location, line.text, "weight \(weight) is outside vipd's -254 to 254; not carried")
                continue
            }
            ledger.carry(line.location)
            let object = make(weight)
            if !objects.contains(where: { $0.kind == object.kind && $0.name == object.name }) { objects.append(object) }
        }
        return objects
    }

    // MARK: vrrp_sync_group

    /// `vrrp_sync_group NAME { group { INSTANCE… } track_* { … } sync_group_tracking_weight notify… }`,
    /// read after the instances it names. keepalived's rules for members' tracking are applied: where
    /// weights may not move the group (no `sync_group_tracking_weight`), a weighted interface or a
    /// file with the default weight becomes weight 0 and other weighted trackers are dropped, as
    /// keepalived ignores them; where they may, or when the group itself tracks with weights, the
    /// group gets `priority: lowest`.
    mutating func readSyncGroup(_ statement: KeepalivedStatement) {
        guard let name = statement.arguments.first else {
            ledger.list(statement.location, statement.text, "a vrrp_sync_group needs a name; not carried")
            return
        }
        var members: [String] = []
        var groupTracking: [TrackedObjectConfig] = []
        var weightsMoveTheGroup = false
        for child in statement.block ?? [] {
            switch child.keyword {
            case "group":
                ledger.carry(child.location)
                for line in child.block ?? [] {
                    let instance = line.keyword
                    if !result.instances.contains(where: { $0.config.name == instance }) {
                        ledger.list(line.location, line.text, "no vrrp_instance named \(instance) was carried; not a member")
                    } else if let other = result.syncGroups.first(where: { $0.config.instances.contains(instance) }) {
                        ledger.list(
                            line.location, line.text,
                            "\(instance) is in sync group \(other.config.name) already (keepalived ignores it here too)")
                    } else if !members.contains(instance) {
                        ledger.carry(line.location)
                        members.append(instance)
                    }
                }
            case "track_interface", "track_script", "track_file", "track_process":
                ledger.carry(child.location)
                var scratch = VRRPInstanceConfig(name: name, interface: "", virtualRouterID: 1, virtualAddresses: [])
                switch child.keyword {
                case "track_interface": readTrackedInterfaces(child, into: &scratch)
                case "track_script": readTrackedScripts(child, into: &scratch)
                default: scratch.track = trackedObjects(child)
                }
                groupTracking += scratch.track
            case "sync_group_tracking_weight", "global_tracking":
                ledger.carry(child.location)
                weightsMoveTheGroup = true
                ledger.remark(
                    child.location, child.text,
                    "carried as priority: lowest: every member advertises the lowest of the members' priorities, so a weight on any member moves the whole group (keepalived lets each member's weight change its own priority)")
            case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify", "notify_deleted":
                ledger.list(
                    child.location, child.text,
                    "vipd runs notify commands per instance (vrrp.NAME.notify); move the command to the members' notify")
            case "smtp_alert": ledger.list(child.location, child.text, "vipd sends no mail; use a notify command instead")
            case "track_bfd": ledger.list(child.location, child.text, "vipd does not track BFD sessions")
            default: ledger.list(child.location, child.text, "vipd has no such sync group setting; not carried")
            }
        }
        guard members.count >= 2 else {
            ledger.list(
                statement.location, statement.text,
                "a vipd sync group needs two or more carried instances (found: \(members.isEmpty ? "none" : members.joined(separator: ", "))); not carried")
            return
        }
        ledger.carry(statement.location)
        let lowest = weightsMoveTheGroup || groupTracking.contains { $0.weight != 0 }
        if lowest && !weightsMoveTheGroup {
            ledger.remark(
                statement.location, statement.text,
                "the group's own trackers with weights apply to every member: carried as priority: lowest with the trackers on each member")
        }
        for index in result.instances.indices where members.contains(result.instances[index].config.name) {
            var instance = result.instances[index].config
            for object in groupTracking where !instance.track.contains(where: { $0.kind == object.kind && $0.name == object.name }) {
                instance.track.append(object)
            }
            if !lowest { instance.track = ignoreWeights(of: instance, group: name, at: statement) }
            result.instances[index].config = instance
        }
        result.syncGroups.append(
            KeepalivedSyncGroup(
                config: SyncGroupConfig(name: name, instances: members, priority: lowest ? .lowest : .own),
                location: statement.location))
    }

    /// keepalived's handling of a sync group member's weighted trackers when weights may not move the
    /// group: an interface, or a file with the default weight 1, is tracked with weight 0; any other
    /// weighted tracker is ignored. Remarked at the group.
    private mutating func ignoreWeights(of instance: VRRPInstanceConfig, group: String, at statement: KeepalivedStatement)
        -> [TrackedObjectConfig]
    {
        var kept: [TrackedObjectConfig] = []
        var changes: [String] = []
        for object in instance.track {
            guard object.weight != 0 else {
                kept.append(object)
                continue
            }
            if object.kind == .interface || (object.kind == .file && object.weight == 1) {
                var unweighted = object
                unweighted.weight = 0
                kept.append(unweighted)
                changes.append("\(object.kind.rawValue) \(object.name) weight \(object.weight) becomes weight 0 (FAULT while it fails)")
            } else {
                changes.append("\(object.kind.rawValue) \(object.name) with weight \(object.weight) is not carried")
            }
        }
        if !changes.isEmpty {
            ledger.remark(
                statement.location, statement.text,
                "\(instance.name): keepalived ignores the weights of a sync group member's trackers (without sync_group_tracking_weight), and so does vipd: \(changes.joined(separator: "; "))")
        }
        return kept
    }
}
