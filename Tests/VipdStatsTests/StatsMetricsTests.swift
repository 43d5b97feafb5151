import VipdConfig
import VipdStats
import XCTest

/// `/metrics` from a snapshot: every family announced, the series and values of the sample node.
final class StatsMetricsTests: XCTestCase {
    private let text = StatsMetrics.render(sampleSnapshot())

    private var lines: [String] { text.split(separator: "\n").map(String.init) }

    func testServerSeries() {
        for expected in [
            #"vipd_server_up{pool="ssh",server="ha0"} 1"#,
            #"vipd_server_up{pool="ssh",server="ha1"} 0"#,
            #"vipd_server_check_success{pool="ssh",server="ha1"} 0"#,
            #"vipd_server_active_sessions{pool="ssh",server="ha0"} 2"#,
            #"vipd_server_connections_total{pool="ssh",server="ha0"} 17"#,
            #"vipd_server_http_requests_total{pool="ssh",server="ha0"} 0"#,
            #"vipd_server_received_bytes_total{pool="ssh",server="ha0"} 4096"#,
            #"vipd_server_sent_bytes_total{pool="ssh",server="ha0"} 1048576"#,
            #"vipd_server_connect_errors_total{pool="ssh",server="ha1"} 4"#,
            #"vipd_server_retries_total{pool="ssh",server="ha1"} 3"#,
            #"vipd_server_redispatches_total{pool="ssh",server="ha1"} 0"#,
            #"vipd_server_response_errors_total{pool="ssh",server="ha1"} 1"#,
            #"vipd_server_timeouts_total{pool="ssh",server="ha1"} 2"#,
            #"vipd_server_down_transitions_total{pool="ssh",server="ha1"} 2"#,
            #"vipd_server_downtime_seconds_total{pool="ssh",server="ha1"} 42.5"#,
            #"vipd_server_last_change_timestamp_seconds{pool="ssh",server="ha1"} 1800000000.25"#,
            #"vipd_pool_servers_usable{pool="ssh"} 1"#,
            #"vipd_listener_connections_total{listener="ssh",pool="ssh"} 30"#,
            #"vipd_listener_no_server_refusals_total{listener="ssh",pool="ssh"} 6"#,
            #"vipd_check_duration_seconds_bucket{pool="ssh",server="ha0",le="0.01"} 3"#,
            #"vipd_check_duration_seconds_bucket{pool="ssh",server="ha0",le="+Inf"} 5"#,
            #"vipd_check_duration_seconds_sum{pool="ssh",server="ha0"} 0.0625"#,
            #"vipd_server_admin_state{pool="ssh",server="ha0",state="ready"} 1"#,
            #"vipd_server_admin_state{pool="ssh",server="ha1",state="ready"} 0"#,
            #"vipd_server_admin_state{pool="ssh",server="ha1",state="drain"} 1"#,
            #"vipd_server_admin_state{pool="ssh",server="ha1",state="maint"} 0"#,
            #"vipd_server_weight{pool="ssh",server="ha1"} 2"#,
            #"vipd_pool_servers_up{pool="ssh"} 1"#,
            #"vipd_pool_servers{pool="ssh"} 2"#,
            #"vipd_uptime_seconds{node="ha0"} 15.5"#,
        ] {
            XCTAssertTrue(lines.contains(expected), "missing \(expected) in\n\(text)")
        }
    }

    func testHTTPStatusClassesOnlyWhereAnHTTPListenerServes() {
        XCTAssertFalse(text.contains("http_responses_total{"), "a tcp listener's pool has no HTTP responses")
        var snapshot = sampleSnapshot()
        snapshot.listeners[0].mode = "http"
        snapshot.listeners[0].httpResponses = ["2xx": 7, "5xx": 3]
        let lines = StatsMetrics.render(snapshot).split(separator: "\n").map(String.init)
        for expected in [
            #"vipd_server_http_responses_total{pool="ssh",server="ha1",code="2xx"} 9"#,
            #"vipd_server_http_responses_total{pool="ssh",server="ha1",code="5xx"} 1"#,
            #"vipd_server_http_responses_total{pool="ssh",server="ha0",code="other"} 0"#,
            #"vipd_listener_http_responses_total{listener="ssh",pool="ssh",code="2xx"} 7"#,
            #"vipd_listener_http_responses_total{listener="ssh",pool="ssh",code="5xx"} 3"#,
            #"vipd_listener_http_responses_total{listener="ssh",pool="ssh",code="1xx"} 0"#,
            #"vipd_listener_bad_requests_total{listener="ssh",pool="ssh"} 0"#,
        ] {
            XCTAssertTrue(lines.contains(expected), "missing \(expected)")
        }
    }

    func testProcessMetricsAsTheClientLibrariesName() {
        for expected in [
            "# TYPE process_cpu_seconds_total counter", "process_cpu_seconds_total 1.5",
            "process_resident_memory_bytes 20971520", "process_virtual_memory_bytes 1073741824",
            "process_open_fds 12", "process_max_fds 1024", "process_start_time_seconds 1799999985.75",
        ] {
            XCTAssertTrue(lines.contains(expected), "missing \(expected) in\n\(text)")
        }
        var snapshot = sampleSnapshot()
        snapshot.process = nil
        XCTAssertFalse(StatsMetrics.render(snapshot).contains("process_"), "no /proc, no process metrics")
    }

    func testBuildInfoNamesTheVersion() {
        XCTAssertTrue(lines.contains(#"vipd_build_info{version="\#(VipdVersion.current)"} 1"#), text)
    }

    func testVRRPStateIsOneSeriesPerState() {
        let states = lines.filter { $0.hasPrefix("vipd_vrrp_state{") }
        XCTAssertEqual(
            states,
            [
                #"vipd_vrrp_state{instance="VI_1",state="INIT"} 0"#,
                #"vipd_vrrp_state{instance="VI_1",state="BACKUP"} 0"#,
                #"vipd_vrrp_state{instance="VI_1",state="MASTER"} 1"#,
                #"vipd_vrrp_state{instance="VI_1",state="FAULT"} 0"#,
            ])
        XCTAssertTrue(lines.contains(#"vipd_vrrp_priority{instance="VI_1"} 100"#))
        XCTAssertTrue(lines.contains(#"vipd_vrrp_effective_priority{instance="VI_1"} 50"#))
        XCTAssertTrue(lines.contains(#"vipd_vrrp_held{instance="VI_1"} 0"#))
        XCTAssertTrue(lines.contains(#"vipd_vrrp_transitions_total{instance="VI_1"} 2"#))
        XCTAssertTrue(lines.contains(#"vipd_vrrp_routed_advertisements_received_total{instance="VI_1"} 5"#))
        XCTAssertTrue(lines.contains(#"vipd_vrrp_moved_sessions{instance="VI_1"} 3"#))
        XCTAssertTrue(lines.contains(#"vipd_vrrp_forwarded_segments_total{instance="VI_1"} 42"#))
        XCTAssertTrue(lines.contains(#"vipd_vrrp_vip_restored_total{instance="VI_1"} 2"#))
    }

    func testFindingsBySeverity() {
        XCTAssertTrue(lines.contains(#"vipd_monitor_findings{severity="critical"} 1"#))
        XCTAssertTrue(lines.contains(#"vipd_monitor_findings{severity="warning"} 0"#))
        XCTAssertTrue(lines.contains("vipd_monitor_up 1"))
    }

    func testEverySampleBelongsToAnAnnouncedFamilyWithHelp() {
        var announced: [String: String] = [:]
        var helped: Set<String> = []
        for line in lines {
            let words = line.split(separator: " ").map(String.init)
            if line.hasPrefix("# TYPE ") {
                announced[words[2]] = words[3]
            } else if line.hasPrefix("# HELP ") {
                helped.insert(words[2])
            } else {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                    announced[name] == nil && name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
                }
                XCTAssertNotNil(announced[family], "sample \(line) without # TYPE")
                XCTAssertNotNil(Double(words.last!.replacingOccurrences(of: "+Inf", with: "inf")), line)
            }
        }
        XCTAssertEqual(Set(announced.keys), helped)
        for (name, type) in announced where type == "counter" {
            XCTAssertTrue(name.hasSuffix("_total"), "counter \(name) must end in _total")
        }
    }

    func testPeersAndClusterWarnings() {
        var snapshot = sampleSnapshot()
        let backup = snapshot.vrrp[0]
        snapshot = StatsSnapshot(
            node: snapshot.node, generatedAt: snapshot.generatedAt, uptimeSeconds: snapshot.uptimeSeconds, vrrp: snapshot.vrrp,
            pools: snapshot.pools, monitorRunning: true, findings: [],
            peers: [
                PeerStats(node: "ha1", address: "10.0.0.2:8404", reachable: true, error: nil, lastSeen: 1, vrrp: [backup]),
                PeerStats(node: "ha2", address: "10.0.0.3:8404", reachable: false, error: "connection refused", lastSeen: nil, vrrp: []),
            ])
        let lines = StatsMetrics.render(snapshot).split(separator: "\n").map(String.init)
        for expected in [
            #"vipd_peer_up{peer="ha1"} 1"#, #"vipd_peer_up{peer="ha2"} 0"#,
            #"vipd_cluster_warnings{kind="two-masters"} 1"#, #"vipd_cluster_warnings{kind="no-master"} 0"#,
        ] {
            XCTAssertTrue(lines.contains(expected), expected)
        }
        XCTAssertTrue(self.lines.contains(#"vipd_cluster_warnings{kind="two-masters"} 0"#), "no peers, no warnings")
        XCTAssertFalse(self.lines.contains { $0.hasPrefix("vipd_peer_up{") })
    }

    func testUncheckedServersHaveNoHistogram() {
        var snapshot = sampleSnapshot()
        snapshot.pools[0].servers[1].checked = false
        let text = StatsMetrics.render(snapshot)
        XCTAssertFalse(text.contains(#"vipd_check_duration_seconds_count{pool="ssh",server="ha1"}"#))
        XCTAssertTrue(text.contains(#"vipd_check_duration_seconds_count{pool="ssh",server="ha0"} 5"#))
    }
}
