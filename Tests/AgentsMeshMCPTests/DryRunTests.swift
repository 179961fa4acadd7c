import Foundation
import SharedCore
import SharedMCP
import Testing

/// Every tool that takes `dry_run` leaves the project byte-identical when it is set.
@Suite struct DryRunTests {
    static let files = [
        "agentsmesh.yaml":
            "version: 1\ntargets: [claude-code, cursor]\nfeatures: [rules, commands, agents, skills, mcp, permissions, hooks, ignore]\n",
        ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Root\n",
        ".agentsmesh/rules/style.md": "---\ndescription: Style\n---\nUse tabs.\n",
        ".agentsmesh/commands/build.md": "---\ndescription: Build\n---\nBuild it.\n",
        ".agentsmesh/agents/reviewer.md": "---\ndescription: Reviews\n---\nReview.\n",
        ".agentsmesh/skills/pdf/SKILL.md": "---\ndescription: PDFs\n---\nUse it.\n",
        ".agentsmesh/skills/pdf/notes.md": "notes\n",
        ".agentsmesh/mcp.json": "{\"mcpServers\": {\"docs\": {\"command\": \"docs-mcp\"}}}\n",
        ".agentsmesh/permissions.yaml": "allow:\n  - Read\n",
        ".agentsmesh/hooks.yaml": "Stop:\n  - command: ./done.sh\n",
        ".agentsmesh/ignore": ".env\n",
        "vendor/pack/rules/team.md": "---\ndescription: Team\n---\nTeam rule.\n",
    ]

    static let calls: [(String, JSONObject)] = [
        ("create_rule", ["name": "new", "frontmatter": [:], "body": "x"]), ("update_rule", ["name": "style", "body": "y"]),
        ("delete_rule", ["name": "style"]), ("create_command", ["name": "a:b", "frontmatter": [:], "body": "x"]),
        ("update_command", ["name": "build", "body": "y"]), ("delete_command", ["name": "build"]),
        ("create_agent", ["name": "planner", "frontmatter": [:], "body": "x"]), ("update_agent", ["name": "reviewer", "body": "y"]),
        ("delete_agent", ["name": "reviewer"]),
        ("create_skill", ["name": "s", "frontmatter": [:], "body": "x", "supportingFiles": ["a.md": "a"]]),
        ("update_skill", ["name": "pdf", "supportingFiles": ["notes.md": .null]]), ("delete_skill", ["name": "pdf"]),
        ("update_config", ["targets": ["gemini-cli"]]), ("add_mcp_server", ["name": "db", "server": ["command": "db"]]),
        ("update_mcp_server", ["name": "docs", "server": ["command": "other"]]), ("remove_mcp_server", ["name": "docs"]),
        ("update_permissions", ["deny": ["Bash"]]), ("update_hooks", ["hooks": [:]]), ("update_ignore", ["patterns": ["x"]]),
        ("generate", [:]), ("convert", ["from": "claude-code", "to": "cursor"]), ("install", ["source": "./vendor/pack", "name": "team"]),
        ("uninstall", ["all": true]), ("refresh", [:]),
    ]

    static func snapshot(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for path in FileSystem.walkFiles(root) { out[path] = FileManager.default.contents(atPath: root + "/" + path) }
        return out
    }

    @Test func everyDryRunWritesNothing() async throws {
        let project = try MCPProject(Self.files)
        let tools = Set(project.server.tools.filter { $0.input.json["properties"]?["dry_run"] != nil }.map(\.name))
        #expect(tools.subtracting(Self.calls.map(\.0)) == ["import"], "every dry_run tool but import is exercised")
        let before = Self.snapshot(project.root)
        for (tool, arguments) in Self.calls {
            var withDryRun = arguments
            withDryRun["dry_run"] = true
            let outcome = await project.call(tool, withDryRun)
            #expect(!outcome.isError || tool == "uninstall" || tool == "refresh", "\(tool): \(outcome.value)")
            #expect(Self.snapshot(project.root) == before, "\(tool) changed the tree")
        }
    }
}
