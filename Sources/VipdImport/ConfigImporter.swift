import VipdConfig

/// What `vipd import` produces: the vipd.yaml text, the configuration it holds, and the report.
public struct ImportResult: Sendable, Equatable {
    /// vipd.yaml, valid for `ConfigLoader`.
    public var yaml: String
    /// The configuration `yaml` loads as.
    public var configuration: VipdConfiguration
    /// Every directive not carried as it is, and every inferred value, in file order.
    public var notes: [ImportNote]
}

/// Translates an existing haproxy.cfg and the keepalived.conf of one or more nodes, or either alone,
/// into one vipd.yaml (pure: the caller reads the files).
public enum ConfigImporter {
    /// Translates the files. `keepalived` holds one file per node, in the order of the nodes (see
    /// `ClusterInference`); its `virtual_server`s become listeners and pools beside haproxy.cfg's;
    /// `nodes` names the nodes when the files do not tell their addresses; `readFile` reads a page
    /// haproxy.cfg names (the sorry page), which vipd.yaml then names too.
    /// Throws on input that cannot be read (syntax errors) and when the result would not be a valid
    /// vipd configuration (no file, no listener, no node address).
    public static func translate(
        haproxy: SourceText?, keepalived: [SourceText] = [], nodes explicitNodes: [NodeAddress] = [],
        readFile: @escaping (String) throws -> [UInt8] = { try ConfigLoader.readFile($0) }
    ) throws(ImportError) -> ImportResult {
        guard haproxy != nil || !keepalived.isEmpty else {
            throw ImportError(at: nil, "nothing to import: give --haproxy haproxy.cfg, --keepalived keepalived.conf, or both")
        }
        var haproxyConfig: HAProxyConfig?
        if let haproxy { haproxyConfig = try HAProxyConfigParser.parse(haproxy) }
        var keepalivedConfigs: [KeepalivedConfig] = []
        for source in keepalived { keepalivedConfigs.append(try KeepalivedConfigParser.parse(source)) }

        var ledger = ImportLedger()
        var proxy = HAProxyTranslation()
        if let haproxyConfig {
            var translator = HAProxyTranslator(config: haproxyConfig, ledger: ledger, readFile: readFile)
            proxy = translator.translate()
            ledger = translator.ledger
        }
        var virtualServers = KeepalivedVirtualServers()
        for config in keepalivedConfigs {
            var translator = KeepalivedVirtualServerTranslator(config: config, ledger: ledger)
            let servers = translator.translate()
            ledger = translator.ledger
            virtualServers.add(servers, besides: proxy, ledger: &ledger)
        }
        let listeners = proxy.listeners + virtualServers.listeners
        let pools = proxy.pools + virtualServers.pools
        guard !listeners.isEmpty else {
            throw noListener(haproxy: haproxy, keepalived: keepalivedConfigs, ledger: ledger)
        }
        var files: [KeepalivedFileTranslation] = []
        for config in keepalivedConfigs {
            var fileTranslator = KeepalivedTranslator(config: config, ledger: ledger, poolNames: pools.map(\.name))
            files.append(fileTranslator.translate())
            ledger = fileTranslator.ledger
        }
        var comments = proxy.comments
        comments.merge(virtualServers.comments) { $0 + $1 }
        var nodes: [ClusterNode] = []
        let merged = InstanceMerge.merge(files, ledger: &ledger)
        comments.merge(merged.comments) { $0 + $1 }
        if !merged.instances.isEmpty {
            let inference = ClusterInference(files: files, haproxy: proxy, explicit: explicitNodes)
            let cluster = try inference.infer(ledger: &ledger)
            nodes = cluster.nodes
            comments["cluster.nodes"] = cluster.comments
        }
        var statsTranslator = HAProxyStatsTranslator(nodes: nodes, listeners: listeners, ledger: ledger)
        let stats = statsTranslator.translate(proxy.statsProxies)
        ledger = statsTranslator.ledger
        comments["stats"] = stats.comments
        for file in files {
            if let routerID = file.routerID {
                ledger.list(routerID.location, "router_id \(routerID.name)", "vipd names each node in cluster.nodes")
            }
        }
        ledger.listUnaccounted((haproxyConfig?.allDirectives ?? []).map { ($0.location, $0.text) }) { _ in "not carried: vipd import does not translate it" }
        ledger.listUnaccounted(keepalivedConfigs.flatMap(\.allStatements).map { ($0.location, $0.text) }) { _ in "not carried: vipd import does not translate it" }

        var configuration = VipdConfiguration(
            nodes: nodes, global: GlobalSettings(), vrrp: merged.instances, trackScripts: merged.scripts,
            listeners: listeners, pools: pools)
        configuration.stats = stats.stats
        configuration.syncGroups = merged.syncGroups
        let sources = ([haproxy].compactMap { $0 } + keepalived).map(\.path)
        var writer = VipdYAMLWriter(
            header: [
                "vipd.yaml written by `vipd import` from \(sources.joined(separator: ", ")).",
                "What was not carried as it was is listed on standard error as FILE:LINE: directive: why.",
                "The same file goes to every node; see \"Which node am I?\" in vipd.yaml(5) (docs/configuration.md).",
            ],
            comments: comments)
        let yaml = writer.write(configuration)
        do {
            _ = try ConfigLoader.parse(yaml: yaml, file: "vipd.yaml")
        } catch {
            throw ImportError(
                at: nil,
                "the translation is not a valid vipd configuration, which vipd import cannot carry (please report it):\n\(error)\n\(yaml)")
        }
        return ImportResult(yaml: yaml, configuration: configuration, notes: ledger.sortedNotes(fileOrder: sources))
    }

    /// What is missing when nothing becomes a listener, in words: the haproxy.cfg's frontends, or the
    /// keepalived files' virtual servers (with each one's reason when there are some).
    private static func noListener(haproxy: SourceText?, keepalived: [KeepalivedConfig], ledger: ImportLedger) -> ImportError {
        let virtualServers = keepalived.flatMap(\.statements).filter { ["virtual_server", "virtual_server_group"].contains($0.keyword) }
        let reasons = ledger.notes.filter { note in virtualServers.contains { $0.location == note.location } }.map { "\n  \($0)" }
        let lvs =
            virtualServers.isEmpty
            ? (keepalived.isEmpty ? "" : "\(keepalived.map(\.file).joined(separator: ", ")) has no virtual_server")
            : "no virtual_server can be carried"
        guard let haproxy else {
            return ImportError(
                at: nil,
                "\(lvs), and no haproxy.cfg was given: vipd needs at least one listener. Pass --haproxy haproxy.cfg, or add a virtual_server ADDRESS PORT { real_server ADDRESS PORT { … } } to keepalived.conf"
                    + reasons.joined())
        }
        return ImportError(
            at: SourceLocation(file: haproxy.path, line: 1),
            "no frontend or listen forwards to a backend vipd can carry\(lvs.isEmpty ? "" : " and \(lvs)"), and vipd needs at least one listener"
                + reasons.joined())
    }
}
