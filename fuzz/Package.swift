// swift-tools-version:6.0
// libFuzzer harnesses for every decoder and parser vipd runs on untrusted input (docs/fuzzing.md).
// Built by scripts/fuzz with -sanitize=fuzzer,address and -enable-testing (two harnesses reach
// the HTTP/1 parser, which is internal to VipdProxy, and one VipdConfig's YAML composer); each
// harness is one executable whose
// main.swift hands its body to libFuzzer through FuzzDriver.
// The main package is reached through the link `vipd` -> `..`: SwiftPM names a path dependency
// after its directory, and a checkout named `fuzz` would otherwise clash with this package.
import PackageDescription

/// A harness `fuzz-NAME` in Sources/fuzz-NAME/main.swift, on the given products of the main package.
func harness(_ name: String, _ products: [String], extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: "fuzz-\(name)",
        dependencies: ["FuzzDriver"] + products.map { .product(name: $0, package: "vipd") } + extra)
}

let package = Package(
    name: "vipd-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "vipd"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // libFuzzer's LLVMFuzzerRunDriver, declared for Swift, and the harnesses' main on it.
        .target(name: "CFuzzerDriver"),
        .target(name: "FuzzDriver", dependencies: ["CFuzzerDriver"]),
        harness("vrrp", ["VipdVRRPPacket", "VipdCore"]),
        harness("frame", ["VipdMonitor"]),
        harness("capture-file", ["VipdMonitorSession", "VipdMonitor"]),
        harness("http-head", ["VipdProxy"], extra: [.product(name: "NIOCore", package: "swift-nio")]),
        harness("http-body", ["VipdProxy"], extra: [.product(name: "NIOCore", package: "swift-nio")]),
        harness("response-file", ["VipdConfig"]),
        harness("config", ["VipdConfig"]),
        harness("yaml", ["VipdConfig"]),
        harness("haproxy", ["VipdImport", "VipdConfig"]),
        harness("keepalived", ["VipdImport", "VipdConfig", "VipdCore"]),
        harness("nftables", ["VipdDoctor"]),
        harness("iptables", ["VipdDoctor"]),
        harness("control-wire", ["VipdControl"]),
        harness("peer-stats", ["VipdStats"]),
        harness("session-handoff", ["VipdHandoff", "VipdProxy"]),
        harness("netlink-neighbour", ["VipdNet"]),
        harness("netlink-conntrack", ["VipdNet"]),
        harness("netlink-rule", ["VipdNet"]),
        harness("netlink-address", ["VipdNet"]),
        harness("policy-routing", ["VipdTransparent", "VipdHandoff", "VipdCore"]),
        harness("track-file", ["VipdSystem"]),
        harness("proc-process", ["VipdSystem"]),
        harness("proc-net-tcp", ["VipdSystem", "VipdCore"]),
    ]
)
