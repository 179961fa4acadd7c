import AgentsMeshCanonical
import AgentsMeshGeneration
import AgentsMeshProjectors
import Foundation
import SharedCore
import Testing

/// Bad canonical inputs: each gives a stable code, a message without absolute paths, and writes nothing.
@Suite struct BadInputTests {
    static let base: [String: String] = [
        "agentsmesh.yaml": "version: 1\ntargets: [claude-code, cursor, gemini-cli]\n",
        ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Root\n",
    ]

    static func expectFailure(_ files: [String: String], code: String, mentions: String, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        let project = try TestProject(base.merging(files) { _, new in new })
        var thrown: ToolError?
        do {
            try await project.generate()
        } catch let error as ToolError {
            thrown = error
        }
        let error = try #require(thrown, sourceLocation: sourceLocation)
        #expect(error.code == code, sourceLocation: sourceLocation)
        #expect(error.message.contains(mentions), "message: \(error.message)", sourceLocation: sourceLocation)
        #expect(!error.message.contains(project.root), sourceLocation: sourceLocation)
        #expect(project.outputFiles().filter { !files.keys.contains($0) }.isEmpty, sourceLocation: sourceLocation)
        #expect(!project.exists(".agentsmesh/.lock"), sourceLocation: sourceLocation)
    }

    @Test func malformedConfig() async throws {
        try await Self.expectFailure(
            ["agentsmesh.yaml": "version: 1\ntargets: [claude-code\n"], code: "VALIDATION_FAILED", mentions: "agentsmesh.yaml:")
        try await Self.expectFailure(["agentsmesh.yaml": "version: 2\n"], code: "VALIDATION_FAILED", mentions: "`version` must be 1")
        try await Self.expectFailure(
            ["agentsmesh.yaml": "version: 1\nfeatures: [rules, telepathy]\n"], code: "VALIDATION_FAILED",
            mentions: "unknown feature 'telepathy'")
        try await Self.expectFailure(
            ["agentsmesh.local.yaml": "targets: {a: 1\n"], code: "VALIDATION_FAILED", mentions: "agentsmesh.local.yaml")
    }

    @Test func malformedFrontmatter() async throws {
        try await Self.expectFailure(
            [".agentsmesh/rules/bad.md": "---\ndescription: [unclosed\n---\nBody\n"], code: "VALIDATION_FAILED",
            mentions: ".agentsmesh/rules/bad.md:")
        try await Self.expectFailure(
            [".agentsmesh/commands/bad.md": "---\ndescription: x\nBody without a closing fence\n"], code: "VALIDATION_FAILED",
            mentions: "no closing '---'")
        try await Self.expectFailure(
            [".agentsmesh/agents/bad.md": "---\n- a list\n---\nBody\n"], code: "VALIDATION_FAILED", mentions: "must be a mapping")
    }

    @Test func malformedSettingsFiles() async throws {
        try await Self.expectFailure(
            [".agentsmesh/mcp.json": "{\"mcpServers\": {\"a\": }"], code: "VALIDATION_FAILED", mentions: ".agentsmesh/mcp.json:1:")
        try await Self.expectFailure(
            [".agentsmesh/hooks.yaml": "PreToolUse:\n  - matcher: [\n"], code: "VALIDATION_FAILED", mentions: ".agentsmesh/hooks.yaml")
        try await Self.expectFailure(
            [".agentsmesh/permissions.yaml": "allow: 3\n"], code: "VALIDATION_FAILED", mentions: "`allow` must be a list")
    }

    @Test func reservedAndDuplicateNames() async throws {
        try await Self.expectFailure([".agentsmesh/rules/CON.md": "x\n"], code: "INVALID_NAME", mentions: "reserved device name")
        try await Self.expectFailure([".agentsmesh/commands/trailing..md": "x\n"], code: "INVALID_NAME", mentions: "ends with '.'")
        try await Self.expectFailure(
            [".agentsmesh/rules/a/dup.md": "x\n", ".agentsmesh/rules/b/dup.md": "y\n"], code: "INVALID_NAME",
            mentions: ".agentsmesh/rules/a/dup.md and .agentsmesh/rules/b/dup.md")
        try await Self.expectFailure(
            [".agentsmesh/skills/" + String(repeating: "s", count: 65) + "/SKILL.md": "x\n"], code: "INVALID_NAME",
            mentions: "longer than 64")
    }

    @Test func invalidCoOwnedFileIsLeftUntouched() async throws {
        try await Self.expectFailure(
            [".agentsmesh/permissions.yaml": "allow:\n  - Read\n", ".claude/settings.json": "{not json"],
            code: "VALIDATION_FAILED", mentions: ".claude/settings.json")
    }

    @Test func unknownTargetIsUsage() async throws {
        let project = try TestProject(Self.base)
        #expect(await project.errorCode { _ = try Targets.parseList("claude-code,nope") } == "USAGE")
    }

    @Test func symlinksInsideTheCanonicalTreeAreNotFollowed() async throws {
        let project = try TestProject(Self.base)
        let outside = try TestProject(["secret.md": "---\ndescription: leaked\n---\nsecret\n"])
        try FileManager.default.createSymbolicLink(
            atPath: project.root + "/.agentsmesh/rules/linked.md", withDestinationPath: outside.root + "/secret.md")
        let result = try await project.generate()
        #expect(result.warnings.contains { $0.code == "SYMLINK_SKIPPED" && $0.path == ".agentsmesh/rules/linked.md" })
        #expect(!project.exists(".claude/rules/linked.md"))
        #expect(!(project.read("GEMINI.md") ?? "").contains("secret"))
    }

    @Test func lockedFeatureRefusesChangedFilesUnlessForced() async throws {
        let project = try TestProject(
            Self.base.merging([
                "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\ncollaboration:\n  strategy: lock\n  lock_features: [rules]\n"
            ]) { _, new in new })
        try await project.generate()
        try project.write(".agentsmesh/rules/_root.md", "---\nroot: true\n---\n# Changed\n")
        #expect(await project.errorCode { try await project.generate() } == "LOCKED_FEATURE")
        #expect(project.read("CLAUDE.md")?.hasPrefix("# Root") == true)
        _ = try await Generator(root: project.root).generate(GenerateOptions(force: true))
        #expect(project.read("CLAUDE.md")?.hasPrefix("# Changed") == true)
    }
}
