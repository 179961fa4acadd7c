import AgentsMeshGeneration
import AgentsMeshKit
import Foundation
import SharedCore
import TestSupport
import Testing

/// A throwaway project folder for one test.
struct TestProject {
    let root: String

    init(_ files: [String: String] = [:]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("am-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = FileSystem.realPath(base.path) ?? base.path
        for (path, text) in files { try write(path, text) }
    }

    /// A copy of a committed fixture tree.
    init(fixture name: String) throws {
        try self.init()
        try FileManager.default.removeItem(atPath: root)
        try FileManager.default.copyItem(atPath: Fixtures.path(name), toPath: root)
    }

    func write(_ path: String, _ text: String) throws { try write(path, bytes: Array(text.utf8)) }

    func write(_ path: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: root + "/" + path).map { Array($0) }
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root + "/" + path) }

    func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: root + "/" + path) }

    /// Every file outside `.agentsmesh/` and `agentsmesh*.yaml`, relative and sorted.
    func outputFiles() -> [String] {
        FileSystem.walkFiles(root).filter { !$0.hasPrefix(".agentsmesh/") && !$0.hasPrefix("agentsmesh") && $0 != StatCache.fileName }
    }

    @discardableResult
    func generate(_ targets: [String]? = nil, dryRun: Bool = false, check: Bool = false) async throws -> GenerateResult {
        try await Generator(root: root).generate(GenerateOptions(targets: targets, dryRun: dryRun, check: check, lockTimeout: 5))
    }

    /// Runs a throwing call and returns the ToolError code it threw (nil when it succeeded).
    func errorCode(_ body: () async throws -> Void) async -> String? {
        await TestSupport.errorCode(body)
    }
}

/// Locating committed fixtures from the test sources.
enum Fixtures {
    static func path(_ name: String, file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }
}

/// The spec's `FULL` fixture (§8), byte for byte.
enum FullFixture {
    static let config =
        "version: 1\ntargets: [claude-code, cursor, gemini-cli]\nfeatures: [rules, commands, agents, skills, mcp, hooks, ignore, permissions]\n"

    static func files(config: String = config) -> [String: String] {
        [
            "agentsmesh.yaml": config,
            ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Project\nSee .agentsmesh/skills/api-generator/SKILL.md.\n",
            ".agentsmesh/rules/typescript.md": "---\ndescription: TypeScript\nglobs:\n  - src/**/*.ts\n---\nPrefer strict types.\n",
            ".agentsmesh/commands/review.md":
                "---\ndescription: Review code\nallowed-tools:\n  - Read\n  - Grep\n---\nDo a thorough review.\n",
            ".agentsmesh/agents/code-reviewer.md":
                "---\nname: code-reviewer\ndescription: Reviews code\ntools:\n  - Read\n  - Grep\nmodel: sonnet\nmaxTurns: 10\n---\nYou review code.\n",
            ".agentsmesh/skills/api-generator/SKILL.md": "---\ndescription: Generate API routes\n---\nUse ./template.ts.\n",
            ".agentsmesh/skills/api-generator/references/route-checklist.md": "# Checklist\n",
            ".agentsmesh/mcp.json": "{\"mcpServers\":{\"fs\":{\"type\":\"stdio\",\"command\":\"npx\",\"args\":[\"-y\",\"server-fs\"]}}}",
            ".agentsmesh/hooks.yaml":
                "PreToolUse:\n  - matcher: Read\n    type: command\n    command: echo pre\n    timeout: 30\nPostToolUse:\n  - matcher: Write\n    type: command\n    command: npx prettier --write $FILE\n",
            ".agentsmesh/permissions.yaml": "allow:\n  - Read\n  - Bash(npm run:*)\ndeny:\n  - Bash(rm -rf*)\n",
            ".agentsmesh/ignore": "node_modules\n",
        ]
    }

    /// `FULL` plus the binary skill asset (with a 0xFF byte).
    static func make(config: String = config) throws -> TestProject {
        let project = try TestProject(files(config: config))
        try project.write(".agentsmesh/skills/api-generator/template.ts", bytes: Array("export const x = 1; // ".utf8) + [0xFF, 0x0A])
        return project
    }
}
