import Foundation
import SharedCore
import Testing

@testable import AgentsMeshCanonical

/// A canonical folder written into a temporary directory, removed on deinit.
private final class CanonicalTree {
    let dir: String

    init(_ files: [String: String]) throws {
        dir = FileManager.default.temporaryDirectory.path + "/canonical-load-\(UUID().uuidString)"
        for (path, text) in files {
            let full = dir + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func load() throws(ToolError) -> LoadedCanonical {
        try CanonicalStore.load(canonicalRoot: dir, displayPrefix: "pack/")
    }

    /// Loads with a `broken` collector (as for packs) and returns the reports in order.
    func loadCollecting() throws(ToolError) -> (loaded: LoadedCanonical, broken: [String]) {
        let reports = Reports()
        let loaded = try CanonicalStore.load(canonicalRoot: dir, displayPrefix: "pack/") { path, reason in
            reports.add(path + " | " + reason)
        }
        return (loaded, reports.all)
    }
}

private final class Reports: @unchecked Sendable {
    var all: [String] = []
    func add(_ line: String) { all.append(line) }
}

/// The loader prefetches, name-checks and parses files on all cores; these pin down that what it reports,
/// and in which order, is what a file-by-file load reports.
@Suite struct CanonicalLoadTests {
    @Test func aBadNameIsReportedBeforeTheFileIsParsed() throws {
        let tree = try CanonicalTree(["rules/CON.md": "---\ndescription: [unclosed\n---\n"])
        var caught: ToolError?
        do { _ = try tree.load() } catch { caught = error }
        #expect(caught?.code == "INVALID_NAME")
        #expect(caught?.message == "pack/rules/CON.md: invalid name 'CON': 'CON' is a reserved device name")
    }

    @Test func aDuplicateNameIsReportedBeforeTheDuplicateIsParsed() throws {
        let tree = try CanonicalTree(["agents/a/x.md": "Body\n", "agents/b/x.md": "---\n- not a mapping\n---\n"])
        var caught: ToolError?
        do { _ = try tree.load() } catch { caught = error }
        #expect(caught?.code == "INVALID_NAME")
        #expect(caught?.message == "duplicate agent name 'x': pack/agents/a/x.md and pack/agents/b/x.md")
    }

    @Test func theFirstBrokenFileInLoadOrderWins() throws {
        let tree = try CanonicalTree([
            "rules/ok.md": "Body\n", "rules/z.md": "---\ndescription: [\n---\n", "commands/a.md": "---\n- x\n---\n",
        ])
        var caught: ToolError?
        do { _ = try tree.load() } catch { caught = error }
        #expect(caught?.code == "VALIDATION_FAILED")
        #expect(caught?.message.hasPrefix("pack/rules/z.md:") == true)
    }

    @Test func brokenFilesAreReportedInLoadOrderAndTheRestLoads() throws {
        let tree = try CanonicalTree([
            "rules/good.md": "---\ndescription: kept\n---\nBody\n",
            "rules/bad.md": "---\ndescription: [\n---\n",
            "rules/PRN.md": "Body\n",
            "commands/ns/run.md": "---\ndescription: run it\n---\nGo\n",
            "commands/broken.md": "---\n- x\n---\n",
            "agents/helper.md": "---\ndescription: helps\n---\nHelp\n",
            "skills/tool/SKILL.md": "---\ndescription: a tool\n---\nUse it\n",
            "skills/tool/scripts/run.sh": "echo hi\n",
            "skills/nodoc/notes.md": "no skill file\n",
        ])
        let (loaded, broken) = try tree.loadCollecting()
        #expect(
            broken.map { $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces) } == [
                "rules/PRN.md", "rules/bad.md", "commands/broken.md",
            ])
        #expect(loaded.project.rules.map(\.name) == ["good"])
        #expect(loaded.project.rules.first?.description == "kept")
        #expect(loaded.project.commands.map(\.name) == ["ns:run"])
        #expect(loaded.project.agents.map(\.name) == ["helper"])
        #expect(loaded.project.skills.map(\.name) == ["tool"])
        #expect(loaded.project.skills.first?.files.map(\.path) == ["scripts/run.sh"])
        #expect(loaded.project.skills.first?.files.first?.bytes == Array("echo hi\n".utf8))
        #expect(loaded.warnings.map(\.code) == ["SKILL_MISSING_FILE"])
        // Every file read is checksummed (the broken ones too: they were read before they failed to parse).
        #expect(
            loaded.checksums.keys.sorted() == [
                "agents/helper.md", "commands/broken.md", "commands/ns/run.md", "rules/bad.md", "rules/good.md",
                "skills/nodoc/notes.md", "skills/tool/SKILL.md", "skills/tool/scripts/run.sh",
            ])
        #expect(loaded.checksums["rules/good.md"] == SHA256.tagged(Array("---\ndescription: kept\n---\nBody\n".utf8)))
    }

    @Test func knownPathsAreEveryLoadedFileAndEveryFolderAboveOne() throws {
        let tree = try CanonicalTree([
            "rules/_root.md": "Root\n", "rules/deep/er/r.md": "R\n", "commands/a/b.md": "B\n",
            "skills/s/SKILL.md": "S\n", "skills/s/x/y/z.txt": "Z\n", "mcp.json": "{\"mcpServers\": {}}\n",
        ])
        let known = try tree.load().project.knownPaths
        #expect(
            known == [
                "rules/_root.md", "rules/deep/er/r.md", "rules/deep/er", "rules/deep", "rules", "commands/a/b.md", "commands/a", "commands",
                "skills/s/SKILL.md", "skills/s/x/y/z.txt", "skills/s/x/y", "skills/s/x", "skills/s", "skills", "mcp.json",
            ])
    }

    @Test func aPackMergesUnderTheProjectAndEveryTakenNameIsShadowedInOrder() throws {
        let mine = try CanonicalTree([
            "rules/_root.md": "Root.\n", "rules/mine.md": "Mine.\n", "commands/c.md": "C\n", "agents/a.md": "A\n",
            "skills/s/SKILL.md": "S\n",
        ])
        let pack = try CanonicalTree([
            "rules/_root.md": "Pack root.\n", "rules/mine.md": "Theirs.\n", "rules/p-root.md": "Named like the demoted root.\n",
            "rules/extra.md": "Extra.\n", "commands/c.md": "C2\n", "commands/ns/d.md": "D\n", "agents/a.md": "A2\n",
            "agents/b.md": "B\n", "skills/s/SKILL.md": "S2\n", "skills/t/SKILL.md": "T\n",
        ])
        var loaded = try mine.load()
        PackMerge.merge(try pack.load().project, named: "p", into: &loaded)
        let project = loaded.project
        #expect(project.rules.map(\.name) == ["_root", "mine", "p-root", "extra"])
        #expect(project.rules.map(\.path) == ["rules/_root.md", "rules/mine.md", "rules/p-root.md", "rules/extra.md"])
        #expect(project.rules.map(\.isRoot) == [true, false, false, false])
        #expect(project.rules[2].body.contains("Pack root."))
        #expect(project.commands.map(\.name) == ["c", "ns:d"])
        #expect(project.agents.map(\.name) == ["a", "b"])
        #expect(project.skills.map(\.name) == ["s", "t"])
        #expect(
            loaded.warnings.map(\.message) == [
                "root rule of pack 'p' is demoted to rule 'p-root'",
                "rule 'mine' from pack 'p' is shadowed by an existing rule of the same name",
                "rule 'p-root' from pack 'p' is shadowed by an existing rule of the same name",
                "command 'c' from pack 'p' is shadowed by an existing command of the same name",
                "agent 'a' from pack 'p' is shadowed by an existing agent of the same name",
                "skill 's' from pack 'p' is shadowed by an existing skill of the same name",
            ])
    }
}
