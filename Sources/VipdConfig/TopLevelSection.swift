
extension ConfigReader {
    /// The whole document: `cluster`, `global`, `vrrp`, `sync_groups` and `track_scripts` (optional),
    /// `listeners` and `pools` (required), `stats` (optional).
    func readConfiguration(_ root: YAMLNode?) -> VipdConfiguration? {
        guard let root else {
            report(
                "the file is empty: it needs at least \"listeners\" and \"pools\"",
                at: TextPosition(line: 1, column: 1), path: "")
            return nil
        }
        guard let fields = fields(of: root, path: "", owner: root.position, as: .topLevel) else { return nil }
        func owner(_ name: String) -> TextPosition? { fields.entries.first { $0.name == name }?.key.position }
        let nodes = fields["cluster"].map { readCluster($0, path: "cluster", owner: owner("cluster")) }
        let global: GlobalSettings? =
            fields["global"].map { readGlobal($0, path: "global", owner: owner("global")) } ?? GlobalSettings()
        let (pools, poolNames) =
            required("pools", in: fields).map { readPools($0, path: "pools", nodes: nodes) } ?? ([], [])
        let listeners =
            required("listeners", in: fields).map { readListeners($0, path: "listeners", poolNames: poolNames) } ?? []
        if let listenersNode = fields["listeners"] {
            checkTransparentListeners(listenersNode, path: "listeners", listeners: listeners, pools: pools)
        }
        let (scripts, scriptNames) =
            fields["track_scripts"].map { readTrackScripts($0, path: "track_scripts") } ?? ([], [])
        let vrrp =
            fields["vrrp"].map {
                readVRRP($0, path: "vrrp", nodes: nodes, poolNames: poolNames, scriptNames: scriptNames)
            } ?? []
        let vrrpNames = fields["vrrp"]?.mapping.map { $0.compactMap(\.key.scalar?.text) } ?? []
        let syncGroups =
            fields["sync_groups"].map {
                readSyncGroups($0, path: "sync_groups", instances: vrrp, instanceNames: vrrpNames)
            } ?? []
        let stats = fields["stats"].map {
            readStats($0, path: "stats", owner: owner("stats"), nodes: nodes, listeners: listeners)
        }
        guard errors.isEmpty, let global else { return nil }
        var configuration = VipdConfiguration(
            nodes: nodes ?? [], global: global, vrrp: vrrp, trackScripts: scripts, listeners: listeners, pools: pools)
        configuration.stats = stats ?? nil
        configuration.syncGroups = syncGroups
        return configuration
    }
}
