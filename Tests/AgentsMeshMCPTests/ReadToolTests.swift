import SharedCore
import SharedMCP
import Testing

@Suite struct ReadToolTests {
    static let files = [
        "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\n",
        "agentsmesh.local.yaml": "targets: [cursor]\n",
        ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Root\n",
        ".agentsmesh/rules/style.md": "---\ndescription: Style\nglobs: [\"src/**\"]\n---\nUse tabs.\n",
        ".agentsmesh/commands/db/migrate.md": "---\ndescription: Migrate\n---\nRun migrations.\n",
        ".agentsmesh/agents/reviewer.md": "---\ndescription: Reviews\n---\nReview it.\n",
        ".agentsmesh/skills/pdf/SKILL.md": "---\ndescription: PDFs\n---\nUse the script.\n",
        ".agentsmesh/skills/pdf/scripts/run.sh": "#!/bin/sh\necho hi\n",
        ".agentsmesh/mcp.json": "{\"mcpServers\": {\"db\": {\"command\": \"db-mcp\"}}}\n",
        ".agentsmesh/permissions.yaml": "allow:\n  - Read\ndeny:\n  - Bash(rm:*)\n",
        ".agentsmesh/ignore": "# secrets\n.env\n\nbuild/\n",
    ]

    @Test func entitiesListAndRead() async throws {
        let project = try MCPProject(Self.files)
        #expect(
            await project.call("list_rules").value == [
                "rules": [
                    ["name": "_root", "root": true, "targets": [], "globs": []],
                    ["name": "style", "description": "Style", "root": false, "targets": [], "globs": ["src/**"]],
                ]
            ])
        #expect(
            await project.call("get_rule", ["name": "style"]).value == [
                "name": "style", "path": ".agentsmesh/rules/style.md", "frontmatter": ["description": "Style", "globs": ["src/**"]],
                "body": "Use tabs.\n",
            ])
        #expect(await project.call("list_commands").value == ["commands": [["name": "db:migrate", "description": "Migrate"]]])
        #expect(await project.call("get_command", ["name": "db:migrate"]).value["path"] == ".agentsmesh/commands/db/migrate.md")
        #expect(await project.call("get_agent", ["name": "reviewer"]).value["body"] == "Review it.\n")
        #expect(await project.call("list_skills").value == ["skills": [["name": "pdf", "description": "PDFs", "files": 1]]])
        #expect(await project.call("get_skill", ["name": "pdf"]).value["supportingFiles"] == ["scripts/run.sh"])
        #expect(
            await project.call("get_skill_file", ["name": "pdf", "path": "scripts/run.sh"]).value == [
                "name": "pdf", "path": "scripts/run.sh", "encoding": "utf8", "content": "#!/bin/sh\necho hi\n",
            ])
        #expect(await project.call("get_rule", ["name": "nope"]).value["code"] == "NOT_FOUND")
        #expect(await project.call("get_rule", ["name": "../x"]).value["code"] == "VALIDATION_FAILED")
    }

    @Test func settingsAndConfig() async throws {
        let project = try MCPProject(Self.files)
        #expect(await project.call("list_mcp_servers").value == ["exists": true, "mcpServers": ["db": ["command": "db-mcp"]]])
        #expect(await project.call("get_permissions").value == ["exists": true, "allow": ["Read"], "deny": ["Bash(rm:*)"], "ask": []])
        #expect(await project.call("get_hooks").value == ["exists": false, "hooks": [:]])
        #expect(await project.call("get_ignore").value == ["exists": true, "patterns": [".env", "build/"]])
        let config = await project.call("get_config").value
        #expect(config["project"] == ["version": 1, "targets": ["claude-code"]])
        #expect(config["local"] == ["targets": ["cursor"]])
        #expect(config["config"] == ["version": 1, "targets": ["cursor"]])
        #expect(await project.call("installs_list").value == ["installs": []])
    }

    @Test func everyResourceReturnsItsToolsOutput() async throws {
        let project = try MCPProject(Self.files)
        let server = project.server
        #expect(server.resources.count == 17)
        #expect(server.tools.count == server.tools.map(\.name).count)
        let reads: [(String, String, JSONObject)] = [
            ("agentsmesh://canonical/rules/style", "get_rule", ["name": "style"]),
            ("agentsmesh://canonical/commands/db:migrate", "get_command", ["name": "db:migrate"]),
            ("agentsmesh://canonical/skills/pdf/files/scripts/run.sh", "get_skill_file", ["name": "pdf", "path": "scripts/run.sh"]),
            ("agentsmesh://config", "get_config", [:]),
            ("agentsmesh://installs", "installs_list", [:]),
        ]
        for (uri, tool, arguments) in reads {
            let viaResource = await MCPDispatcher.read(server, uri: uri)
            #expect(viaResource == (await project.call(tool, arguments)), "\(uri)")
            #expect(viaResource?.isError == false, "\(uri)")
        }
    }
}
