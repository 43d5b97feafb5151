import VipdConfig
import VipdProxy
import VipdVRRP

/// A snapshot as Prometheus metrics (`/metrics`): conventional names, base units (seconds, bytes)
/// last but for `_total` on counters, one series per listener, pool/server or VRRP instance, and the
/// `process_*` metrics of the Prometheus client libraries.
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

        // Status classes only where there are HTTP responses to count.
        let httpPools = Set(snapshot.listeners.filter { $0.mode == "http" }.map(\.pool))
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
            "vipd_server_active_sessions", .gauge,
            help: "Client connections (mode tcp) or HTTP requests (mode http) the server is serving now.",
            samples: perServer { Double($0.activeConnections) })
        out.append(
            "vipd_server_connections_total", .counter, help: "Client connections joined to the server (mode tcp).",
            samples: perServer { Double($0.totalConnections) })
        out.append(
            "vipd_server_http_requests_total", .counter, help: "HTTP requests given to the server (mode http).",
            samples: perServer { Double($0.totalRequests) })
        out.append(
            "vipd_server_received_bytes_total", .counter, help: "Bytes received from clients and forwarded to the server.",
            samples: perServer { Double($0.bytesIn) })
        out.append(
            "vipd_server_sent_bytes_total", .counter, help: "Bytes from the server sent to clients.",
            samples: perServer { Double($0.bytesOut) })
        out.append(
            "vipd_server_connect_errors_total", .counter, help: "Connection attempts to the server that failed.",
            samples: perServer { Double($0.connectErrors) })
        out.append(
            "vipd_server_retries_total", .counter,
            help: "Connections or requests the server failed (connect error, closed before responding) that were tried on another server.",
            samples: perServer { Double($0.retries) })
        out.append(
            "vipd_server_redispatches_total", .counter, help: "Connections the server took after another server failed to connect.",
            samples: perServer { Double($0.redispatches) })
        out.append(
            "vipd_server_response_errors_total", .counter,
            help: "Responses the server broke off: it closed before or during the response (answered 502 or cut).",
            samples: perServer { Double($0.responseErrors) })
        out.append(
            "vipd_server_timeouts_total", .counter, help: "Requests the server did not answer within the server timeout (answered 504 or cut).",
            samples: perServer { Double($0.timeouts) })
        out.append(
            "vipd_server_http_responses_total", .counter, help: "HTTP responses from the server, by status class.",
            samples: servers.filter { httpPools.contains($0.pool) }.flatMap { entry in
                byStatusClass(entry.server.httpResponses, labels: [("pool", entry.pool), ("server", entry.server.name)])
            })
        out.append(
            "vipd_server_down_transitions_total", .counter, help: "Times the server went from up to down.",
            samples: perServer { Double($0.downCount) })
        out.append(
            "vipd_server_downtime_seconds_total", .counter, help: "Time the server was down, in all.",
            samples: perServer { $0.downtimeSeconds })
        out.append(
            "vipd_server_last_change_timestamp_seconds", .gauge, help: "When the server last went up or down (Unix time).",
            samples: perServer { $0.lastChange })
        out.append(
            "vipd_pool_servers_up", .gauge, help: "Servers of the pool that pass their checks now (drained ones included).",
            samples: snapshot.pools.map { Sample(labels: [("pool", $0.name)], value: Double($0.serversUp)) })
        out.append(
            "vipd_pool_servers_usable", .gauge,
            help: "Servers of the pool that take new connections now: up and not drained (what vipd ctl status counts).",
            samples: snapshot.pools.map { Sample(labels: [("pool", $0.name)], value: Double($0.serversTakingNewConnections)) })
        out.append(
            "vipd_pool_servers", .gauge, help: "Servers configured in the pool.",
            samples: snapshot.pools.map { Sample(labels: [("pool", $0.name)], value: Double($0.servers.count)) })

        func perListener(_ value: (ListenerStats) -> Int) -> [Sample] {
            snapshot.listeners.map { Sample(labels: [("listener", $0.name), ("pool", $0.pool)], value: Double(value($0))) }
        }
        out.append(
            "vipd_listener_connections_total", .counter, help: "Client connections the listener accepted.",
            samples: perListener(\.connections))
        out.append(
            "vipd_listener_no_server_refusals_total", .counter,
            help: "Connections (mode tcp) or requests (mode http, the sorry page) refused because no server of the pool took new connections.",
            samples: perListener(\.noServer))
        out.append(
            "vipd_listener_bad_requests_total", .counter, help: "Requests vipd answered 4xx itself: not valid HTTP or over a limit.",
            samples: perListener(\.badRequests))
        out.append(
            "vipd_listener_request_timeouts_total", .counter,
            help: "Client connections that sent no complete request head within the request timeout (answered 408).",
            samples: perListener(\.requestTimeouts))
        out.append(
            "vipd_listener_http_responses_total", .counter,
            help: "HTTP responses the listener's clients got (the servers' and vipd's own), by status class.",
            samples: snapshot.listeners.filter { $0.mode == "http" }.flatMap { listener in
                byStatusClass(listener.httpResponses, labels: [("listener", listener.name), ("pool", listener.pool)])
            })

        func perInstance(_ value: (VRRPInstanceStatus) -> Double) -> [Sample] {
            snapshot.vrrp.map { Sample(labels: [("instance", $0.name)], value: value($0)) }
        }
        out.append(
            "vipd_vrrp_state", .gauge, help: "1 for the VRRP instance's current state, 0 for the others.",
            samples: snapshot.vrrp.flatMap { instance in
                oneHot(labels: [("instance", instance.name)], states: VRRPInstanceStatus.states, current: instance.state)
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
            "vipd_vrrp_routed_advertisements_received_total", .counter,
            help: "Of the valid advertisements, those from a unicast peer across a router (TTL below 255).",
            samples: perInstance { Double($0.routedAdvertisementsReceived ?? 0) })
        out.append(
            "vipd_vrrp_advertisements_sent_total", .counter, help: "VRRP advertisements sent.",
            samples: perInstance { Double($0.advertisementsSent) })
        out.append(
            "vipd_vrrp_moved_sessions", .gauge,
            help: "Connections this node still serves on virtual addresses it gave away in a planned move.",
            samples: perInstance { Double($0.movedSessions ?? 0) })
        out.append(
            "vipd_vrrp_forwarded_segments_total", .counter,
            help: "TCP segments of sessions served by the previous master, sent on to it by this node.",
            samples: perInstance { Double($0.forwardedSegments ?? 0) })
        out.append(
            "vipd_vrrp_vip_restored_total", .counter,
            help: "Virtual addresses put back after another program removed them from the interface while this node was master.",
            samples: perInstance { Double($0.restoredAddresses ?? 0) })

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
        if let process = snapshot.process { appendProcess(process, to: &out) }
        return out.text
    }

    /// The `process_*` families, named and defined as the Prometheus client libraries export them.
    private static func appendProcess(_ process: ProcessStats, to out: inout PrometheusExposition) {
        func one(_ value: Double) -> [PrometheusExposition.Sample] { [.init(labels: [], value: value)] }
        out.append(
            "process_cpu_seconds_total", .counter, help: "Total user and system CPU time spent in seconds.",
            samples: one(process.cpuSeconds))
        out.append("process_open_fds", .gauge, help: "Number of open file descriptors.", samples: one(Double(process.openFDs)))
        out.append(
            "process_max_fds", .gauge, help: "Maximum number of open file descriptors.", samples: one(Double(process.maxFDs)))
        out.append(
            "process_virtual_memory_bytes", .gauge, help: "Virtual memory size in bytes.", samples: one(process.virtualMemoryBytes))
        out.append(
            "process_resident_memory_bytes", .gauge, help: "Resident memory size in bytes.", samples: one(process.residentMemoryBytes))
        out.append(
            "process_start_time_seconds", .gauge, help: "Start time of the process since unix epoch in seconds.",
            samples: one(process.startTimeSeconds))
    }

    /// One sample per HTTP status class, labelled `labels` plus `code` (`1xx` … `5xx`, `other`).
    private static func byStatusClass(_ counts: [String: Int], labels: [(name: String, value: String)])
        -> [PrometheusExposition.Sample]
    {
        HTTPStatusClassCounters.classes.map { code in
            PrometheusExposition.Sample(labels: labels + [("code", code)], value: Double(counts[code] ?? 0))
        }
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
