// swift-tools-version: 6.1
import PackageDescription

/// One set of compiler settings for every target, as Hummingbird does: `any` spelled out, members
/// visible only from modules a file imports, and imports internal unless marked `public`.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "touchstone",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "touchstone", targets: ["touchstone"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(name: "HexText", swiftSettings: swiftSettings),
        .target(
            name: "PQ",
            dependencies: [
                "CLibPQ", "HexText",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "JSON", dependencies: ["HexText"], swiftSettings: swiftSettings),
        .target(name: "Sales", dependencies: ["HexText", "JSON"], swiftSettings: swiftSettings),
        .target(
            name: "EventStore",
            dependencies: [
                "PQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Projections",
            dependencies: [
                "PQ", "EventStore", "Sales", "Access", "JSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Access",
            dependencies: [
                "PQ", "JSON", "HexText",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Recording",
            dependencies: [
                "Sales", "EventStore", "PQ", "Access", "JSON", "Projections",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "Demo", dependencies: ["Sales", "JSON"], swiftSettings: swiftSettings),
        .target(
            name: "HTTPAPI",
            dependencies: [
                "Sales", "EventStore", "Projections", "Access", "Recording", "PQ", "JSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "touchstone",
            dependencies: [
                "HTTPAPI", "Projections", "EventStore", "Access", "Sales", "PQ", "Recording", "Demo", "JSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Access", "EventStore", "Projections", "Sales", "Recording", "PQ", "TestSupport", "Demo", "JSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: ["PQ", "EventStore", "Access"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SalesTests", dependencies: ["Sales", "HexText", "JSON"], swiftSettings: swiftSettings),
        .testTarget(name: "PQTests", dependencies: ["PQ", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AccessTests", dependencies: ["Access", "PQ", "Sales", "JSON", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EventStoreTests",
            dependencies: ["EventStore", "PQ", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProjectionTests",
            dependencies: ["Projections", "EventStore", "Sales", "PQ", "TestSupport", "Access", "JSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecordingTests",
            dependencies: [
                "Recording", "Demo", "Projections", "Sales", "Access", "EventStore", "PQ", "TestSupport", "JSON",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPAPITests",
            dependencies: [
                "HTTPAPI", "Access", "EventStore", "Projections", "Sales", "TestSupport", "Recording", "PQ", "JSON",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
