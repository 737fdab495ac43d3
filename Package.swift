// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "chainmall",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "chainmall", targets: ["ChainMall"]),
        // The pricing engine's micro-benchmark (bench/run builds and runs it in release mode).
        .executable(name: "pricing-bench", targets: ["PricingBench"]),
        .library(name: "MallCore", targets: ["MallCore"]),
        .library(name: "MallAPI", targets: ["MallAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/jwt.git", from: "5.2.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // RSA signatures and X.509 platform certificates for WeChat Pay and Alipay (already
        // built for JWT; named here because the payment providers import them directly).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
    ],
    targets: [
        // Business rules only: Foundation and nothing else, so an iOS client can embed it unchanged.
        .target(name: "MallCore"),
        .target(name: "MallAPI", dependencies: ["MallCore"]),
        .target(
            name: "MallServer",
            dependencies: [
                "MallCore",
                "MallAPI",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "JWT", package: "jwt"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .executableTarget(name: "ChainMall", dependencies: ["MallServer"]),
        .executableTarget(name: "PricingBench", dependencies: ["MallCore"]),
        .testTarget(name: "MallCoreTests", dependencies: ["MallCore"]),
        .testTarget(
            name: "MallServerTests",
            dependencies: [
                "MallServer",
                .product(name: "VaporTesting", package: "vapor"),
            ],
            // Committed inputs: sample images, SigV4 and payment vectors made by Tests/vectors/*.py.
            resources: [.copy("Fixtures")]
        ),
    ]
)
