import AgentsMeshCanonical
import AgentsMeshGeneration
import Foundation
import SharedCore
import Testing

/// Spec §8 C3: Cursor root, mirror and full tree.
@Suite struct ConformanceC3Tests {
    @Test func cursorFullTree() async throws {
        let project = try FullFixture.make()
        try await project.generate(["cursor"])
        let general = try #require(project.read(".cursor/rules/general.mdc"))
        #expect(general.contains("alwaysApply: true"))
        #expect(general.contains(".cursor/skills/api-generator/SKILL.md"))
        let agents = try #require(project.read("AGENTS.md"))
        #expect(!agents.isEmpty && !agents.contains("alwaysApply") && !agents.contains("---"))
        #expect(agents.contains(".cursor/skills/api-generator/SKILL.md"))
        #expect(
            project.read(".cursor/rules/typescript.mdc")
                == "---\ndescription: TypeScript\nglobs: src/**/*.ts\nalwaysApply: false\n---\n\nPrefer strict types.")
        #expect(project.read(".cursor/commands/review.md") == "---\ndescription: Review code\n---\n\nDo a thorough review.")
        #expect(project.exists(".cursor/agents/code-reviewer.md"))
        #expect(project.exists(".cursor/skills/api-generator/SKILL.md"))
        #expect(project.bytes(".cursor/skills/api-generator/template.ts") == project.bytes(".agentsmesh/skills/api-generator/template.ts"))
        #expect(project.bytes(".cursor/skills/api-generator/template.ts")?.contains(0xFF) == true)
        #expect(project.exists(".cursor/mcp.json"))
        #expect(project.read(".cursorignore") == "node_modules\n")
        #expect(
            project.read(".cursor/hooks.json")
                == "{\n  \"version\": 1,\n  \"hooks\": {\n    \"preToolUse\": [\n      {\n        \"type\": \"command\",\n        \"command\": \"echo pre\",\n        \"matcher\": \"Read\",\n        \"timeout\": 30\n      }\n    ],\n    \"postToolUse\": [\n      {\n        \"type\": \"command\",\n        \"command\": \"npx prettier --write $FILE\",\n        \"matcher\": \"Write\"\n      }\n    ]\n  }\n}"
        )
        let cli = try JSONParser.parse(try #require(project.read(".cursor/cli.json")))
        #expect(cli["permissions"]?["allow"] == ["Read(**)", "Shell(npm run)"])
        #expect(cli["permissions"]?["deny"] == ["Shell(rm -rf*)"])
        #expect(!project.exists("CLAUDE.md"))
        #expect(!project.exists("GEMINI.md"))
        #expect(try Lockfile.read(root: project.root)?.staleTargets == ["claude-code", "gemini-cli"])
    }
}

/// Spec §8 C4: claude-code projections.
@Suite struct ConformanceC4Tests {
    static let noContract = FullFixture.config + "generation_contract: false\n"

    @Test func claudeFiles() async throws {
        let project = try FullFixture.make(config: Self.noContract)
        try project.write(".claude/settings.json", "{\"model\":\"opus\"}")
        try await project.generate(["claude-code"])
        #expect(project.read("CLAUDE.md") == "# Project\nSee .claude/skills/api-generator/SKILL.md.")
        #expect(
            project.read(".claude/rules/typescript.md")
                == "---\ndescription: TypeScript\npaths:\n  - src/**/*.ts\n---\n\nPrefer strict types.")
        #expect(
            project.read(".claude/commands/review.md")
                == "---\ndescription: Review code\nallowed-tools:\n  - Read\n  - Grep\n---\n\nDo a thorough review.")
        #expect(
            project.read(".claude/agents/code-reviewer.md")
                == "---\nname: code-reviewer\ndescription: Reviews code\ntools:\n  - Read\n  - Grep\nmodel: sonnet\nmaxTurns: 10\n---\n\n## Role\n\nYou review code."
        )
        #expect(
            project.read(".claude/skills/api-generator/SKILL.md")
                == "---\nname: api-generator\ndescription: Generate API routes\n---\n\n## Purpose\n\nUse ./template.ts.")
        #expect(
            project.read(".mcp.json")
                == "{\n  \"mcpServers\": {\n    \"fs\": {\n      \"type\": \"stdio\",\n      \"command\": \"npx\",\n      \"args\": [\n        \"-y\",\n        \"server-fs\"\n      ]\n    }\n  }\n}"
        )
        #expect(
            project.read(".claude/settings.json") == """
                {
                  "model": "opus",
                  "permissions": {
                    "allow": [
                      "Read",
                      "Bash(npm run:*)"
                    ],
                    "deny": [
                      "Bash(rm -rf*)"
                    ],
                    "ask": []
                  },
                  "hooks": {
                    "PreToolUse": [
                      {
                        "matcher": "Read",
                        "hooks": [
                          {
                            "type": "command",
                            "command": "echo pre",
                            "timeout": 30
                          }
                        ]
                      }
                    ],
                    "PostToolUse": [
                      {
                        "matcher": "Write",
                        "hooks": [
                          {
                            "type": "command",
                            "command": "npx prettier --write $FILE"
                          }
                        ]
                      }
                    ]
                  }
                }
                """)
        #expect(project.read(".claudeignore") == "node_modules\n")
    }

    @Test func emptyListsAndFieldVariants() async throws {
        let project = try FullFixture.make(config: Self.noContract)
        try project.write(".agentsmesh/rules/_root.md", "---\nroot: true\n---\n  \n\n")
        try project.write(
            ".agentsmesh/commands/review.md", "---\ndescription: Review code\nallowed-tools: []\n---\nDo a thorough review.\n")
        try project.write(
            ".agentsmesh/agents/code-reviewer.md",
            "---\nname: code-reviewer\ndescription: Reviews code\nmaxTurns: 0\n---\n## Role\nYou review code.\n")
        try await project.generate(["claude-code"])
        #expect(project.read("CLAUDE.md") == "")
        #expect(project.read(".claude/commands/review.md") == "---\ndescription: Review code\n---\n\nDo a thorough review.")
        #expect(
            project.read(".claude/agents/code-reviewer.md")
                == "---\nname: code-reviewer\ndescription: Reviews code\n---\n\n## Role\nYou review code.")
    }

    @Test func emptyRevocationAndMissingSources() async throws {
        let project = try FullFixture.make(config: Self.noContract)
        try project.write(".claude/settings.json", "{\"model\":\"opus\"}")
        try await project.generate(["claude-code"])
        try project.write(".agentsmesh/permissions.yaml", "allow: []\n")
        try await project.generate(["claude-code"])
        let settings = try JSONParser.parse(try #require(project.read(".claude/settings.json")))
        #expect(settings["model"] == "opus")
        #expect(settings["permissions"] == ["allow": [], "deny": [], "ask": []])

        // Missing permissions.yaml: the permissions key is left exactly as it was.
        try project.write(".claude/settings.json", "{\"model\":\"opus\",\"permissions\":{\"allow\":[\"Mine\"]}}")
        try project.remove(".agentsmesh/permissions.yaml")
        try await project.generate(["claude-code"])
        let after = try JSONParser.parse(try #require(project.read(".claude/settings.json")))
        #expect(after["permissions"] == ["allow": ["Mine"]])

        // Missing mcp.json leaves .mcp.json untouched; an empty one clears the servers.
        try project.write(".mcp.json", "{\"mcpServers\":{\"mine\":{\"command\":\"x\"}}}")
        try project.remove(".agentsmesh/mcp.json")
        try await project.generate(["claude-code"])
        #expect(project.read(".mcp.json") == "{\"mcpServers\":{\"mine\":{\"command\":\"x\"}}}")
        try project.write(".agentsmesh/mcp.json", "{\"mcpServers\":{}}")
        try await project.generate(["claude-code"])
        #expect(project.read(".mcp.json") == "{\n  \"mcpServers\": {}\n}")
    }
}

/// Spec §8 C5: gemini-cli projections.
@Suite struct ConformanceC5Tests {
    @Test func geminiFiles() async throws {
        let project = try FullFixture.make()
        try project.write(".agentsmesh/commands/git/commit.md", "---\ndescription: Commit\n---\nCommit $ARGUMENTS\n")
        try await project.generate(["gemini-cli"])
        #expect(
            project.read(".gemini/commands/review.toml")
                == "description = \"Review code\"\nprompt = \"\"\"\nDo a thorough review.\n\"\"\"\n")
        #expect(project.read(".gemini/commands/git/commit.toml") == "description = \"Commit\"\nprompt = \"\"\"\nCommit {{args}}\n\"\"\"\n")
        let settings = try JSONParser.parse(try #require(project.read(".gemini/settings.json")))
        #expect(settings["mcpServers"]?["fs"] != nil)
        #expect(
            settings["hooks"]?["BeforeTool"]?.arrayValue?.first == [
                "matcher": "^(?:read_file|read_many_files)$", "hooks": [["type": "command", "command": "echo pre", "timeout": 30000]],
            ])
        #expect(settings["hooks"]?["AfterTool"]?.arrayValue?.first?["matcher"] == "^(?:write_file)$")
        #expect(settings["experimental"]?["enableAgents"] == true)
        #expect(
            project.read(".gemini/agents/code-reviewer.md")
                == "---\nname: code-reviewer\ndescription: Reviews code\nkind: local\ntools:\n  - read_file\n  - read_many_files\n  - grep_search\nmodel: sonnet\nmaxTurns: 10\n---\n\nYou review code."
        )
        #expect(
            project.read(".gemini/policies/permissions.toml")
                == "# agentsmesh:permissions:start\n[[rule]]\ntoolName = \"run_shell_command\"\ncommandPrefix = \"rm -rf\"\ndecision = \"deny\"\npriority = 300\n\n[[rule]]\ntoolName = \"read_file\"\ndecision = \"allow\"\npriority = 100\n\n[[rule]]\ntoolName = \"read_many_files\"\ndecision = \"allow\"\npriority = 100\n\n[[rule]]\ntoolName = \"run_shell_command\"\ncommandPrefix = \"npm run\"\ndecision = \"allow\"\npriority = 100\n# agentsmesh:permissions:end\n"
        )
        let lint = try Linter.lint(root: project.root, targets: nil)
        #expect(lint.contains { $0.code == "gemini-project-permissions" && $0.severity == "warning" })
    }

    static func tsProject(target: String) throws -> TestProject {
        try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [\(target)]\nfeatures: [rules]\ngeneration_contract: false\n",
            ".agentsmesh/rules/_root.md": "---\nroot: true\n---\nRoot content\n",
            ".agentsmesh/rules/ts.md": "---\nglobs: [\"*.ts\"]\n---\nTS content\n",
        ])
    }

    @Test func embeddedRuleWithoutDescription() async throws {
        let project = try Self.tsProject(target: "gemini-cli")
        try await project.generate()
        #expect(project.outputFiles() == ["AGENTS.md", "GEMINI.md"])
        #expect(
            project.read("GEMINI.md")
                == "Root content\n\n<!-- agentsmesh:embedded-rules:start -->\n<!-- agentsmesh:embedded-rule:start {\"source\":\"rules/ts.md\",\"globs\":[\"*.ts\"],\"targets\":[]} -->\nTS content\n<!-- agentsmesh:embedded-rule:end -->\n<!-- agentsmesh:embedded-rules:end -->"
        )
        #expect(project.read("AGENTS.md") == "Root content")
        let claude = try Self.tsProject(target: "claude-code")
        try await claude.generate()
        #expect(claude.read(".claude/rules/ts.md") == "---\npaths:\n  - \"*.ts\"\n---\n\nTS content")
        let cursor = try Self.tsProject(target: "cursor")
        try await cursor.generate()
        #expect(cursor.read(".cursor/rules/ts.mdc") == "---\nglobs: \"*.ts\"\nalwaysApply: false\n---\n\nTS content")
    }

    @Test func notificationHookAndIgnoreOnly() async throws {
        let project = try FullFixture.make()
        try project.write(
            ".agentsmesh/hooks.yaml",
            "PreToolUse:\n  - matcher: Read\n    type: command\n    command: echo pre\nNotification:\n  - type: command\n    command: notify-send done\n"
        )
        let result = try await project.generate()
        #expect(result.warnings.contains { $0.code == "SILENT_DROP" && $0.target == "cursor" })
        let claude = try JSONParser.parse(try #require(project.read(".claude/settings.json")))
        #expect(claude["hooks"]?["Notification"] != nil)
        let gemini = try JSONParser.parse(try #require(project.read(".gemini/settings.json")))
        #expect(gemini["hooks"]?["Notification"] != nil)
        let cursor = try JSONParser.parse(try #require(project.read(".cursor/hooks.json")))
        #expect(cursor["hooks"]?.objectValue?.keys == ["preToolUse"])

        let ignoreOnly = try FullFixture.make(config: "version: 1\ntargets: [gemini-cli]\nfeatures: [ignore]\n")
        try await ignoreOnly.generate()
        #expect(ignoreOnly.read(".geminiignore") == "node_modules\n")
        #expect(!ignoreOnly.exists(".gemini/settings.json"))
    }
}
