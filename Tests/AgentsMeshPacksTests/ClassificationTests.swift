import AgentsMeshCanonical
import AgentsMeshGeneration
import AgentsMeshPacks
import Foundation
import SharedCore
import Testing

@Suite struct ClassificationTests {
    static func code(_ body: () throws(ToolError) -> ClassifiedPack) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.code
        }
    }

    static let skill = "---\nname: a\ndescription: Does A\n---\nSkill A.\n"

    @Test func skillPackScores() throws {
        let strong = try PackFixtures.tempDir("cls")
        try PackFixtures.write(
            strong, ["skills/a/SKILL.md": Self.skill, "agents/x.md": "---\ndescription: X\n---\nAgent.\n", "README.md": "# Readme\n"])
        #expect(PackClassifier.skillPackScore(strong) == 1.4)
        let pack = try PackClassifier.classify(tree: strong, options: ClassifyOptions())
        #expect(pack.sourceType == .skillPack)
        #expect(pack.files.map(\.path).sorted() == ["agents/x.md", "skills/a/SKILL.md"])

        let weak = try PackFixtures.tempDir("cls")
        try PackFixtures.write(weak, ["skills/a/SKILL.md": Self.skill, "references/guide.md": "Guide.\n"])
        #expect(PackClassifier.skillPackScore(weak) == 1.3)
        let unknown = try PackClassifier.classify(tree: weak, options: ClassifyOptions())
        #expect(unknown.sourceType == .unknown)
        #expect(unknown.files.map(\.path) == ["skills/a/SKILL.md"])
    }

    @Test func canonicalToolNativeAmbiguousAndEmpty() throws {
        let canonical = try PackFixtures.tempDir("cls")
        try PackFixtures.write(
            canonical,
            [
                ".agentsmesh/rules/r.md": "Rule.\n", ".agentsmesh/mcp.json": "{\"mcpServers\":{}}",
                ".agentsmesh/rules/broken.md": "---\nx: [\n---\nBad.\n",
            ])
        let pack = try PackClassifier.classify(tree: canonical, options: ClassifyOptions())
        #expect(pack.sourceType == .canonical)
        #expect(pack.files.map(\.path).sorted() == ["mcp.json", "rules/r.md"])
        #expect(pack.broken.map(\.path) == ["rules/broken.md"])

        let native = try PackFixtures.tempDir("cls")
        try PackFixtures.write(native, ["CLAUDE.md": "# Team\n", ".claude/commands/ship.md": "---\ndescription: Ship\n---\nShip it.\n"])
        let imported = try PackClassifier.classify(tree: native, options: ClassifyOptions())
        #expect(imported.sourceType == .toolNative)
        #expect(imported.files.map(\.path).sorted() == ["commands/ship.md", "rules/_root.md"])

        let loose = try PackFixtures.tempDir("cls")
        try PackFixtures.write(loose, ["one.md": "One.\n", "LICENSE.md": "MIT\n"])
        #expect(
            Self.code { () throws(ToolError) -> ClassifiedPack in try PackClassifier.classify(tree: loose, options: ClassifyOptions()) }
                == "AMBIGUOUS_SOURCE")
        let asRules = try PackClassifier.classify(tree: loose, options: ClassifyOptions(asKind: "rules"))
        #expect(asRules.sourceType == nil)
        #expect(asRules.files.map(\.path) == ["rules/one.md"])

        let empty = try PackFixtures.tempDir("cls")
        #expect(
            Self.code { () throws(ToolError) -> ClassifiedPack in try PackClassifier.classify(tree: empty, options: ClassifyOptions()) }
                == "NOT_FOUND")
    }

    @Test func manifestRecordsTheSourceType() async throws {
        let tree = try PackFixtures.tempDir("cls")
        try PackFixtures.write(tree, ["skills/a/SKILL.md": Self.skill, "agents/x.md": "---\ndescription: X\n---\nAgent.\n"])
        let project = try await PackFixtures.makeProject()
        var options = InstallOptions(source: tree)
        options.name = "skills"
        _ = try await PackFixtures.installer(project, cache: try PackFixtures.tempDir("cache")).install(options)
        let manifest = try JSONParser.parse(
            try #require(PackFixtures.read(project, ".agentsmesh/packs/skills/.agentsmesh-install-manifest.json")))
        #expect(manifest["source_type"] == "anthropic-skill-pack")
        #expect(manifest["extends_id"] == .null)
        #expect(manifest["files"]?.objectValue?.keys == ["agents/x.md", "skills/a/SKILL.md"])
        #expect(PackFixtures.read(project, ".claude/skills/a/SKILL.md")?.contains("Skill A.") == true)
    }
}

@Suite struct InstallSemanticsTests {
    @Test func failedReinstallLeavesThePreviousStateByteIdentical() async throws {
        let tree = try PackFixtures.tempDir("src")
        try PackFixtures.write(tree, ["rules/a.md": "---\ndescription: A\n---\nRule A.\n"])
        let project = try await PackFixtures.makeProject()
        let installer = PackFixtures.installer(project, cache: try PackFixtures.tempDir("cache"))
        _ = try await installer.install(InstallOptions(source: tree))
        let before = PackFixtures.snapshot(project)
        // The source turns into something uninstallable: loose files only.
        try FileManager.default.removeItem(atPath: tree + "/rules")
        try PackFixtures.write(tree, ["loose.md": "x\n"])
        await #expect(throws: ToolError.self) { _ = try await installer.install(InstallOptions(source: tree)) }
        #expect(PackFixtures.snapshot(project) == before)
        // A generate failure after the swap is reported, and the pack stays consistent with installs.yaml.
        #expect(FileSystem.list(project + "/.agentsmesh").filter { $0.hasPrefix(".staging") }.isEmpty)
    }

    @Test func dryRunWritesNothingAndNameCollisionsAreRefused() async throws {
        let tree = try PackFixtures.tempDir("src")
        try PackFixtures.write(tree, ["rules/a.md": "Rule A.\n"])
        let other = try PackFixtures.tempDir("src")
        try PackFixtures.write(other, ["rules/b.md": "Rule B.\n"])
        let project = try await PackFixtures.makeProject()
        let installer = PackFixtures.installer(project, cache: try PackFixtures.tempDir("cache"))
        let before = PackFixtures.snapshot(project)
        var dry = InstallOptions(source: tree)
        dry.dryRun = true
        let plan = try await installer.install(dry)
        #expect(plan.dryRun && plan.installed.map(\.name) == ["a"])
        #expect(PackFixtures.snapshot(project) == before)
        var first = InstallOptions(source: tree)
        first.name = "shared"
        _ = try await installer.install(first)
        var second = InstallOptions(source: other)
        second.name = "shared"
        do {
            _ = try await installer.install(second)
            Issue.record("expected PACK_NAME_COLLISION")
        } catch {
            #expect(error.code == "PACK_NAME_COLLISION")
        }
    }

    @Test func syncRestoresMissingOrModifiedPacks() async throws {
        let tree = try PackFixtures.tempDir("src")
        try PackFixtures.write(tree, ["rules/a.md": "Rule A.\n", "commands/c.md": "Cmd.\n"])
        let project = try await PackFixtures.makeProject()
        let installer = PackFixtures.installer(project, cache: try PackFixtures.tempDir("cache"))
        var options = InstallOptions(source: tree)
        options.name = "p"
        _ = try await installer.install(options)
        let packFile = project + "/.agentsmesh/packs/p/rules/a.md"
        try Data("tampered\n".utf8).write(to: URL(fileURLWithPath: packFile))
        var sync = InstallOptions()
        sync.sync = true
        let first = try await installer.install(sync)
        #expect(first.mode == "sync")
        #expect(PackFixtures.read(project, ".agentsmesh/packs/p/rules/a.md") == "Rule A.\n")
        try FileManager.default.removeItem(atPath: project + "/.agentsmesh/packs/p")
        _ = try await installer.install(sync)
        #expect(PackFixtures.read(project, ".agentsmesh/packs/p/commands/c.md") == "Cmd.\n")
        let again = try await installer.install(sync)
        #expect(again.skipped.map(\.reason) == ["up to date"])
    }

    @Test func packContentMergesUnderTheProject() async throws {
        let tree = try PackFixtures.tempDir("src")
        try PackFixtures.write(
            tree,
            [
                ".agentsmesh/rules/_root.md": "---\nroot: true\n---\nPack root.\n",
                ".agentsmesh/rules/mine.md": "---\ndescription: Theirs\n---\nPack version.\n",
                ".agentsmesh/rules/theirs.md": "Only in pack.\n",
                ".agentsmesh/permissions.yaml": "allow:\n  - Read\n",
            ])
        let project = try await PackFixtures.makeProject()
        let data = try await PackFixtures.installer(project, cache: try PackFixtures.tempDir("cache")).install(InstallOptions(source: tree))
        #expect(data.warnings.contains { $0.code == "PACK_SHADOWED" })
        #expect(PackFixtures.read(project, ".claude/rules/mine.md")?.contains("Project rule.") == true)
        #expect(PackFixtures.read(project, ".claude/rules/theirs.md")?.contains("Only in pack.") == true)
        #expect(PackFixtures.read(project, "CLAUDE.md")?.hasPrefix("# Project") == true)
        #expect(
            PackFixtures.read(project, ".claude/rules/\(URL(fileURLWithPath: tree).lastPathComponent.lowercased())-root.md")?.contains(
                "Pack root.") == true)
        // Local sources are trusted: their permissions are installed without consent.
        let settings = try JSONParser.parse(try #require(PackFixtures.read(project, ".claude/settings.json")))
        #expect(settings["permissions"]?["allow"] == ["Read"])
        let lock = try #require(try Lockfile.read(root: project))
        #expect(lock.packs.keys.count == 1)
    }
}
