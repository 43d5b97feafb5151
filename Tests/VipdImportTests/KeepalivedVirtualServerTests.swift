import VipdConfig
import VipdCore
import VipdImport
import XCTest

/// keepalived's `virtual_server` translated keyword by keyword: the listener, the balance, the
/// servers, the check with keepalived's timing, and a note for everything that changes or is dropped.
final class KeepalivedVirtualServerTests: XCTestCase {
    /// Imports keepalived files alone; the YAML must load as the configuration built.
    private func importing(_ keepalived: String...) throws -> ImportResult {
        let result = try Fixture.importing(keepalived: keepalived)
        Fixture.assertLoads(result)
        return result
    }

    /// The notes' reasons by line of the first file.
    private func reasons(_ result: ImportResult) -> [Int: [String]] {
        Dictionary(grouping: result.notes.filter { $0.location.file == "keepalived-1.conf" }, by: \.location.line).mapValues { $0.map(\.reason) }
    }

    private func pool(_ result: ImportResult) throws -> PoolConfig { try XCTUnwrap(result.configuration.pools.first) }

    /// A virtual server with `body` inside and one TCP-checked real server.
    private static func virtualServer(_ body: String, realServer: String = "TCP_CHECK {\n}") -> String {
        """
        virtual_server 10.0.0.100 80 {
        \(body)
          real_server 10.0.0.1 80 {
        \(realServer)
          }
        }
        """
    }

    // MARK: Balance

    func testSchedulersBecomeTheNearestBalance() throws {
        let expected: [(String, BalanceAlgorithm)] = [
            ("rr", .roundrobin), ("wrr", .roundrobin), ("lc", .leastconn), ("wlc", .leastconn), ("sh", .source),
            ("sed", .leastconn), ("nq", .leastconn), ("mh", .source), ("dh", .roundrobin), ("lblc", .roundrobin), ("fo", .roundrobin),
        ]
        for (scheduler, balance) in expected {
            let result = try importing(Self.virtualServer("lvs_sched \(scheduler)"))
            XCTAssertEqual(try pool(result).balance, balance, scheduler)
        }
        let old = try importing(Self.virtualServer("lb_algo sh"))
        XCTAssertEqual(try pool(old).balance, .source, "lb_algo is lvs_sched's old name")
        let none = try importing(Self.virtualServer(""))
        XCTAssertEqual(try pool(none).balance, .leastconn, "keepalived's default scheduler is wlc")
        XCTAssertTrue(none.yaml.contains("# balance: leastconn for keepalived's default scheduler, wlc"), none.yaml)
        XCTAssertEqual(reasons(try importing(Self.virtualServer("lvs_sched dh")))[2], ["vipd balances roundrobin, leastconn or source; roundrobin is used"])
        XCTAssertEqual(
            reasons(try importing(Self.virtualServer("lvs_sched nq")))[2],
            ["vipd's leastconn (fewest active connections per weight) is the nearest: balance: leastconn"])
    }

    func testUnweightedSchedulersWithDifferentWeightsAreNamed() throws {
        let text = """
            virtual_server 10.0.0.100 80 {
              lvs_sched rr
              real_server 10.0.0.1 80 {
                weight 3
              }
              real_server 10.0.0.2 80 {
              }
            }
            """
        let result = try importing(text)
        XCTAssertEqual(try pool(result).servers.map(\.weight), [3, 1])
        XCTAssertEqual(reasons(result)[2], ["LVS rr ignores the weights; vipd's roundrobin shares connections by weight (balance: roundrobin)"])
        let same = try importing(text.replacingOccurrences(of: "weight 3", with: "weight 1"))
        XCTAssertNil(reasons(same)[2], "equal weights: nothing to say")
    }

    func testPersistenceBecomesSourceHashWithTheDifference() throws {
        let result = try importing(Self.virtualServer("lvs_sched wrr\npersistence_timeout 600"))
        XCTAssertEqual(try pool(result).balance, .source)
        XCTAssertEqual(reasons(result)[2], ["not used: persistence_timeout makes the pool balance: source"])
        XCTAssertEqual(
            reasons(result)[3],
            [
                "balance: source instead: keepalived keeps a client on the server it reached for 600 s after its last connection; vipd hashes the client's address, so a client stays on its server with no time limit while the servers up do not change, and moves when one goes down or comes back"
            ])
        let bare = try importing(Self.virtualServer("persistence_timeout"))
        XCTAssertTrue(reasons(bare)[2]?.first?.contains("for 360 s after") == true, "keepalived's default: 6 minutes")
    }

    // MARK: What vipd does differently

    func testForwardingMethodsInhibitAndOtherWordsAreNoted() throws {
        let result = try importing(
            Self.virtualServer(
                "lvs_method DR\nha_suspend\nquorum 2\ninhibit_on_failure\nops\nsorry_server_inhibit",
                realServer: "lvs_method TUN\nnotify_down /usr/local/bin/alert\nuthreshold 100\ninhibit_on_failure\nTCP_CHECK {\n}"))
        let byLine = reasons(result)
        XCTAssertEqual(byLine[2]?.first?.hasPrefix("vipd proxies: the servers see connections from this node"), true)
        XCTAssertTrue(byLine[2]?.first?.hasSuffix("transparent: true on the pool gives them the client's address") == true)
        XCTAssertEqual(byLine[3], ["vipd binds its listeners with IP_FREEBIND and checks the servers whether or not this node holds the address"])
        XCTAssertEqual(byLine[4], ["vipd has no quorum; to move the VIP when the pool has no server up, track the pool from the VRRP instance (track.pools)"])
        XCTAssertEqual(byLine[5], ["what vipd does for every server that goes DOWN: it gets no new connections and its established connections continue"])
        XCTAssertEqual(byLine[6], ["vipd has no IPVS scheduler flags"])
        XCTAssertEqual(byLine[7], ["vipd's backup server takes connections whenever no other server is up"])
        XCTAssertEqual(byLine[9], byLine[2], "lvs_method on a real server")
        XCTAssertEqual(
            byLine[10],
            ["vipd runs no command when a server changes state; it logs it (server POOL/SERVER is UP or DOWN, with VIPD_POOL and VIPD_SERVER journal fields)"])
        XCTAssertEqual(byLine[11], ["vipd limits connections per listener (maxconn), not per server"])
        XCTAssertEqual(byLine[12], byLine[5])
    }

    func testUDPFirewallMarksAndGroupsAreNotCarried() throws {
        let udp = """
            virtual_server 10.0.0.100 53 {
              protocol UDP
              real_server 10.0.0.1 53 {
              }
            }
            virtual_server fwmark 7 {
              real_server 10.0.0.1 80 {
              }
            }
            virtual_server_group web {
              10.0.0.100 80
            }
            virtual_server group web {
              real_server 10.0.0.1 80 {
              }
            }
            virtual_server 10.0.0.101 {
              persistence_timeout
              real_server 10.0.0.1 {
              }
            }
            virtual_server 10.0.0.102 443 {
              real_server 10.0.0.2 443 {
              }
            }
            """
        let result = try importing(udp)
        XCTAssertEqual(result.configuration.listeners.map(\.bind.description), ["10.0.0.102:443"])
        let byLine = reasons(result)
        XCTAssertEqual(byLine[1], ["protocol UDP at keepalived-1.conf:2: vipd proxies TCP only; not carried"])
        XCTAssertEqual(
            byLine[6],
            ["vipd listens on an address and port, not on a firewall mark: write one virtual_server ADDRESS PORT per service the mark selects; not carried"])
        XCTAssertEqual(
            byLine[10],
            ["vipd has no virtual server groups: write one virtual_server ADDRESS PORT per address and port of the group (each becomes a listener); not carried"])
        XCTAssertEqual(byLine[13], byLine[10])
        XCTAssertEqual(
            byLine[17],
            ["no port: keepalived forwards every port of a persistent service, vipd listens on one port per listener: write one virtual_server ADDRESS PORT per port; not carried"])
        for line in [2, 3, 7, 11, 14, 18, 19] { XCTAssertNil(byLine[line], "line \(line) goes with its virtual server's note") }
    }

    // MARK: Servers

    func testRealServersWeightsSorryServerAndNames() throws {
        let result = try importing(
            """
            virtual_server 10.0.0.100 80 {
              weight 2
              sorry_server 10.0.0.9 8080
              real_server 10.0.0.1 {
                TCP_CHECK {
                }
              }
              real_server 10.0.0.1 8080 {
                weight 0
              }
              real_server 10.0.0.2 80 {
                weight 1000
              }
              real_server 10.0.0.2 80 {
              }
            }
            """)
        let pool = try pool(result)
        XCTAssertEqual(
            pool.servers,
            [
                ServerConfig(name: "10.0.0.1-80", endpoint: SocketEndpoint(parsing: "10.0.0.1:80")!, weight: 2),
                ServerConfig(name: "10.0.0.1-8080", endpoint: SocketEndpoint(parsing: "10.0.0.1:8080")!, weight: 0, checked: false),
                ServerConfig(name: "10.0.0.2", endpoint: SocketEndpoint(parsing: "10.0.0.2:80")!, weight: 256, checked: false),
                ServerConfig(name: "sorry", endpoint: SocketEndpoint(parsing: "10.0.0.9:8080")!, backup: true, checked: false),
            ])
        XCTAssertEqual(pool.check.kind, .tcp)
        let byLine = reasons(result)
        XCTAssertEqual(byLine[9], ["LVS sends a weight 0 server no new connections; vipd gives it connections when no other server is up"])
        XCTAssertEqual(byLine[12], ["vipd's weights go up to 256: weight 256"])
        XCTAssertEqual(byLine[14], ["the virtual server has a real_server at 10.0.0.2:80 already; not carried"])
    }

    func testWithoutAnyCheckerEveryServerIsUp() throws {
        let result = try importing("virtual_server 10.0.0.100 22 {\n  real_server 10.0.0.1 22 {\n  }\n}\n")
        XCTAssertEqual(try pool(result).check.kind, nil)
        XCTAssertTrue(result.yaml.contains("      kind: none\n"), result.yaml)
        XCTAssertEqual(result.notes, [])
    }

    func testIPv6VirtualServer() throws {
        let result = try importing("virtual_server 2001:db8::100 443 {\n  real_server 2001:db8::1 443 {\n    TCP_CHECK {\n    }\n  }\n}\n")
        XCTAssertEqual(result.configuration.listeners.map(\.name), ["vs-2001-db8--100-443"])
        XCTAssertEqual(try pool(result).servers.map(\.name), ["2001-db8--1"])
        XCTAssertEqual(result.configuration.listeners.first?.bind.description, "[2001:db8::100]:443")
    }

    // MARK: Checks and their timing

    func testHTTPGetCarriesPathStatusesAndHostWithKeepalivedsTiming() throws {
        let result = try importing(
            """
            virtual_server 10.0.0.100 80 {
              delay_loop 10
              virtualhost www.example.com
              real_server 10.0.0.1 80 {
                HTTP_GET {
                  url {
                    path /health
                    status_code 200-204 301 200
                    digest 9b3a0c85a887a256d6939da88aabd8cd
                  }
                  url {
                    path /other
                  }
                  connect_port 80
                  connect_timeout 2.5
                  nb_get_retry 2
                  delay_before_retry 4
                  http_protocol 1.0
                }
              }
            }
            """)
        XCTAssertEqual(
            try pool(result).check,
            HealthCheckConfig(
                kind: .http(HTTPCheckSettings(path: "/health", host: "www.example.com", expectStatus: [200, 201, 202, 203, 204, 301])),
                interval: .seconds(10), timeout: .milliseconds(2500), fall: 3, rise: 1))
        let byLine = reasons(result)
        XCTAssertEqual(byLine[9], ["vipd's http check checks the status only"])
        XCTAssertEqual(byLine[11], ["vipd's http check requests one path (the first url); keepalived requires every url to pass"])
        XCTAssertNil(byLine[12], "inside the url listed")
        XCTAssertNil(byLine[14], "connect_port of the server's own port")
        XCTAssertEqual(byLine[18], ["vipd sends HTTP/1.1 with Connection: close"])
        XCTAssertEqual(
            byLine[5],
            [
                "keepalived retries a failed check 2 times, 4s apart (delay_before_retry), so a server is out within about 18s (delay_loop + retry × delay_before_retry); vipd has no retry delay of its own: fall 3 failed checks interval 10s apart take it out within about 30s; lower interval to find a failure sooner"
            ])
    }

    func testHTTPGetDefaults() throws {
        let result = try importing(Self.virtualServer("", realServer: "HTTP_GET {\nurl {\npath /\n}\n}"))
        XCTAssertEqual(
            try pool(result).check,
            HealthCheckConfig(
                kind: .http(HTTPCheckSettings(path: "/", expectStatus: Array(200...299))), interval: .seconds(60), timeout: .seconds(5),
                fall: 2, rise: 1), "delay_loop 60 s, connect_timeout 5 s, retry 1, status 200-299")
        let noURL = try importing(Self.virtualServer("", realServer: "HTTP_GET {\n}"))
        XCTAssertEqual(reasons(noURL)[4]?.first, "no url: vipd requests / and expects keepalived's default status 200-299")
    }

    func testTimingIsInheritedFromVirtualToRealServerToChecker() throws {
        let result = try importing(
            """
            virtual_server 10.0.0.100 80 {
              delay_loop 20
              connect_timeout 9
              retry 4
              delay_before_retry 20
              real_server 10.0.0.1 80 {
                connect_timeout 7
                retry 0
                TCP_CHECK {
                  delay_loop 5
                }
              }
            }
            """)
        XCTAssertEqual(try pool(result).check, HealthCheckConfig(kind: .tcp, interval: .seconds(5), timeout: .seconds(7), fall: 1, rise: 1))
        XCTAssertEqual(result.notes, [], "no retry: nothing about delay_before_retry")
        let equalDelays = try importing(Self.virtualServer("delay_loop 3\ndelay_before_retry 3", realServer: "TCP_CHECK {\nretry 2\n}"))
        XCTAssertEqual(try pool(equalDelays).check.fall, 3)
        XCTAssertEqual(equalDelays.notes, [], "retries as far apart as the checks: vipd's interval is exact")
    }

    func testSSLAndSMTPChecksBecomeConnectChecks() throws {
        let ssl = try importing(Self.virtualServer("", realServer: "SSL_GET {\nurl {\npath /\nstatus_code 200\n}\nenable_sni\n}"))
        XCTAssertEqual(try pool(ssl).check.kind, .tcp)
        XCTAssertEqual(try pool(ssl).check.fall, 2)
        let byLine = reasons(ssl)
        XCTAssertEqual(
            byLine[4]?.first,
            "vipd's checks do not speak TLS: a connect check (kind: tcp) is used instead; the server is up when it accepts connections on port 80, its HTTPS answer (path, status_code) is not checked")
        XCTAssertEqual(byLine[5], ["not checked: vipd's checks do not speak TLS, so this SSL_GET is a connect check (kind: tcp)"])
        XCTAssertEqual(byLine[9], ["vipd's checks do not speak TLS"])
        let smtp = try importing(Self.virtualServer("", realServer: "SMTP_CHECK {\nhelo_name vipd\n}"))
        XCTAssertEqual(try pool(smtp).check.kind, .tcp)
        XCTAssertEqual(reasons(smtp)[5], ["vipd's check connects only; it sends no HELO"])
    }

    func testMiscCheckBecomesAnExecCheck() throws {
        let result = try importing(
            Self.virtualServer(
                "delay_loop 15",
                realServer: """
                    MISC_CHECK {
                      misc_path "/usr/local/bin/check_web.sh 10.0.0.1"
                      misc_timeout 4
                      misc_dynamic
                      user nobody
                    }
                    """))
        XCTAssertEqual(
            try pool(result).check,
            HealthCheckConfig(kind: .exec(command: "/usr/local/bin/check_web.sh 10.0.0.1"), interval: .seconds(15), timeout: .seconds(4), fall: 1, rise: 1),
            "MISC_CHECK retries nothing by default")
        XCTAssertTrue(result.yaml.contains("      kind: exec\n      command: '/usr/local/bin/check_web.sh 10.0.0.1'\n"), result.yaml)
        let byLine = reasons(result)
        XCTAssertEqual(byLine[7]?.first?.hasPrefix("vipd's exec check passes on exit status 0 only: keepalived also takes 2-255 as up"), true)
        XCTAssertEqual(byLine[8], ["vipd runs the command as its own user (root under the shipped unit), with the unit's sandbox"])
        let defaultTimeout = try importing(Self.virtualServer("delay_loop 15", realServer: "MISC_CHECK {\nmisc_path /bin/true\n}"))
        XCTAssertEqual(try pool(defaultTimeout).check.timeout, .seconds(15), "misc_timeout defaults to the virtual server's delay_loop")
        let noPath = try importing(Self.virtualServer("", realServer: "MISC_CHECK {\nmisc_timeout 3\n}"))
        XCTAssertEqual(try pool(noPath).check.kind, nil)
        XCTAssertEqual(reasons(noPath)[4], ["a MISC_CHECK needs a misc_path (keepalived skips it too); not carried"])
    }

    func testOneCheckPerPoolAndPerServer() throws {
        let result = try importing(
            """
            virtual_server 10.0.0.100 80 {
              real_server 10.0.0.1 80 {
                HTTP_GET {
                  url {
                    path /ready
                  }
                }
                TCP_CHECK {
                }
              }
              real_server 10.0.0.2 80 {
                TCP_CHECK {
                  connect_port 8080
                }
              }
              real_server 10.0.0.3 80 {
                PING_CHECK {
                }
              }
            }
            """)
        let pool = try pool(result)
        XCTAssertEqual(pool.check.kind, .http(HTTPCheckSettings(path: "/ready", expectStatus: Array(200...299))))
        XCTAssertEqual(pool.servers.map(\.checked), [true, true, false])
        let byLine = reasons(result)
        XCTAssertEqual(
            byLine[8],
            ["keepalived requires every checker of a real server to pass; vipd runs one check per server, the HTTP_GET at keepalived-1.conf:3; not carried"])
        XCTAssertEqual(byLine[12], ["vipd checks every server of a pool alike: this server is checked as 10.0.0.1 is (HTTP_GET at keepalived-1.conf:3)"])
        XCTAssertEqual(byLine[13], ["vipd checks each server at its own port (80); to check port 8080, use a kind: exec check"])
        XCTAssertEqual(byLine[17], ["vipd has no ping check; not carried"])
    }

    // MARK: Files and haproxy.cfg together

    func testTheSameVirtualServerInEachNodesFileIsCarriedOnce() throws {
        let first = Self.virtualServer("lvs_sched rr")
        let result = try importing(first, first.replacingOccurrences(of: "lvs_sched rr", with: "lvs_sched sh"))
        XCTAssertEqual(result.configuration.listeners.count, 1)
        XCTAssertEqual(try pool(result).balance, .roundrobin)
        XCTAssertEqual(
            result.notes.filter { $0.location.file == "keepalived-2.conf" && $0.location.line == 1 }.map(\.reason),
            ["lvs_sched / persistence_timeout differ from keepalived-1.conf:1; vipd runs one setting on every node: that file's is kept"])
        XCTAssertTrue(result.yaml.contains("# keepalived-1.conf:1 virtual_server 10.0.0.100 80\n  # keepalived-2.conf:1 virtual_server 10.0.0.100 80\n"), result.yaml)
    }

    func testBesideHAProxyAClashingVirtualServerIsLeftOut() throws {
        let result = try Fixture.importing(
            haproxy: Fixture.sshProxy,
            keepalived: [
                "virtual_server 192.168.2.232 22 {\n  real_server 10.0.0.1 22 {\n  }\n}\nvirtual_server 192.168.2.232 80 {\n  real_server 10.0.0.1 80 {\n  }\n}\n"
            ],
            nodes: [])
        Fixture.assertLoads(result)
        XCTAssertEqual(result.configuration.listeners.map(\.name), ["ssh", "vs-192.168.2.232-80"])
        XCTAssertEqual(
            reasons(result)[1], ["not carried: haproxy.cfg's listener ssh binds 192.168.2.232:22 already, and vipd keeps that one"])
    }

    func testAnLVSPairWithVRRP() throws {
        let node = """
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              priority PRIORITY
              unicast_src_ip SELF
              unicast_peer {
                PEER
              }
              virtual_ipaddress {
                10.0.0.100/24
              }
            }
            virtual_server 10.0.0.100 80 {
              lvs_sched wlc
              real_server 10.0.0.21 80 {
                TCP_CHECK {
                }
              }
            }
            """
        func file(_ priority: Int, _ own: String, _ peer: String) -> String {
            node.replacingOccurrences(of: "PRIORITY", with: "\(priority)").replacingOccurrences(of: "SELF", with: own)
                .replacingOccurrences(of: "PEER", with: peer)
        }
        let result = try importing(file(100, "10.0.0.11", "10.0.0.12"), file(90, "10.0.0.12", "10.0.0.11"))
        XCTAssertEqual(result.configuration.nodes.map(\.address.text), ["10.0.0.11", "10.0.0.12"])
        XCTAssertEqual(result.configuration.nodes.map(\.priority), [100, 90])
        XCTAssertEqual(result.configuration.vrrp.map(\.name), ["VI_1"])
        XCTAssertEqual(result.configuration.listeners.map(\.bind.description), ["10.0.0.100:80"])
        XCTAssertEqual(try pool(result).servers.map(\.endpoint.description), ["10.0.0.21:80"], "real servers are not taken for nodes")
    }

    // MARK: Nothing to carry

    func testNoHAProxyAndNoVirtualServerSaysWhatIsMissing() {
        XCTAssertThrowsError(try Fixture.importing(keepalived: ["vrrp_instance VI_1 {\n}\n"])) { error in
            XCTAssertEqual(
                "\(error)",
                "keepalived-1.conf has no virtual_server, and no haproxy.cfg was given: vipd needs at least one listener. Pass --haproxy haproxy.cfg, or add a virtual_server ADDRESS PORT { real_server ADDRESS PORT { … } } to keepalived.conf")
        }
        XCTAssertThrowsError(try Fixture.importing(keepalived: ["virtual_server fwmark 1 {\n}\n"])) { error in
            XCTAssertEqual(
                "\(error)",
                "no virtual_server can be carried, and no haproxy.cfg was given: vipd needs at least one listener. Pass --haproxy haproxy.cfg, or add a virtual_server ADDRESS PORT { real_server ADDRESS PORT { … } } to keepalived.conf\n  keepalived-1.conf:1: virtual_server fwmark 1: vipd listens on an address and port, not on a firewall mark: write one virtual_server ADDRESS PORT per service the mark selects; not carried")
        }
        XCTAssertThrowsError(try ConfigImporter.translate(haproxy: nil, keepalived: [])) { error in
            XCTAssertEqual("\(error)", "nothing to import: give --haproxy haproxy.cfg, --keepalived keepalived.conf, or both")
        }
    }
}
