// swift-tools-version:6.0
// The least a SwiftNIO TCP proxy does, built and run by bench/http-floor.sh and bench/tcp-instructions.sh
// only (not part of vipd): it shows what NIO's transport costs per request and per connection before any proxy logic.
import PackageDescription

let package = Package(
    name: "nio-glue",
    dependencies: [.package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")],
    targets: [
        .executableTarget(
            name: "nio-glue",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")])
    ]
)
