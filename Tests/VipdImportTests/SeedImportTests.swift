import VipdConfig
import VipdCore
import VipdImport
import XCTest

/// The seeds' configurations, verbatim, imported whole: the YAML loads, every field is as expected, and
/// the report lists exactly the lines that were not carried.
final class SeedImportTests: XCTestCase {
    private func importSeed001(_ keepalived: [String]) throws -> ImportResult {
        try ConfigImporter.translate(
            haproxy: try Fixture.source("001-haproxy.cfg"), keepalived: try keepalived.map(Fixture.source))
    }

    func testSeed001BothNodes() throws {
        let result = try importSeed001(["001-keepalived-ha0.conf", "001-keepalived-ha1.conf"])
        Fixture.assertLoads(result)
        let config = result.configuration
        XCTAssertEqual(
            config.nodes,
            [
                ClusterNode(name: "ha0", address: IPAddress("192.168.2.230")!, priority: 100),
                ClusterNode(name: "ha1", address: IPAddress("192.168.2.231")!, priority: 90),
            ])
        let instance = try XCTUnwrap(config.vrrp.first)
        XCTAssertEqual(config.vrrp.count, 1)
        XCTAssertEqual(instance.name, "VI_1")
        XCTAssertEqual(instance.interface, "enp2s0")
        XCTAssertEqual(instance.virtualRouterID, 51)
        XCTAssertEqual(instance.version, 2)
        XCTAssertEqual(instance.advertisementInterval, .seconds(1))
        XCTAssertTrue(instance.preempt)
        XCTAssertEqual(instance.password, "MySecret")
        XCTAssertEqual(instance.virtualAddresses, [IPPrefix(parsing: "192.168.2.232/24")!])
        XCTAssertEqual(instance.track, [TrackedObjectConfig(kind: .pool, name: "ssh_back", weight: 10)])
        XCTAssertEqual(config.trackScripts, [])
        XCTAssertEqual(
            config.listeners,
            [
                ListenerConfig(
                    name: "ssh_front", bind: SocketEndpoint(parsing: "192.168.2.232:22")!, pool: "ssh_back",
                    idleTimeout: .seconds(3600), connectTimeout: .seconds(5))
            ])
        let pool = try XCTUnwrap(config.pools.first)
        XCTAssertEqual(pool.name, "ssh_back")
        XCTAssertEqual(pool.balance, .roundrobin)
        XCTAssertEqual(pool.servers.map(\.name), ["ha0", "ha1"])
        XCTAssertEqual(pool.servers.map(\.endpoint.description), ["192.168.2.230:22", "192.168.2.231:22"])
        XCTAssertEqual(pool.check, HealthCheckConfig(kind: .sshBanner(pattern: "^SSH-"), interval: .seconds(2), timeout: .seconds(2), fall: 3, rise: 2))
        XCTAssertTrue(result.yaml.contains("    servers: nodes:22\n"), result.yaml)
        XCTAssertFalse(result.notes.contains { $0.description.contains("MySecretPass") || $0.description.contains("MySecret") })
    }

    func testSeed001ReportListsEveryUncarriedLine() throws {
        let result = try importSeed001(["001-keepalived-ha0.conf"])
        Fixture.assertLoads(result)
        XCTAssertEqual(result.configuration.nodes.map(\.priority), [100, 90])
        let located = result.notes.map { "\($0.location.file):\($0.location.line) \($0.directive)" }
        XCTAssertEqual(
            located,
            [
                "001-haproxy.cfg:2 daemon", "001-haproxy.cfg:3 log /dev/log local0 ★1", "001-haproxy.cfg:4 maxconn 4096",
                "001-haproxy.cfg:5 user haproxy", "001-haproxy.cfg:6 group haproxy", "001-haproxy.cfg:17 bind 192.168.2.232:22 ★2",
                "001-haproxy.cfg:21 balance roundrobin 3", "001-haproxy.cfg:23 tcp-check connect port 22 ★4",
                "001-haproxy.cfg:26 server ha0 192.168.2.230:22 check ★5", "001-haproxy.cfg:26 server ha0",
                "001-haproxy.cfg:27 server ha1", "001-haproxy.cfg:28 ★6",
                "001-keepalived-ha0.conf:1 vrrp_script chk_haproxy", "001-keepalived-ha0.conf:7 vrrp_instance VI_1",
                "001-keepalived-ha0.conf:8 state MASTER ★1", "001-keepalived-ha0.conf:9 interface enp2s0 ★2",
                "001-keepalived-ha0.conf:11 priority 100 ★3", "001-keepalived-ha0.conf:16 auth_pass",
                "001-keepalived-ha0.conf:20 192.168.2.232/24 ★4", "001-keepalived-ha0.conf:24 chk_haproxy",
            ])
        XCTAssertTrue(Fixture.lines(result)[13].contains("priority 90 assumed"), Fixture.lines(result)[13])
    }

    func testSeed000BothBalancers() throws {
        let result = try ConfigImporter.translate(
            haproxy: try Fixture.source("000-haproxy.cfg"),
            keepalived: [try Fixture.source("000-keepalived-prslb01.conf"), try Fixture.source("000-keepalived-prslb02.conf")],
            readFile: Fixture.noFile)
        Fixture.assertLoads(result)
        let config = result.configuration
        XCTAssertEqual(config.nodes.map(\.address.text), ["172.16.110.71", "172.16.110.72"])
        XCTAssertEqual(config.nodes.map(\.priority), [100, 50])
        let instance = try XCTUnwrap(config.vrrp.first)
        XCTAssertEqual(instance.interface, "ens224")
        XCTAssertEqual(instance.virtualRouterID, 1)
        XCTAssertFalse(instance.preempt)
        XCTAssertEqual(instance.password, "passw123")
        XCTAssertEqual(instance.virtualAddresses.map(\.description), ["172.16.110.70/24"])
        XCTAssertEqual(
            instance.track,
            [TrackedObjectConfig(kind: .interface, name: "ens224", weight: 0), TrackedObjectConfig(kind: .interface, name: "ens256", weight: 0)])
        XCTAssertEqual(config.listeners.count, 6)
        XCTAssertEqual(config.listeners.map(\.bind.description), [
            "172.16.110.70:80", "172.16.110.71:80", "172.16.110.72:80", "172.16.110.70:443", "172.16.110.71:443", "172.16.110.72:443",
        ])
        for listener in config.listeners {
            XCTAssertEqual(listener.mode, .http)
            XCTAssertEqual(
                listener.http,
                HTTPListenerSettings(forwardedFor: true, requestTimeout: .seconds(10), serverTimeout: .seconds(5), serverReuse: .never))
            XCTAssertEqual(listener.pool, "app_backend")
            XCTAssertEqual(listener.idleTimeout, .seconds(60))
            XCTAssertEqual(listener.connectTimeout, .seconds(3))
            XCTAssertEqual(listener.maxConnections, 3000)
            XCTAssertEqual(listener.retries, 1)
        }
        let pool = try XCTUnwrap(config.pools.first)
        XCTAssertEqual(pool.servers.map(\.endpoint.description), ["192.168.50.61:80", "192.168.50.62:80"])
        XCTAssertEqual(
            pool.check,
            HealthCheckConfig(
                kind: .http(HTTPCheckSettings(method: "GET", path: "/weblogic/ready", expectStatus: [200])), interval: .seconds(2),
                timeout: .seconds(2), fall: 3, rise: 2))
        let lines = result.notes.map { "\($0.location.file):\($0.location.line)" }
        for expected in [
            "000-haproxy.cfg:54", "000-haproxy.cfg:62", "000-haproxy.cfg:76", "000-haproxy.cfg:84", "000-haproxy.cfg:85", "000-haproxy.cfg:89",
            "000-haproxy.cfg:101", "000-haproxy.cfg:102", "000-haproxy.cfg:116", "000-haproxy.cfg:117",
            "000-keepalived-prslb01.conf:4", "000-keepalived-prslb01.conf:16", "000-keepalived-prslb01.conf:29",
            "000-keepalived-prslb02.conf:16",
        ] {
            XCTAssertTrue(lines.contains(expected), "\(expected) missing from\n\(Fixture.lines(result).joined(separator: "\n"))")
        }
        for carried in [49, 51, 52, 53, 57] {
            XCTAssertFalse(lines.contains("000-haproxy.cfg:\(carried)"), "000-haproxy.cfg:\(carried) is carried")
        }
        XCTAssertTrue(
            Fixture.lines(result).contains(
                "000-haproxy.cfg:117: http-request return status 200 content-type text/html file /etc/haproxy/sorry.html if no_srv: cannot read /etc/haproxy/sorry.html here (No such file or directory); where it exists, add sorry_page: { file: /etc/haproxy/sorry.html, status: 200, content_type: text/html } to the listener's http block"),
            Fixture.lines(result).joined(separator: "\n"))
        XCTAssertFalse(result.notes.contains { $0.description.contains("passw123") })
    }

    /// The LVS director's keepalived.conf alone: its virtual_server becomes a TCP listener on the same
    /// address and port and a pool of the two web servers checked by HTTP as keepalived checked them.
    func testSeed002VirtualServerWithoutHAProxy() throws {
        let result = try ConfigImporter.translate(haproxy: nil, keepalived: [try Fixture.source("002-keepalived.conf")])
        Fixture.assertLoads(result)
        let config = result.configuration
        XCTAssertEqual(config.nodes, [])
        XCTAssertEqual(config.vrrp, [])
        XCTAssertEqual(
            config.listeners,
            [ListenerConfig(name: "vs-192.168.1.6-80", bind: SocketEndpoint(parsing: "192.168.1.6:80")!, mode: .tcp, pool: "vs-192.168.1.6-80")])
        XCTAssertEqual(
            config.pools,
            [
                PoolConfig(
                    name: "vs-192.168.1.6-80", balance: .roundrobin,
                    servers: [
                        ServerConfig(name: "10.0.0.2", endpoint: SocketEndpoint(parsing: "10.0.0.2:80")!),
                        ServerConfig(name: "10.0.0.3", endpoint: SocketEndpoint(parsing: "10.0.0.3:80")!),
                    ],
                    check: HealthCheckConfig(
                        kind: .http(HTTPCheckSettings(method: "GET", path: "/drupal/", expectStatus: [200])), interval: .seconds(60),
                        timeout: .seconds(3), fall: 2, rise: 1))
            ])
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "002-keepalived.conf:4: lvs_method NAT: vipd proxies: the servers see connections from this node instead of the client's address and answer through it, with no route back through the director; with servers that are cluster nodes running vipd, transparent: true on the pool gives them the client's address",
                "002-keepalived.conf:9: inhibit_on_failure: what vipd does for every server that goes DOWN: it gets no new connections and its established connections continue",
                "002-keepalived.conf:10: HTTP_GET: keepalived retries a failed check once, 3s later (delay_before_retry), so a server is out within about 1m3s (delay_loop + retry × delay_before_retry); vipd has no retry delay of its own: fall 2 failed checks interval 1m apart take it out within about 2m; lower interval to find a failure sooner",
                "002-keepalived.conf:21: inhibit_on_failure: what vipd does for every server that goes DOWN: it gets no new connections and its established connections continue",
            ])
        XCTAssertTrue(result.yaml.contains("# 002-keepalived.conf:1 virtual_server 192.168.1.6 80\n  vs-192.168.1.6-80:\n    bind: 192.168.1.6:80\n    mode: tcp\n"), result.yaml)
    }

    /// Every directive of every seed file is either carried or listed: the union of the notes' lines
    /// and the lines the translation used covers every line with a directive.
    func testNothingIsDroppedSilently() throws {
        let result = try ConfigImporter.translate(
            haproxy: try Fixture.source("000-haproxy.cfg"), keepalived: [try Fixture.source("000-keepalived-prslb01.conf")])
        let listed = Set(result.notes.map(\.location.line))
        // Lines of the global section are never carried: each must be listed.
        for line in [27, 30, 31, 32, 33, 34, 35, 38, 41, 42] { XCTAssertTrue(listed.contains(line), "line \(line) not listed") }
        Fixture.assertLoads(result)
    }
}
