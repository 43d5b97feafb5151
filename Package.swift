// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "vipd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vipd", targets: ["vipd"]),
        // The modules that read untrusted input, and the shared value types they speak in, for the
        // fuzz harnesses in fuzz/ (see docs/fuzzing.md).
        .library(name: "VipdCore", targets: ["VipdCore"]),
        .library(name: "VipdVRRPPacket", targets: ["VipdVRRPPacket"]),
        .library(name: "VipdMonitor", targets: ["VipdMonitor"]),
        .library(name: "VipdMonitorSession", targets: ["VipdMonitorSession"]),
        .library(name: "VipdCapture", targets: ["VipdCapture"]),
        .library(name: "VipdProxy", targets: ["VipdProxy"]),
        .library(name: "VipdConfig", targets: ["VipdConfig"]),
        .library(name: "VipdImport", targets: ["VipdImport"]),
        .library(name: "VipdDoctor", targets: ["VipdDoctor"]),
        .library(name: "VipdControl", targets: ["VipdControl"]),
        .library(name: "VipdStats", targets: ["VipdStats"]),
        .library(name: "VipdHandoff", targets: ["VipdHandoff"]),
        .library(name: "VipdNet", targets: ["VipdNet"]),
        .library(name: "VipdTransparent", targets: ["VipdTransparent"]),
        .library(name: "VipdSystem", targets: ["VipdSystem"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Thin command line: parses arguments, calls the libraries.
        .executableTarget(
            name: "vipd",
            dependencies: [
                "VipdCore", "VipdConfig", "VipdDaemon", "VipdDemo", "VipdMonitor", "VipdMonitorSession",
                "VipdImport", "VipdSystem", "VipdSystemd", "VipdDoctor", "VipdControl", "VipdHandoff",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The shared value types, on no other module and not on Foundation: IP addresses, prefixes,
        // socket endpoints, and Duration in vipd's units (milliseconds, centiseconds, seconds for
        // Foundation) and texts (log lines, config values); JSON values, and the few helpers that keep
        // Foundation out of the executable (trimming, a detached thread, a blocking sleep, whole writes).
        .target(name: "VipdCore"),
        // The cluster config: model, YAML loading with file:line:column errors, validation.
        .target(name: "VipdConfig", dependencies: ["VipdCore", "CYAML"]),
        // libyaml (Debian libyaml-dev), whose event parser VipdConfig composes its YAML nodes from.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // Pure load-balancing algorithms, one file each.
        .target(name: "VipdBalance"),
        // Health checks: pure rise/fall state, and one file per check kind (NIO I/O).
        .target(
            name: "VipdHealth",
            dependencies: [
                "VipdCore", "VipdConfig", "VipdSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The proxy: listeners, connector with retries, TCP glue, HTTP mode (NIOHTTP1), connection and access logs.
        .target(
            name: "VipdProxy",
            dependencies: [
                "VipdCore", "VipdConfig", "VipdBalance", "VipdHealth", "CVipdSys",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `vipd run`: the service group, reload on SIGHUP, drain on SIGTERM.
        .target(
            name: "VipdDaemon",
            dependencies: [
                "VipdCore", "VipdConfig", "VipdBalance", "VipdProxy", "VipdHealth", "VipdSpeaker", "VipdVRRP", "VipdMonitor", "VipdMonitorSession", "VipdSystemd", "VipdStats", "VipdControl", "VipdSystem",
                "VipdDoctor", "VipdHandoff", "VipdTransparent", "VipdNet", "CVipdSys",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // `vipd demo`: two nodes and a client in network namespaces, real sshd and vipd on each node;
        // round robin, a cut cable, a firewall dropping VRRP, each step verified.
        .target(name: "VipdDemo", dependencies: ["VipdCore", "VipdConfig", "VipdLab", "VipdVRRP", "VipdVRRPPacket"]),
        .testTarget(name: "VipdDemoTests", dependencies: ["VipdDemo", "VipdLab", "VipdConfig"]),
        // Pure VRRP wire format: the v2/v3 advertisement codec (shared by the speaker and the monitor).
        .target(name: "VipdVRRPPacket", dependencies: ["VipdCore"]),
        // Pure VRRP protocol: the clock-injected state machine, receive filter, tracked priority.
        .target(name: "VipdVRRP", dependencies: ["VipdCore", "VipdVRRPPacket", "VipdConfig"]),
        // Kernel interfaces Swift cannot import directly: netlink headers, AF_PACKET, cmsg macros.
        .target(name: "CVipdSys"),
        // Linux network I/O for VRRP: rtnetlink addresses, links and neighbours, the raw protocol-112
        // socket, gratuitous ARP and unsolicited neighbour advertisements.
        .target(
            name: "VipdNet",
            dependencies: ["CVipdSys", "VipdCore", "VipdVRRPPacket", .product(name: "Logging", package: "swift-log")]
        ),
        // Sessions kept across planned moves of a virtual address: vipd's nftables tables (pure
        // script), the moved addresses held on lo, tcp_fwmark_accept.
        .target(
            name: "VipdHandoff",
            dependencies: [
                "VipdCore", "VipdConfig", "VipdNet", "VipdSystem",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "VipdHandoffTests", dependencies: ["VipdHandoff", "VipdCore", "VipdConfig"]),
        // Transparent proxying: the client's address on connections to servers that are cluster
        // nodes, and the nftables table, rules and routes that bring the replies back.
        .target(
            name: "VipdTransparent",
            dependencies: [
                "VipdCore", "VipdConfig", "VipdNet", "VipdHandoff",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "VipdTransparentTests", dependencies: ["VipdTransparent", "VipdCore", "VipdConfig"]),
        // The VRRP speaker at work: instances driven by the raw socket and timers, tracking, notify.
        .target(
            name: "VipdSpeaker",
            dependencies: [
                "VipdCore", "VipdConfig", "VipdVRRP", "VipdVRRPPacket", "VipdNet", "VipdHealth", "VipdHandoff", "VipdSystem",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libpcap (Debian libpcap-dev), for the advertisement monitor.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        // Packet capture I/O on libpcap: live capture with a BPF filter, pcap/pcapng files, kernel drop counters.
        .target(name: "VipdCapture", dependencies: ["CPcap"]),
        // Pure monitor logic: frame decoding (VRRP through the speaker's codec, ARP, NA, ICMP),
        // the clock-injected analyzer and its findings, and the report renderers.
        .target(name: "VipdMonitor", dependencies: ["VipdCore", "VipdVRRP", "VipdVRRPPacket"]),
        // The monitor at work: capture -> decode -> analyze -> report, for `vipd monitor` and the daemon;
        // the monitor's expectations from the cluster config.
        .target(
            name: "VipdMonitorSession",
            dependencies: [
                "VipdCore", "VipdMonitor", "VipdCapture", "VipdConfig", "VipdVRRPPacket",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The host around vipd: TCP listeners from /proc/net and their owners, sshd coordination
        // (the ListenAddress snippet, sshd_config includes), atomic file replacement, the one launcher
        // of child processes (track scripts, notify commands and exec checks through /bin/sh; nft, ip,
        // sshd -t, systemctl and the firewall tools).
        .target(
            name: "VipdSystem",
            dependencies: ["VipdCore", "VipdConfig", "CVipdSys", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        // libsystemd (Debian libsystemd-dev): sd_notify and the native journal.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // systemd integration: READY/STATUS/WATCHDOG/RELOADING/STOPPING notifications and a
        // swift-log handler writing structured journal records.
        .target(
            name: "VipdSystemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        // `vipd import`: haproxy.cfg and keepalived.conf read as they are, translated to one vipd.yaml,
        // every directive that cannot be carried listed with file:line.
        .target(name: "VipdImport", dependencies: ["VipdCore", "VipdConfig"]),
        // `vipd doctor`: preflight checks on a node, each PASS/WARN/FAIL with the fix.
        .target(
            name: "VipdDoctor",
            dependencies: [
                "VipdCore", "VipdConfig", "VipdSystem", "VipdNet", "VipdCapture", "VipdHealth", "VipdVRRPPacket", "VipdHandoff",
                "VipdTransparent",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The stats listener: the live HTML page, /stats.json and Prometheus /metrics.
        .target(
            name: "VipdStats",
            dependencies: [
                "VipdCore", "VipdConfig", "VipdProxy", "VipdHealth", "VipdVRRP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Runtime control: the unix-socket protocol between `vipd ctl` and the daemon.
        .target(
            name: "VipdControl",
            dependencies: [
                "VipdBalance", "VipdVRRP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Real OpenSSH servers and clients on loopback, for `vipd demo` and the tests.
        .target(
            name: "VipdLab",
            dependencies: ["CVipdSys", "VipdCore", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        .testTarget(name: "VipdCoreTests", dependencies: ["VipdCore"]),
        .testTarget(name: "VipdConfigTests", dependencies: ["VipdConfig", "VipdCore"]),
        .testTarget(name: "VipdBalanceTests", dependencies: ["VipdBalance"]),
        .testTarget(
            name: "VipdVRRPPacketTests",
            dependencies: [
                "VipdVRRPPacket", "VipdCore", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "VipdVRRPTests", dependencies: ["VipdVRRP", "VipdCore", "VipdVRRPPacket", "VipdConfig"]),
        .testTarget(name: "VipdNetTests", dependencies: ["VipdNet", "CVipdSys", "VipdCore", "VipdLab", "VipdVRRPPacket"]),
        .testTarget(
            name: "VipdCaptureTests",
            dependencies: ["VipdCapture", "VipdCore", "VipdLab", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(
            name: "VipdMonitorTests",
            dependencies: [
                "VipdMonitor", "VipdMonitorSession", "VipdCore", "VipdVRRPPacket",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]),

        .testTarget(
            name: "VipdHealthTests",
            dependencies: [
                "VipdHealth", "VipdConfig", "VipdCore", "VipdLab",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "VipdProxyTests",
            dependencies: [
                "VipdProxy", "VipdBalance", "VipdCore", "VipdConfig", "VipdLab",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "VipdSystemTests", dependencies: ["VipdSystem", "VipdCore", "VipdConfig", "VipdLab"]),
        .testTarget(name: "VipdSystemdTests", dependencies: ["VipdSystemd", "VipdLab", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "VipdImportTests", dependencies: ["VipdImport", "VipdCore", "VipdConfig"], resources: [.copy("Fixtures")]),
        .testTarget(name: "VipdDoctorTests", dependencies: ["VipdDoctor", "VipdCore", "VipdSystem", "VipdConfig", "VipdLab", "VipdNet"]),
        .testTarget(
            name: "VipdStatsTests",
            dependencies: [
                "VipdStats", "VipdCore", "VipdConfig", "VipdLab", "VipdVRRP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "VipdControlTests",
            dependencies: [
                "VipdControl", "VipdConfig", "VipdBalance", "VipdVRRP", .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "VipdIntegrationTests",
            dependencies: ["VipdLab", "VipdCore", "VipdConfig"],
            exclude: ["bulk_transfer.py", "fd_exhaustion.py", "stats_browser.py", "parse_metrics.py", "websocket_peer.py"]
        ),
    ]
)
