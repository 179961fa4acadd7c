// swift-tools-version:6.1
import PackageDescription

/// Strictness shared by every target: Swift 6 language mode is implied by the tools version.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "agentsmesh",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "agentsmesh", targets: ["agentsmesh"]),
        .executable(name: "meshes", targets: ["meshes"]),
        .library(name: "Generation", targets: ["Generation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CCurl"),
        .target(
            name: "MeshKit",
            dependencies: [
                "CGit2", "CZlib", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(name: "Canonical", dependencies: ["MeshKit"], swiftSettings: strict),
        .target(name: "Projectors", dependencies: ["MeshKit", "Canonical"], swiftSettings: strict),
        .target(name: "Generation", dependencies: ["MeshKit", "Canonical", "Projectors", "Lessons"], swiftSettings: strict),
        .target(name: "Lessons", dependencies: ["MeshKit", "CGit2"], swiftSettings: strict),
        .target(name: "Packs", dependencies: ["MeshKit", "Canonical", "Projectors", "CGit2", "CZlib", "CCurl"], swiftSettings: strict),
        .target(
            name: "MeshesCore",
            dependencies: ["MeshKit", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources/integrations.json")],
            swiftSettings: strict
        ),
        .target(
            name: "Meshes",
            dependencies: ["MeshKit", "MeshesCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "MeshesServer",
            dependencies: ["Meshes", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "meshes",
            dependencies: [
                "Meshes", "MeshesServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agentsmesh-bench",
            dependencies: ["Lessons", "MeshKit"],
            path: "Sources/AgentsMeshBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "meshes-bench",
            dependencies: ["Meshes", "MeshesCore"],
            path: "Sources/MeshesBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "agentsmesh",
            dependencies: [
                "Generation",
                "Lessons",
                "Packs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(name: "TestSupport", dependencies: ["MeshKit"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "MeshKitTests", dependencies: ["MeshKit", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CanonicalTests", dependencies: ["Canonical"], swiftSettings: strict),
        .testTarget(name: "ProjectorsTests", dependencies: ["Projectors", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["Generation", "agentsmesh"], swiftSettings: strict),
        .testTarget(name: "LessonsTests", dependencies: ["Lessons", "Generation", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "PacksTests", dependencies: ["Packs", "Generation", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "MeshesCoreTests", dependencies: ["MeshesCore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "MeshesTests", dependencies: ["Meshes", "MeshesServer", "meshes"], swiftSettings: strict),
        .testTarget(
            name: "GenerationTests",
            dependencies: ["Generation", "TestSupport"],
            swiftSettings: strict
        ),
    ]
)
