import VipdConfig

/// A snapshot as Prometheus metrics (`/metrics`): conventional names, base units (seconds, bytes),
/// `_total` counters, one series per pool/server or VRRP instance.
public enum StatsMetrics {
    /// The content type of the text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The whole exposition for `snapshot`.
    public static func render(_ snapshot: StatsSnapshot) -> String {
        var out = PrometheusExposition()
        typealias Sample = PrometheusExposition.Sample
        out.append(
            "vipd_build_info", .gauge, help: "Always 1; the labels name the running vipd's version.",
            samples: [Sample(labels: [("version", VipdVersion.current)], value: 1)])
        out.append(
            "vipd_uptime_seconds", .gauge, help: "Seconds since vipd started.",
            samples: [Sample(labels: nodeLabel(snapshot), value: snapshot.uptimeSeconds)])

        let servers = snapshot.pools.flatMap { pool in pool.servers.map { (pool: pool.name, server: $0) } }
        func perServer(_ value: (ServerStats) -> Double?) -> [Sample] {
            servers.compactMap { entry in
                value(entry.server).map { Sample(labels: [("pool", entry.pool), ("server", entry.server.name)], value: $0) }
            }
        }
        out.append(
            "vipd_server_up", .gauge, help: "1 when the server takes traffic (health checks pass), else 0.",
            samples: perServer { $0.isUp ? 1 : 0 })
        out.append(
            "vipd_server_admin_state", .gauge,
            help: "1 for the state the operator set for the server (ready, drain, maint), 0 for the others.",
            samples: servers.flatMap { entry in
                oneHot(
                    labels: [("pool", entry.pool), ("server", entry.server.name)], states: ServerStats.adminStates,
                    current: entry.server.adminState)
            })
        out.append(
            "vipd_server_weight", .gauge, help: "The weight new connections are balanced by now.",
            samples: perServer { Double($0.weight) })
        out.append(
            "vipd_server_check_success", .gauge, help: "1 when the server's last health check passed, else 0.",
            samples: perServer { server in server.lastCheck.map { $0.passed ? 1 : 0 } })
        out.append(
            "vipd_check_duration_seconds", .histogram, help: "How long the server's health checks took.",
            samples: servers.filter(\.server.checked).flatMap { entry in
                PrometheusExposition.histogramSamples(
                    entry.server.checkDurations, labels: [("pool", entry.pool), ("server", entry.server.name)])
            })
        out.append(
            "vipd_connections_active", .gauge, help: "Client connections proxied to the server now.",
            samples: perServer { Double($0.activeConnections) })
        out.append(
            "vipd_connections_total", .counter, help: "Client connections proxied to the server since vipd started.",
            samples: perServer { Double($0.totalConnections) })
        out.append(
            "vipd_server_bytes_in_total", .counter, help: "Bytes from clients forwarded to the server.",
            samples: perServer { Double($0.bytesIn) })
        out.append(
            "vipd_server_bytes_out_total", .counter, help: "Bytes from the server forwarded to clients.",
            samples: perServer { Double($0.bytesOut) })
        out.append(
            "vipd_pool_servers_up", .gauge, help: "Servers of the pool that take traffic now.",
            samples: snapshot.pools.map { Sample(labels: [("pool", $0.name)], value: Double($0.serversUp)) })
        out.append(
            "vipd_pool_servers", .gauge, help: "Servers configured in the pool.",
            samples: snapshot.pools.map { Sample(labels: [("pool", $0.name)], value: Double($0.servers.count)) })

        func perInstance(_ value: (VRRPInstanceStats) -> Double) -> [Sample] {
            snapshot.vrrp.map { Sample(labels: [("instance", $0.name)], value: value($0)) }
        }
        out.append(
            "vipd_vrrp_state", .gauge, help: "1 for the VRRP instance's current state, 0 for the others.",
            samples: snapshot.vrrp.flatMap { instance in
                oneHot(labels: [("instance", instance.name)], states: VRRPInstanceStats.states, current: instance.state)
            })
        out.append(
            "vipd_vrrp_priority", .gauge, help: "This node's configured VRRP priority.",
            samples: perInstance { Double($0.priority) })
        out.append(
            "vipd_vrrp_effective_priority", .gauge, help: "The VRRP priority advertised now, after tracking.",
            samples: perInstance { Double($0.effectivePriority) })
        out.append(
            "vipd_vrrp_held", .gauge, help: "1 while vipd ctl handover holds this node out of the master role (until vipd ctl ready), else 0.",
            samples: perInstance { $0.isHeld ? 1 : 0 })
        out.append(
            "vipd_vrrp_transitions_total", .counter, help: "VRRP state transitions since vipd started.",
            samples: perInstance { Double($0.transitionsTotal) })
        out.append(
            "vipd_vrrp_advertisements_received_total", .counter, help: "Valid VRRP advertisements received.",
            samples: perInstance { Double($0.advertisementsReceived) })
        out.append(
            "vipd_vrrp_advertisements_sent_total", .counter, help: "VRRP advertisements sent.",
            samples: perInstance { Double($0.advertisementsSent) })

        out.append(
            "vipd_monitor_up", .gauge, help: "1 when the advertisement monitor captures on this node, else 0.",
            samples: [Sample(labels: [], value: snapshot.monitorRunning ? 1 : 0)])
        out.append(
            "vipd_monitor_findings", .gauge, help: "Monitor findings in force, by severity.",
            samples: ["critical", "warning", "notice"].map { severity in
                Sample(
                    labels: [("severity", severity)],
                    value: Double(snapshot.findings.filter { $0.severity == severity }.count))
            })
        out.append(
            "vipd_peer_up", .gauge, help: "1 when the other node's stats listener answered the last request, else 0.",
            samples: snapshot.peers.map { Sample(labels: [("peer", $0.node)], value: $0.reachable ? 1 : 0) })
        out.append(
            "vipd_cluster_warnings", .gauge,
            help: "VRRP instances that two nodes hold at once (two-masters), none holds (no-master), or with nodes held out of the master role by vipd ctl handover (held), as this node and its peers report.",
            samples: ClusterWarning.Kind.allCases.map { kind in
                Sample(labels: [("kind", kind.rawValue)], value: Double(snapshot.clusterWarnings.filter { $0.kind == kind }.count))
            })
        return out.text
    }

    private static func nodeLabel(_ snapshot: StatsSnapshot) -> [(name: String, value: String)] {
        snapshot.node.map { [("node", $0)] } ?? []
    }

    /// One sample per entry of `states`, labelled `labels` plus `state`: 1 for `current`, 0 for the others.
    private static func oneHot(labels: [(name: String, value: String)], states: [String], current: String)
        -> [PrometheusExposition.Sample]
    {
        states.map { state in
            PrometheusExposition.Sample(labels: labels + [("state", state)], value: current == state ? 1 : 0)
        }
    }
}
