// swift-tools-version:6.0
import PackageDescription

/// Settings shared by every Swift target: Swift 6 language mode (strict concurrency) everywhere.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Agentry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "agentry", targets: ["AgentryCLI"]),
        .executable(name: "agentry-ingest", targets: ["AgentryIngest"]),
        .executable(name: "agentry-director", targets: ["AgentryDirector"]),
        .executable(name: "agentry-model-gateway", targets: ["AgentryModelGateway"]),
        .executable(name: "agentry-code-worker", targets: ["AgentryCodeWorker"]),
        .executable(name: "agentry-data-worker", targets: ["AgentryDataWorker"]),
        .executable(name: "agentry-comm-worker", targets: ["AgentryCommWorker"]),
        .executable(name: "agentry-browser-worker", targets: ["AgentryBrowserWorker"]),
        .executable(name: "agentry-audit-writer", targets: ["AgentryAuditWriter"]),
        .executable(name: "agentry-notifier", targets: ["AgentryNotifier"]),
        .library(name: "AgentryContracts", targets: ["AgentryContracts"]),
        .library(name: "AgentryBus", targets: ["AgentryBus"]),
        .library(name: "AgentryStore", targets: ["AgentryStore"]),
        .library(name: "AgentryHTTP", targets: ["AgentryHTTP"]),
        .library(name: "AgentryServiceKit", targets: ["AgentryServiceKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: C libraries, each imported only by its adapter.
        .target(
            name: "CAMQP",
            path: "Shared/CAMQP",
            linkerSettings: [.linkedLibrary("rabbitmq")]
        ),
        .target(
            name: "CLibPQ",
            path: "Shared/CLibPQ",
            linkerSettings: [.linkedLibrary("pq")]
        ),
        .target(
            name: "CCurl",
            path: "Shared/CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),

        // MARK: Shared modules.
        .target(
            name: "AgentryContracts",
            path: "Shared/AgentryContracts",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgentryBus",
            dependencies: [
                "CAMQP",
                "AgentryContracts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Shared/AgentryBus",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgentryStore",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/AgentryStore",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgentryHTTP",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/AgentryHTTP",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgentryServiceKit",
            dependencies: [
                "AgentryContracts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/AgentryServiceKit",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgentryRuntime",
            dependencies: [
                "AgentryContracts",
                "AgentryBus",
                "AgentryStore",
                "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/AgentryRuntime",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgentryChannels",
            dependencies: [
                "AgentryContracts",
                "AgentryStore",
                "AgentryHTTP",
                "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Shared/AgentryChannels",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgentryAudit",
            dependencies: [
                "AgentryContracts",
                "AgentryStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/AgentryAudit",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AgentryTestSupport",
            dependencies: [
                "AgentryContracts",
                "AgentryBus",
                "AgentryStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Shared/AgentryTestSupport",
            swiftSettings: swiftSettings
        ),

        // MARK: Executables.
        .executableTarget(
            name: "AgentryCLI",
            dependencies: [
                "AgentryContracts",
                "AgentryBus",
                "AgentryStore",
                "AgentryHTTP",
                "AgentryServiceKit",
                "AgentryAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Services/AgentryCLI",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "AgentryIngest",
            dependencies: [
                "AgentryRuntime", "AgentryContracts", "AgentryBus", "AgentryStore", "AgentryServiceKit", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Ingest",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentryDirector",
            dependencies: [
                "AgentryRuntime", "AgentryContracts", "AgentryBus", "AgentryStore", "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Director",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentryModelGateway",
            dependencies: [
                "AgentryRuntime", "AgentryContracts", "AgentryBus", "AgentryServiceKit", "AgentryStore", "AgentryHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/ModelGateway",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentryCodeWorker",
            dependencies: [
                "AgentryRuntime", "AgentryContracts", "AgentryBus", "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/CodeWorker",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentryDataWorker",
            dependencies: [
                "AgentryRuntime", "AgentryContracts", "AgentryBus", "AgentryStore", "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/DataWorker",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentryCommWorker",
            dependencies: [
                "AgentryRuntime", "AgentryChannels", "AgentryContracts", "AgentryBus", "AgentryStore", "AgentryHTTP", "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/CommWorker",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentryBrowserWorker",
            dependencies: [
                "AgentryRuntime", "AgentryContracts", "AgentryBus", "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/BrowserWorker",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentryAuditWriter",
            dependencies: [
                "AgentryRuntime", "AgentryAudit", "AgentryContracts", "AgentryBus", "AgentryStore", "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/AuditWriter",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentryNotifier",
            dependencies: [
                "AgentryRuntime", "AgentryChannels", "AgentryContracts", "AgentryBus", "AgentryStore", "AgentryHTTP", "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Notifier",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests.
        .testTarget(
            name: "AgentryContractsTests",
            dependencies: ["AgentryContracts"],
            path: "Tests/AgentryContractsTests",
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentryBusTests",
            dependencies: ["AgentryBus", "AgentryContracts", "AgentryTestSupport"],
            path: "Tests/AgentryBusTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentryStoreTests",
            dependencies: ["AgentryStore", "AgentryTestSupport"],
            path: "Tests/AgentryStoreTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentryHTTPTests",
            dependencies: [
                "AgentryHTTP",
                "AgentryTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/AgentryHTTPTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentryServiceKitTests",
            dependencies: [
                "AgentryServiceKit",
                "AgentryTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            path: "Tests/AgentryServiceKitTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "AgentryIngest",
                "AgentryRuntime",
                "AgentryChannels",
                "AgentryAudit",
                "AgentryBus",
                "AgentryStore",
                "AgentryContracts",
                "AgentryTestSupport",
                "AgentryHTTP",
                "AgentryCommWorker",
                "AgentryNotifier",
                "AgentryAuditWriter",
                "AgentryBrowserWorker",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/IntegrationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentryServicesTests",
            dependencies: [
                "AgentryIngest", "AgentryDirector", "AgentryModelGateway", "AgentryCodeWorker", "AgentryDataWorker",
                "AgentryCommWorker", "AgentryBrowserWorker", "AgentryAuditWriter", "AgentryNotifier",
                "AgentryRuntime", "AgentryChannels", "AgentryAudit", "AgentryContracts", "AgentryBus", "AgentryStore",
                "AgentryHTTP", "AgentryTestSupport", "AgentryCLI", "AgentryServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            path: "Tests/AgentryServicesTests",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AgentryGatewayBenchmark",
            dependencies: [
                "AgentryBus", "AgentryContracts", "AgentryHTTP", "AgentryTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/GatewayBenchmark",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "AgentryContracts", "AgentryStore", "AgentryHTTP", "AgentryAudit", "AgentryTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/EndToEndTests",
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
