// swift-tools-version:6.1
import PackageDescription

/// Strictness shared by every target (Swift 6 language mode is implied by the tools version):
/// a plain `import` is internal, and a file sees only the members of modules it imports itself.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let yams: Target.Dependency = .product(name: "Yams", package: "Yams")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")

let package = Package(
    name: "agentsmesh",
    products: [
        .executable(name: "agentsmesh", targets: ["agentsmesh"]),
        .executable(name: "agentsmesh-mcp", targets: ["agentsmesh-mcp"]),
        .executable(name: "meshes", targets: ["meshes"]),
        .library(name: "AgentsMeshGeneration", targets: ["AgentsMeshGeneration"]),
        .library(name: "MeshesEngine", targets: ["MeshesEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        // Already resolved through Hummingbird; named because MeshesServer imports them directly.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Already resolved through AsyncHTTPClient and PostgresNIO; named because MeshesPostgres builds TLS contexts.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries, linked only by the modules that call them.
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CCurl"),

        // Shared: knows neither product.
        .target(name: "SharedPlatform", swiftSettings: strict),
        .target(
            name: "SharedCore",
            dependencies: ["SharedPlatform", crypto, .product(name: "OrderedCollections", package: "swift-collections")],
            swiftSettings: strict
        ),

        .target(
            name: "SharedMCP",
            dependencies: [
                "SharedCore", "SharedPlatform", .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // The agentsmesh wing.
        .target(name: "AgentsMeshKit", dependencies: ["SharedCore", "SharedPlatform", yams], swiftSettings: strict),
        .target(name: "AgentsMeshGit", dependencies: ["CGit2"], swiftSettings: strict),
        .target(name: "AgentsMeshCanonical", dependencies: ["SharedCore", "SharedPlatform", "AgentsMeshKit"], swiftSettings: strict),
        .target(
            name: "AgentsMeshProjectors",
            dependencies: ["SharedCore", "AgentsMeshKit", "AgentsMeshCanonical"],
            swiftSettings: strict
        ),
        .target(
            name: "AgentsMeshLessons",
            dependencies: ["SharedCore", "SharedPlatform", "AgentsMeshKit", "AgentsMeshGit", "CGit2"],
            swiftSettings: strict
        ),
        .target(
            name: "AgentsMeshGeneration",
            dependencies: [
                "SharedCore", "SharedPlatform", "AgentsMeshKit", "AgentsMeshCanonical", "AgentsMeshProjectors",
                "AgentsMeshLessons", "AgentsMeshPacks",
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AgentsMeshPacks",
            dependencies: [
                "SharedCore", "SharedPlatform", "AgentsMeshKit", "AgentsMeshGit", "AgentsMeshCanonical",
                "AgentsMeshProjectors", "CGit2", "CZlib", "CCurl",
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AgentsMeshMCP",
            dependencies: [
                "SharedCore", "SharedMCP", "AgentsMeshCanonical", "AgentsMeshProjectors", "AgentsMeshGeneration", "AgentsMeshLessons",
                "AgentsMeshPacks",
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agentsmesh",
            dependencies: [
                "SharedCore", "SharedPlatform", "AgentsMeshKit", "AgentsMeshCanonical", "AgentsMeshProjectors",
                "AgentsMeshGeneration", "AgentsMeshLessons", "AgentsMeshPacks", argumentParser,
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agentsmesh-mcp", dependencies: ["SharedCore", "SharedPlatform", "SharedMCP", "AgentsMeshMCP"],
            swiftSettings: strict),
        .executableTarget(
            name: "agentsmesh-bench",
            dependencies: ["SharedCore", "AgentsMeshLessons"],
            path: "Sources/AgentsMeshBench",
            swiftSettings: strict
        ),

        // The meshes wing.
        .target(
            name: "MeshesCore",
            dependencies: ["SharedCore", "SharedPlatform", crypto],
            resources: [.copy("Resources/integrations.json")],
            swiftSettings: strict
        ),
        .target(
            name: "MeshesEngine",
            dependencies: ["SharedCore", "MeshesCore", grdb, .product(name: "GRDBSQLite", package: "GRDB.swift")], swiftSettings: strict),
        // The PostgreSQL store for several engine nodes sharing one database.
        .target(
            name: "MeshesPostgres",
            dependencies: [
                "SharedCore", "MeshesCore", "MeshesEngine", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // Chooses the store from `--db` / MESHES_DB: a postgres:// URL or a SQLite file.
        .target(
            name: "MeshesStores", dependencies: ["SharedCore", "MeshesCore", "MeshesEngine", "MeshesPostgres"], swiftSettings: strict),
        .target(
            name: "MeshesServer",
            dependencies: [
                "MeshesCore", "MeshesEngine", hummingbird,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Delivery: the scheduler and its workers, over one shared AsyncHTTPClient.
        .target(
            name: "MeshesDelivery",
            dependencies: [
                "SharedCore", "SharedPlatform", "MeshesCore", "MeshesEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The engine as a client sees it: embedded (in-process router) or remote (HTTP, machine JWT).
        .target(
            name: "MeshesClient",
            dependencies: [
                "SharedCore", "MeshesCore", "MeshesEngine", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The 33 operations of `meshes mcp`, shared by the tools and the CLI verbs.
        .target(
            name: "MeshesMCP",
            dependencies: ["SharedCore", "SharedMCP", "MeshesCore", "MeshesEngine", "MeshesClient", "MeshesDelivery", "MeshesStores"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "meshes",
            dependencies: [
                "SharedCore", "SharedMCP", "SharedPlatform", "MeshesCore", "MeshesEngine", "MeshesServer", "MeshesDelivery", "MeshesClient",
                "MeshesMCP", "MeshesStores", argumentParser,
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "meshes-bench",
            dependencies: [
                "SharedCore", "MeshesCore", "MeshesEngine", hummingbird, .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/MeshesBench",
            swiftSettings: strict
        ),

        // The transcript harness: the replayer, and the tests that replay every transcript.
        .target(
            name: "HarnessReplayer", dependencies: ["SharedCore", "SharedMCP", "SharedPlatform"], path: "Harness/Replayer",
            swiftSettings: strict),
        .testTarget(
            name: "HarnessTests",
            dependencies: [
                "SharedCore", "SharedMCP", "AgentsMeshMCP", "MeshesMCP", "HarnessReplayer", "agentsmesh", "agentsmesh-mcp", "meshes",
            ],
            path: "Harness/Tests", swiftSettings: strict),

        // Tests: one target per module.
        .target(name: "TestSupport", dependencies: ["SharedCore"], path: "Tests/TestSupport", swiftSettings: strict),
        // The stores the meshes suites are parameterised over (kept out of TestSupport, which the agentsmesh tests share).
        .target(
            name: "MeshesTestSupport", dependencies: ["MeshesCore", "MeshesEngine", "MeshesPostgres", "TestSupport"],
            path: "Tests/MeshesTestSupport", swiftSettings: strict),
        .testTarget(
            name: "MeshesPostgresTests",
            dependencies: ["SharedCore", "MeshesCore", "MeshesEngine", "MeshesPostgres", "MeshesStores", "TestSupport", "meshes", grdb],
            swiftSettings: strict
        ),
        .testTarget(name: "SharedCoreTests", dependencies: ["SharedCore", "SharedPlatform"], swiftSettings: strict),
        .testTarget(name: "SharedMCPTests", dependencies: ["SharedCore", "SharedMCP"], swiftSettings: strict),
        .testTarget(
            name: "AgentsMeshKitTests",
            dependencies: ["SharedCore", "AgentsMeshKit", "TestSupport", yams],
            swiftSettings: strict
        ),
        .testTarget(name: "AgentsMeshCanonicalTests", dependencies: ["SharedCore", "AgentsMeshCanonical"], swiftSettings: strict),
        .testTarget(
            name: "AgentsMeshProjectorsTests",
            dependencies: ["SharedCore", "AgentsMeshKit", "AgentsMeshProjectors", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AgentsMeshGenerationTests",
            dependencies: [
                "SharedCore", "SharedPlatform", "AgentsMeshKit", "AgentsMeshCanonical", "AgentsMeshProjectors",
                "AgentsMeshGeneration", "TestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AgentsMeshLessonsTests",
            dependencies: ["SharedCore", "AgentsMeshKit", "AgentsMeshLessons", "AgentsMeshGeneration", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AgentsMeshPacksTests",
            dependencies: [
                "SharedCore", "AgentsMeshGit", "AgentsMeshCanonical", "AgentsMeshPacks", "AgentsMeshGeneration",
                "TestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AgentsMeshMCPTests", dependencies: ["SharedCore", "SharedMCP", "AgentsMeshMCP", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "AgentsMeshCLITests",
            dependencies: ["SharedCore", "AgentsMeshGeneration", "agentsmesh"],
            swiftSettings: strict
        ),
        .testTarget(name: "MeshesCoreTests", dependencies: ["SharedCore", "MeshesCore", "TestSupport", crypto], swiftSettings: strict),
        .testTarget(
            name: "MeshesClientTests",
            dependencies: [
                "SharedCore", "MeshesCore", "MeshesEngine", "MeshesClient", "TestSupport", "meshes", hummingbird,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshesMCPTests", dependencies: ["SharedCore", "SharedMCP", "MeshesClient", "MeshesMCP", "TestSupport", "meshes"],
            swiftSettings: strict),
        .testTarget(
            name: "MeshesDeliveryTests",
            dependencies: [
                "SharedCore", "SharedMCP", "MeshesCore", "MeshesEngine", "MeshesDelivery", "MeshesMCP", "MeshesTestSupport", "TestSupport",
                "meshes", hummingbird,
                grdb,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeshesEngineTests",
            dependencies: [
                "SharedCore", "SharedPlatform", "MeshesCore", "MeshesEngine", "MeshesDelivery", "MeshesTestSupport", "TestSupport",
                "meshes",
                grdb,
            ],
            swiftSettings: strict
        ),
    ]
)
