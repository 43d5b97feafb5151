import VipdConfig
import VipdCore

/// Translates one keepalived.conf into vipd VRRP instances and track scripts (pure).
///
/// A `vrrp_script` that only checks that haproxy runs is not carried: vipd's proxy and VRRP speaker are
/// one process, so the adverts stop when the proxy stops. Its non-zero weight moves to tracking vipd's
/// own pools (`track.pools`), the nearest equivalent of "this node's proxy can serve".
struct KeepalivedTranslator {
    let config: KeepalivedConfig
    var ledger: ImportLedger
    /// The pools vipd will have, for tracking them instead of haproxy checks.
    let poolNames: [String]
    var result: KeepalivedFileTranslation
    /// Global defaults for instances (`vrrp_version`, `vrrp_garp_*` in `global_defs`).
    private var defaultVersion: Int?
    private var defaultGARP = AnnouncementConfig(count: 5, interval: .zero, repeatAfter: .seconds(5))
    /// `vrrp_script` names with their default weight, and whether they only check haproxy.
    private var scriptWeights: [String: (weight: Int, checksHAProxy: Bool, location: SourceLocation)] = [:]
    /// `vrrp_track_file` and `vrrp_track_process` definitions by name.
    var trackedFiles: [String: KeepalivedTrackedFile] = [:]
    var trackedProcesses: [String: KeepalivedTrackedProcess] = [:]

    init(config: KeepalivedConfig, ledger: ImportLedger, poolNames: [String]) {
        self.config = config
        self.ledger = ledger
        self.poolNames = poolNames
        result = KeepalivedFileTranslation(file: config.file)
    }

    /// The instances and scripts of the file; everything else is listed.
    mutating func translate() -> KeepalivedFileTranslation {
        for statement in config.statements where statement.keyword == "global_defs" { readGlobalDefs(statement) }
        for statement in config.statements where statement.keyword == "vrrp_script" { readScript(statement) }
        for statement in config.statements where ["vrrp_track_file", "track_file"].contains(statement.keyword) {
            readTrackFile(statement)
        }
        for statement in config.statements where statement.keyword == "vrrp_track_process" { readTrackProcess(statement) }
        for statement in config.statements {
            switch statement.keyword {
            case "global_defs", "vrrp_script", "vrrp_track_file", "track_file", "vrrp_track_process", "vrrp_sync_group",
                "virtual_server", "virtual_server_group":
                continue
            case "vrrp_instance": readInstance(statement)
            default:
                ledger.list(statement.location, statement.text, KeepalivedKeywordReasons.global(statement))
                (statement.block ?? []).flatMap(\.flattened).forEach { ledger.carry($0.location) }
            }
        }
        for statement in config.statements where statement.keyword == "vrrp_sync_group" { readSyncGroup(statement) }
        return result
    }

    // MARK: Values

    /// keepalived's seconds, whole or decimal (`1`, `0.5`), as a duration to the millisecond; nil
    /// when malformed, negative, or longer than 64 bits of milliseconds hold.
    static func seconds(_ text: String) -> Duration? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = Int64(parts[0]), whole >= 0, whole < Int64.max / 1000 else { return nil }
        var milliseconds = whole * 1000
        if parts.count == 2 {
            let fraction = parts[1].prefix(3)
            guard !fraction.isEmpty, fraction.allSatisfy(\.isNumber), let value = Int64(fraction) else { return nil }
            milliseconds += value * Int64([1, 100, 10, 1][fraction.count])
        }
        return .milliseconds(milliseconds)
    }

    /// The single argument of `statement` read with `parse` (see `ImportLedger.argument`).
    mutating func value<T>(_ statement: KeepalivedStatement, _ what: String, _ parse: (String) -> T?) -> T? {
        ledger.argument(of: statement, what, parse)
    }

    private mutating func remarkExtraWords(_ statement: KeepalivedStatement, after count: Int) {
        ledger.remarkExtraWords(statement, after: count)
    }

    /// A reader of whole numbers within `range`.
    static func integer(in range: ClosedRange<Int>) -> (String) -> Int? {
        { Int($0).flatMap { range.contains($0) ? $0 : nil } }
    }

    // MARK: global_defs and vrrp_script

    private mutating func readGlobalDefs(_ statement: KeepalivedStatement) {
        ledger.carry(statement.location)
        for child in statement.block ?? [] {
            switch child.keyword {
            case "router_id":
                if let name = child.arguments.first { result.routerID = (name, child.location) }
            case "vrrp_version": defaultVersion = value(child, "2 or 3", Self.integer(in: 2...3))
            case "vrrp_garp_master_delay":
                defaultGARP.repeatAfter = value(child, "seconds", Self.seconds) ?? defaultGARP.repeatAfter
            case "vrrp_garp_master_repeat":
                defaultGARP.count = value(child, "a count 0-100", Self.integer(in: 0...100)) ?? defaultGARP.count
            case "vrrp_garp_interval":
                defaultGARP.interval = value(child, "seconds", Self.seconds) ?? defaultGARP.interval
            case "vrrp_garp_master_refresh": defaultGARP.refresh = refreshPeriod(child) ?? defaultGARP.refresh
            case "vrrp_garp_master_refresh_repeat":
                defaultGARP.refreshCount = value(child, "a count 1-100", Self.integer(in: 1...100)) ?? defaultGARP.refreshCount
            default:
                ledger.list(child.location, child.text, KeepalivedKeywordReasons.global(child))
                (child.block ?? []).flatMap(\.flattened).forEach { ledger.carry($0.location) }
            }
        }
    }

    private mutating func readScript(_ statement: KeepalivedStatement) {
        guard let name = statement.arguments.first else {
            ledger.list(statement.location, statement.text, "a vrrp_script needs a name; not carried")
            return
        }
        var command: String?
        var interval = Duration.seconds(1)
        var timeout: Duration?
        var fall = 1
        var rise = 1
        var weight = 0
        let wholeSeconds = { (text: String) in Int64(text).flatMap { $0 >= 0 ? Duration.seconds(max($0, 1)) : nil } }
        for child in statement.block ?? [] {
            switch child.keyword {
            case "script":
                command = child.words.dropFirst().joined(separator: " ")
                ledger.carry(child.location)
            case "interval": interval = value(child, "whole seconds", wholeSeconds) ?? interval
            case "timeout": timeout = value(child, "whole seconds", wholeSeconds) ?? timeout
            case "fall": fall = value(child, "a count of at least 1", Self.integer(in: 1...Int.max)) ?? fall
            case "rise": rise = value(child, "a count of at least 1", Self.integer(in: 1...Int.max)) ?? rise
            case "weight":
                weight = value(child, "a weight -253 to 253", Self.integer(in: -253...253)) ?? weight
                if child.words.count > 2 { ledger.remark(child.location, child.text, "\"reverse\" not carried: vipd has no reverse weights") }
            case "user": ledger.list(child.location, child.text, "vipd runs track scripts as its own user")
            case "init_fail": ledger.list(child.location, child.text, "vipd starts a script as failing until it passes rise times anyway")
            default: ledger.list(child.location, child.text, "vipd has no such vrrp_script setting; not carried")
            }
        }
        guard let command, !command.isEmpty else {
            ledger.list(statement.location, statement.text, "a vrrp_script needs a script; not carried")
            return
        }
        let checksHAProxy = HAProxyLivenessCheck.matches(command)
        scriptWeights[name] = (weight, checksHAProxy, statement.location)
        if checksHAProxy {
            let instead =
                weight == 0
                ? "nothing replaces it (add track.pools with a negative weight to move the VIP when this node reaches no server)"
                : "instances that track it track vipd's pools with weight \(weight) instead (track.pools)"
            ledger.list(
                statement.location, statement.text,
                "not carried: it only checks that haproxy runs; vipd is the proxy and the VRRP speaker in one process, so the adverts stop when the proxy stops; \(instead)")
            return
        }
        ledger.carry(statement.location)
        if HAProxyLivenessCheck.namesHAProxy(command) {
            ledger.remark(statement.location, statement.text, HAProxyLivenessCheck.stillNamesHAProxy)
        }
        let script = TrackScriptConfig(name: name, command: command, interval: interval, timeout: timeout ?? interval, fall: fall, rise: rise)
        result.scripts.append((script, statement.location))
    }

    // MARK: vrrp_instance

    private mutating func readInstance(_ statement: KeepalivedStatement) {
        guard let name = statement.arguments.first else {
            ledger.list(statement.location, statement.text, "a vrrp_instance needs a name; not carried")
            return
        }
        var settings = VRRPInstanceConfig(name: name, interface: "", virtualRouterID: 0, virtualAddresses: [], announcements: defaultGARP)
        var instance = KeepalivedInstance(config: settings, location: statement.location)
        var version: Int?
        var authentication: KeepalivedStatement?
        var addressLines: [KeepalivedStatement] = []
        for child in statement.block ?? [] {
            switch child.keyword {
            case "state":
                _ = value(child, "MASTER or BACKUP") { ["MASTER", "BACKUP"].contains($0) ? $0 : nil }
            case "interface": settings.interface = value(child, "an interface name") { $0 } ?? ""
            case "virtual_router_id": settings.virtualRouterID = value(child, "a VRID 1-255", Self.integer(in: 1...255)) ?? 0
            case "priority":
                instance.priority = value(child, "a priority 1-255", Self.integer(in: 1...255)) ?? instance.priority
            case "advert_int": settings.advertisementInterval = value(child, "seconds", Self.seconds) ?? settings.advertisementInterval
            case "version": version = value(child, "2 or 3", Self.integer(in: 2...3))
            case "nopreempt":
                ledger.carry(child.location)
                instance.nopreempt = child.location
            case "preempt": ledger.carry(child.location)
            case "preempt_delay": settings.preemptDelay = value(child, "seconds", Self.seconds) ?? settings.preemptDelay
            case "authentication": authentication = child
            case "virtual_ipaddress":
                ledger.carry(child.location)
                addressLines = child.block ?? []
            case "track_interface":
                ledger.carry(child.location)
                readTrackedInterfaces(child, into: &settings)
            case "track_script":
                ledger.carry(child.location)
                readTrackedScripts(child, into: &settings)
            case "track_file", "track_process":
                ledger.carry(child.location)
                for object in trackedObjects(child)
                where !settings.track.contains(where: { $0.kind == object.kind && $0.name == object.name }) {
                    settings.track.append(object)
                }
            case "unicast_src_ip", "mcast_src_ip":
                if let address = value(child, "an address", IPAddress.init) { instance.sourceAddress = (address, child.location) }
            case "unicast_peer":
                ledger.carry(child.location)
                settings.unicast = true
                for peer in child.block ?? [] {
                    guard let address = IPAddress(peer.keyword) else {
                        ledger.list(peer.location, peer.text, "expected an address; not carried")
                        continue
                    }
                    ledger.carry(peer.location)
                    remarkExtraWords(peer, after: 1)
                    instance.peers.append((address, peer.location))
                }
            case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify":
                readNotify(child, into: &settings.notify)
            case "garp_master_delay": settings.announcements.repeatAfter = value(child, "seconds", Self.seconds) ?? settings.announcements.repeatAfter
            case "garp_master_repeat":
                settings.announcements.count = value(child, "a count 0-100", Self.integer(in: 0...100)) ?? settings.announcements.count
            case "garp_interval": settings.announcements.interval = value(child, "seconds", Self.seconds) ?? settings.announcements.interval
            case "garp_master_refresh": settings.announcements.refresh = refreshPeriod(child) ?? settings.announcements.refresh
            case "garp_master_refresh_repeat":
                settings.announcements.refreshCount =
                    value(child, "a count 1-100", Self.integer(in: 1...100)) ?? settings.announcements.refreshCount
            default:
                ledger.list(child.location, child.text, KeepalivedKeywordReasons.instance(child))
                (child.block ?? []).flatMap(\.flattened).forEach { ledger.carry($0.location) }
            }
        }
        settings.virtualAddresses = readAddresses(addressLines, interface: settings.interface)
        guard !settings.interface.isEmpty, settings.virtualRouterID != 0, !settings.virtualAddresses.isEmpty else {
            ledger.list(
                statement.location, statement.text,
                "needs interface, virtual_router_id and at least one virtual_ipaddress; the instance is not carried")
            return
        }
        ledger.carry(statement.location)
        settings.version = version ?? defaultVersion ?? (settings.family == .v6 ? 3 : 2)
        if settings.version == 2, settings.advertisementInterval != .seconds(settings.advertisementInterval.components.seconds) {
            let rounded = Duration.seconds(max(1, settings.advertisementInterval.components.seconds + 1))
            ledger.remark(
                statement.location, statement.text,
                "VRRPv2 carries whole seconds: advert_interval \(rounded.configText) (use version 3 for sub-second adverts)")
            settings.advertisementInterval = rounded
        }
        if let authentication { settings.password = readPassword(authentication, version: settings.version) }
        instance.config = settings
        result.instances.append(instance)
    }

    /// `garp_master_refresh SECONDS` (or `vrrp_garp_master_refresh` in `global_defs`) as `garp.refresh`:
    /// `.some(nil)` for 0 (off), nil when malformed (listed). keepalived sends the refresh with the
    /// first advert after the period; vipd on the period, counted from becoming master; both at
    /// least a second apart.
    private mutating func refreshPeriod(_ statement: KeepalivedStatement) -> Duration?? {
        guard let period = value(statement, "seconds", Self.seconds) else { return nil }
        if period == .zero { return .some(nil) }
        if period < .seconds(1) {
            ledger.remark(statement.location, statement.text, "keepalived counts it in whole seconds: garp.refresh 1s")
            return .seconds(1)
        }
        ledger.remark(
            statement.location, statement.text,
            "carried as garp.refresh \(period.configText): vipd announces every \(period.configText) from becoming master, keepalived with the first advert after it")
        return period
    }

    /// `virtual_ipaddress` lines: `ADDRESS[/LENGTH] [dev IF] [other options]`.
    private mutating func readAddresses(_ lines: [KeepalivedStatement], interface: String) -> [IPPrefix] {
        var prefixes: [IPPrefix] = []
        for line in lines {
            guard let prefix = IPPrefix(parsing: line.keyword), !prefixes.contains(where: { $0.address == prefix.address }) else {
                ledger.list(line.location, line.text, "not an address vipd can carry (ADDRESS/LENGTH, listed once)")
                continue
            }
            ledger.carry(line.location)
            prefixes.append(prefix)
            var options = Array(line.arguments)
            if options.count >= 2, options[0] == "dev", options[1] == interface { options.removeFirst(2) }
            if !options.isEmpty {
                ledger.remark(
                    line.location, line.text,
                    "\"\(options.joined(separator: " "))\" not carried: vipd adds the address to the instance's interface (\(interface)) with no further options")
            }
        }
        return prefixes
    }

    /// `authentication { auth_type PASS; auth_pass SECRET }`: the first 8 bytes, as keepalived sends them.
    /// The secret never appears in a message.
    private mutating func readPassword(_ block: KeepalivedStatement, version: Int) -> String? {
        ledger.carry(block.location)
        let children = block.block ?? []
        let type = children.first { $0.keyword == "auth_type" }
        let pass = children.first { $0.keyword == "auth_pass" }
        for child in children where child.keyword != "auth_type" && child.keyword != "auth_pass" {
            ledger.list(child.location, child.text, "vipd's authentication has a password only")
        }
        guard version == 2 else {
            children.forEach { ledger.list($0.location, $0.keyword, "VRRPv3 has no authentication (RFC 5798); not carried") }
            return nil
        }
        guard let type, type.arguments.first == "PASS", let pass, let secret = pass.arguments.first, !secret.isEmpty else {
            children.forEach { ledger.list($0.location, $0.keyword, "vipd carries auth_type PASS with an auth_pass only; no authentication") }
            return nil
        }
        ledger.carry(type.location)
        ledger.carry(pass.location)
        let bytes = Array(secret.utf8)
        guard bytes.count > 8 else { return secret }
        ledger.remark(
            pass.location, "auth_pass",
            "\(bytes.count) bytes long; keepalived sends only the first 8, so vipd's password is those 8 bytes (interoperable)")
        return String(decoding: bytes.prefix(8), as: UTF8.self)
    }

    /// `track_interface { IF [weight W] }`.
    mutating func readTrackedInterfaces(_ block: KeepalivedStatement, into settings: inout VRRPInstanceConfig) {
        for line in block.block ?? [] {
            guard let weight = trackWeight(line) else { continue }
            settings.track.append(TrackedObjectConfig(kind: .interface, name: line.keyword, weight: weight))
        }
    }

    /// `track_script { NAME [weight W] }`; a haproxy check becomes tracking of every pool.
    mutating func readTrackedScripts(_ block: KeepalivedStatement, into settings: inout VRRPInstanceConfig) {
        for line in block.block ?? [] {
            guard let script = scriptWeights[line.keyword] else {
                ledger.list(line.location, line.text, "no vrrp_script named \(line.keyword) was carried")
                continue
            }
            let explicit = line.words.count > 1
            guard let weight = explicit ? trackWeight(line) : script.weight else { continue }
            ledger.carry(line.location)
            guard script.checksHAProxy else {
                settings.track.append(TrackedObjectConfig(kind: .script, name: line.keyword, weight: weight))
                continue
            }
            guard weight != 0 else { continue }
            for pool in poolNames where !settings.track.contains(where: { $0.kind == .pool && $0.name == pool }) {
                settings.track.append(TrackedObjectConfig(kind: .pool, name: pool, weight: weight))
            }
            ledger.remark(
                line.location, line.text,
                "replaced by tracking vipd's pools (\(poolNames.joined(separator: ", "))) with weight \(weight); see \(script.location)")
        }
    }

    /// The weight of a tracked object line (`ens256 weight -20`); 0 without one; nil (listed) when malformed.
    mutating func trackWeight(_ line: KeepalivedStatement) -> Int? {
        let words = line.words
        if words.count == 1 {
            ledger.carry(line.location)
            return 0
        }
        guard words.count >= 3, words[1] == "weight", let weight = Int(words[2]), (-254...254).contains(weight) else {
            ledger.list(line.location, line.text, "expected NAME or NAME weight W (-254 to 254); not carried")
            return nil
        }
        ledger.carry(line.location)
        if words.count > 3 { ledger.remark(line.location, line.text, "\"\(words.dropFirst(3).joined(separator: " "))\" not carried: vipd has no reverse weights") }
        return weight
    }

    /// `notify_master "CMD" [user [group]]` and the others; `notify` becomes `notify.any`.
    private mutating func readNotify(_ statement: KeepalivedStatement, into notify: inout NotifyConfig) {
        guard let command = statement.arguments.first, !command.isEmpty else {
            ledger.list(statement.location, statement.text, "expected a command; not carried")
            return
        }
        ledger.carry(statement.location)
        switch statement.keyword {
        case "notify_master": notify.master = command
        case "notify_backup": notify.backup = command
        case "notify_fault": notify.fault = command
        case "notify_stop": notify.stop = command
        default:
            notify.any = command
            ledger.remark(
                statement.location, statement.text,
                "carried as notify.any: vipd passes the instance, state and priority in VIPD_INSTANCE, VIPD_STATE and VIPD_PRIORITY instead of the arguments $1-$4; adapt the script")
        }
        if statement.words.count > 2 {
            ledger.remark(statement.location, statement.text, "the user and group are not carried: vipd runs notify commands as its own user")
        }
    }
}
