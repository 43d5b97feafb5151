// swift-tools-version:6.0
// The least a TCP proxy on its own epoll loops does in Swift, built and run by bench/tcp-instructions.sh
// only (not part of vipd): the floor of a TCP mode without NIO's channels, set beside haproxy and bench/nio-glue.
import PackageDescription

let package = Package(
    name: "epoll-glue",
    targets: [
        .systemLibrary(name: "CLinux"),
        .executableTarget(name: "epoll-glue", dependencies: ["CLinux"]),
    ]
)
