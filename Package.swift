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
        .library(name: "Generation", targets: ["Generation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "MeshKit",
            dependencies: ["CGit2", "CZlib", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "Canonical", dependencies: ["MeshKit"], swiftSettings: strict),
        .target(name: "Projectors", dependencies: ["MeshKit", "Canonical"], swiftSettings: strict),
        .target(name: "Generation", dependencies: ["MeshKit", "Canonical", "Projectors", "Lessons"], swiftSettings: strict),
        .target(name: "Lessons", dependencies: ["MeshKit"], swiftSettings: strict),
        .target(name: "Packs", dependencies: ["MeshKit", "Canonical", "Projectors", "CGit2", "CZlib"], swiftSettings: strict),
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
        .testTarget(name: "MeshKitTests", dependencies: ["MeshKit"], swiftSettings: strict),
        .testTarget(name: "CanonicalTests", dependencies: ["Canonical"], swiftSettings: strict),
        .testTarget(name: "ProjectorsTests", dependencies: ["Projectors"], swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["Generation", "agentsmesh"], swiftSettings: strict),
        .testTarget(name: "LessonsTests", dependencies: ["Lessons", "Generation"], swiftSettings: strict),
        .testTarget(name: "PacksTests", dependencies: ["Packs", "Generation"], swiftSettings: strict),
        .testTarget(
            name: "GenerationTests",
            dependencies: ["Generation"],
            swiftSettings: strict
        ),
    ]
)
