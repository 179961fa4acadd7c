import Foundation
import SharedCore
import SharedMCP
import Testing

@Suite struct EditToolTests {
    static let files = [
        "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\nfeatures: [rules, commands, agents]\ngeneration_contract: false\n",
        ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Root\n",
    ]

    @Test func createUpdateDeleteARule() async throws {
        let project = try MCPProject(Self.files)
        let plan = await project.call(
            "create_rule",
            ["name": "style", "frontmatter": ["description": "Style", "globs": ["src/**"]], "body": "Use tabs.", "dry_run": true])
        #expect(
            plan.value == [
                "action": "created", "path": ".agentsmesh/rules/style.md", "dryRun": true,
                "content": "---\ndescription: Style\nglobs:\n  - src/**\n---\nUse tabs.\n",
            ])
        #expect(project.read(".agentsmesh/rules/style.md") == nil)
        let created = await project.call("create_rule", ["name": "style", "frontmatter": ["description": "Style"], "body": "Use tabs."])
        #expect(created.value == ["action": "created", "path": ".agentsmesh/rules/style.md", "dryRun": false])
        #expect(project.read(".agentsmesh/rules/style.md") == "---\ndescription: Style\n---\nUse tabs.\n")
        let twice = await project.call("create_rule", ["name": "style", "frontmatter": [:], "body": "x"])
        #expect(twice.value["code"] == "ALREADY_EXISTS")
        _ = await project.call("update_rule", ["name": "style", "frontmatter": ["globs": ["docs/**"]], "merge": true])
        #expect(project.read(".agentsmesh/rules/style.md") == "---\ndescription: Style\nglobs:\n  - docs/**\n---\nUse tabs.\n")
        _ = await project.call("update_rule", ["name": "style", "body": "Use spaces."])
        #expect(project.read(".agentsmesh/rules/style.md") == "---\ndescription: Style\nglobs:\n  - docs/**\n---\nUse spaces.\n")
        let deleted = await project.call("delete_rule", ["name": "style"])
        #expect(deleted.value == ["action": "deleted", "path": ".agentsmesh/rules/style.md", "dryRun": false])
        #expect(project.read(".agentsmesh/rules/style.md") == nil)
        #expect(await project.call("update_rule", ["name": "style", "body": "x"]).value["code"] == "NOT_FOUND")
    }

    @Test func theRootRuleNeedsForce() async throws {
        let project = try MCPProject(Self.files)
        #expect(await project.call("delete_rule", ["name": "_root"]).value["code"] == "PROTECTED_FILE")
        #expect(project.read(".agentsmesh/rules/_root.md") != nil)
        #expect(await project.call("delete_rule", ["name": "_root", "force": true]).value["action"] == "deleted")
        #expect(project.read(".agentsmesh/rules/_root.md") == nil)
    }

    @Test func commandsNestAndAgentsRoundTrip() async throws {
        let project = try MCPProject(Self.files)
        _ = await project.call("create_command", ["name": "db:migrate", "frontmatter": ["description": "Migrate"], "body": "Run it."])
        #expect(project.read(".agentsmesh/commands/db/migrate.md") == "---\ndescription: Migrate\n---\nRun it.\n")
        #expect(await project.call("get_command", ["name": "db:migrate"]).value["body"] == "Run it.\n")
        _ = await project.call("delete_command", ["name": "db:migrate"])
        #expect(!FileManager.default.fileExists(atPath: project.root + "/.agentsmesh/commands/db"))
        _ = await project.call(
            "create_agent", ["name": "reviewer", "frontmatter": ["description": "Reviews", "model": "opus"], "body": "Review."])
        #expect(await project.call("get_agent", ["name": "reviewer"]).value["frontmatter"] == ["description": "Reviews", "model": "opus"])
        #expect(await project.call("generate").isError == false)
        #expect(project.read(".claude/agents/reviewer.md")?.contains("Review.") == true)
    }

    @Test func badNamesAndSizesAreRefusedBeforeWriting() async throws {
        let project = try MCPProject(Self.files)
        #expect(await project.call("create_rule", ["name": "a/b", "frontmatter": [:], "body": "x"]).value["code"] == "VALIDATION_FAILED")
        #expect(await project.call("create_rule", ["name": "CON", "frontmatter": [:], "body": "x"]).value["code"] == "INVALID_NAME")
        let huge = String(repeating: "a", count: 1024 * 1024)
        #expect(
            await project.call("create_rule", ["name": "big", "frontmatter": ["d": "x"], "body": .string(huge)]).value["code"]
                == "LIMIT_EXCEEDED")
        #expect(project.read(".agentsmesh/rules/big.md") == nil)
        #expect(await project.call("list_rules", ["x": 1]).value["code"] == "VALIDATION_FAILED")
    }
}
