import AgentsMeshCanonical
import AgentsMeshGeneration
import AgentsMeshProjectors
import Foundation
import SharedCore
import Testing

/// Issue 11: `init`, `import` and `convert` on the forms real projects use never lose what the user wrote.
@Suite struct NothingLostRootTests {
    @Test func anExistingAgentsFileJoinsTheRootAndIsNeverMadeToIncludeItself() async throws {
        let project = try TestProject([
            "GEMINI.md": "# G\n\nSee @AGENTS.md",
            "AGENTS.md": "# Team rules\n\nNever push to main.",
        ])
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(data["targets"] == ["gemini-cli"])
        #expect(
            project.read(".agentsmesh/rules/_root.md")
                == "---\nroot: true\n---\n# G\n\nSee AGENTS.md\n\n# Team rules\n\nNever push to main.\n")
        let agents = try #require(project.read("AGENTS.md"))
        #expect(
            agents.hasPrefix(
                "# G\n\nSee AGENTS.md\n\n# Team rules\n\nNever push to main.\n\n<!-- agentsmesh:root-generation-contract:start -->"))
        #expect(!agents.contains("@AGENTS.md"))
        #expect(data["warnings"]?.arrayValue?.contains { $0["code"] == "ROOT_INCLUDE_FOLLOWED" } == true)
        #expect(try Checker.check(root: project.root).inSync)
    }

    @Test func anIncludeAloneOnItsLineIsReplacedByTheIncludedText() async throws {
        let project = try TestProject([
            "CLAUDE.md": "@AGENTS.md\n\n## Claude only\n\nUse the plan mode.\n",
            "AGENTS.md": "# Shared\n\nRun `make test` before pushing.\n",
        ])
        _ = try await Initializer.run(root: project.root, options: .init(yes: true, targets: ["claude-code", "cursor"]))
        #expect(
            project.read(".agentsmesh/rules/_root.md")
                == "---\nroot: true\n---\n# Shared\n\nRun `make test` before pushing.\n\n## Claude only\n\nUse the plan mode.\n")
        #expect(project.read("AGENTS.md")?.contains("Use the plan mode.") == true)
    }

    @Test func everyRootFileOfEveryToolIsMergedByBlocks() async throws {
        let shared = "## Build\n\n```bash\n# install deps\nnpm ci\n```"
        let project = try TestProject([
            "CLAUDE.md": "# Project\n\n\(shared)\n\nClaude: prefer small diffs.\n",
            "GEMINI.md": "# Project\n\n\(shared)\n\nGemini: cite files.\n",
            "AGENTS.md": "# Project\n\nEveryone: never push to main.\n",
            ".cursorrules": "Cursor: keep imports sorted.\n",
        ])
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(data["targets"] == ["claude-code", "cursor", "gemini-cli"])
        let root = try #require(project.read(".agentsmesh/rules/_root.md"))
        #expect(
            root == """
                ---
                root: true
                ---
                # Project

                Everyone: never push to main.

                Cursor: keep imports sorted.

                ## Build

                ```bash
                # install deps
                npm ci
                ```

                Claude: prefer small diffs.

                Gemini: cite files.

                """)
        for original in ["CLAUDE.md", "GEMINI.md", "AGENTS.md"] {
            let output = try #require(project.read(original))
            for line in [
                "Everyone: never push to main.", "Claude: prefer small diffs.", "Cursor: keep imports sorted.", "Gemini: cite files.",
                "# install deps",
            ] {
                #expect(output.contains(line), "\(original) lacks \(line)")
            }
        }
        #expect(try Checker.check(root: project.root).inSync)
    }

    @Test func legacyCursorrulesIsDetectedAsCursor() async throws {
        let project = try TestProject([".cursorrules": "Always write tests first.\n"])
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(data["targets"] == ["cursor"])
        #expect(project.read(".agentsmesh/rules/_root.md") == "---\nroot: true\n---\nAlways write tests first.\n")
    }

    @Test func alwaysApplyCursorRulesStayRulesWhenAnotherRootExists() async throws {
        let project = try TestProject([
            "CLAUDE.md": "# Root from Claude\n",
            ".cursor/rules/aaa.mdc": "---\ndescription: First by name\nalwaysApply: true\n---\nAlways A.\n",
            ".cursor/rules/zzz.mdc": "---\nalwaysApply: true\n---\nAlways Z.\n",
        ])
        _ = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(project.read(".agentsmesh/rules/_root.md") == "---\nroot: true\n---\n# Root from Claude\n")
        #expect(project.read(".agentsmesh/rules/aaa.md") == "---\ndescription: First by name\ntrigger: always_on\n---\nAlways A.\n")
        #expect(project.read(".agentsmesh/rules/zzz.md") == "---\ntrigger: always_on\n---\nAlways Z.\n")
        #expect(project.read(".cursor/rules/aaa.mdc") == "---\ndescription: First by name\nalwaysApply: true\n---\n\nAlways A.")
    }

    @Test func theFirstAlwaysApplyRuleBecomesRootOnlyWhenNothingElseCan() async throws {
        let project = try TestProject([
            ".cursor/rules/aaa.mdc": "---\nalwaysApply: true\n---\nAlways A.\n",
            ".cursor/rules/bbb.mdc": "---\nalwaysApply: true\n---\nAlways B.\n",
        ])
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(project.read(".agentsmesh/rules/_root.md") == "---\nroot: true\n---\nAlways A.\n")
        #expect(project.read(".agentsmesh/rules/bbb.md") == "---\ntrigger: always_on\n---\nAlways B.\n")
        #expect(
            data["removed"] == [
                ["path": ".cursor/rules/aaa.mdc", "renamedTo": ".cursor/rules/general.mdc", "reason": .string(Initializer.renamedReason)]
            ])
        #expect(data["warnings"]?.arrayValue?.contains { $0["code"] == "ROOT_PROMOTED" } == true)
        #expect(!project.exists(".cursor/rules/aaa.mdc"))
        #expect(try Checker.check(root: project.root).inSync)
    }
}

@Suite struct NothingLostFrontmatterTests {
    @Test func unquotedCursorGlobsAreReadAsCursorReadsThem() async throws {
        let project = try TestProject([
            "CLAUDE.md": "# Root\n",
            ".cursor/rules/ts.mdc": "---\ndescription: TypeScript: strict\nglobs: **/*.ts\nalwaysApply: false\n---\nStrict types.\n",
            ".cursor/rules/web.mdc": "---\nglobs: src/**/*.tsx, tests/**/*.ts\n---\nHooks only.\n",
        ])
        _ = try await Initializer.run(root: project.root, options: .init(yes: true, targets: ["claude-code"]))
        #expect(
            project.read(".agentsmesh/rules/ts.md")
                == "---\ndescription: \"TypeScript: strict\"\nglobs:\n  - \"**/*.ts\"\n---\nStrict types.\n")
        #expect(project.read(".agentsmesh/rules/web.md") == "---\nglobs:\n  - src/**/*.tsx\n  - tests/**/*.ts\n---\nHooks only.\n")
        #expect(
            project.read(".claude/rules/ts.md") == "---\ndescription: \"TypeScript: strict\"\npaths:\n  - \"**/*.ts\"\n---\n\nStrict types."
        )
    }

    @Test func everyUnreadableFileIsReportedInOneRunAndNothingIsWritten() async throws {
        let project = try TestProject([
            ".cursor/rules/a.mdc": "---\ndescription: no closing fence\n",
            ".claude/commands/b.md": "---\ndescription: [unclosed\n  nested: {\n---\nBody\n",
            "CLAUDE.md": "# Root\n",
        ])
        let error = await #expect(throws: ToolError.self) { try await Initializer.run(root: project.root, options: .init(yes: true)) }
        #expect(error?.code == "VALIDATION_FAILED")
        let paths = error?.details?["issues"]?.arrayValue?.compactMap { $0["path"]?.stringValue }
        #expect(paths == [".claude/commands/b.md", ".cursor/rules/a.mdc"])
        #expect(!project.exists("agentsmesh.yaml"))
        #expect(!project.exists(".agentsmesh"))
    }

    @Test func theOlderGlobsKeyOfClaudeRulesScopesTheRule() async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\n",
            ".claude/rules/testing.md": "---\nglobs: tests/**\n---\nUse fixtures.\n",
            ".claude/rules/api.md": "---\npaths:\n  - src/api/**\nglobs: src/routes/**\n---\nValidate input.\n",
        ])
        _ = try Importer.run(root: project.root, from: "claude-code", features: nil)
        #expect(project.read(".agentsmesh/rules/testing.md") == "---\nglobs:\n  - tests/**\n---\nUse fixtures.\n")
        #expect(project.read(".agentsmesh/rules/api.md") == "---\nglobs:\n  - src/api/**\n  - src/routes/**\n---\nValidate input.\n")
    }
}

@Suite struct NothingLostNamesTests {
    @Test func sameNamedRulesInDifferentFoldersAreBothKept() async throws {
        let project = try TestProject([
            "CLAUDE.md": "# Root\n",
            ".cursor/rules/style.mdc": "---\ndescription: Top style\n---\nTop.\n",
            ".cursor/rules/sub/style.mdc": "---\ndescription: Sub style\n---\nSub.\n",
            ".claude/rules/backend/api.md": "---\npaths:\n  - server/**\n---\nBackend.\n",
            ".claude/rules/frontend/api.md": "---\npaths:\n  - web/**\n---\nFrontend.\n",
        ])
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(project.read(".agentsmesh/rules/style.md") == "---\ndescription: Top style\n---\nTop.\n")
        #expect(project.read(".agentsmesh/rules/sub-style.md") == "---\ndescription: Sub style\n---\nSub.\n")
        #expect(project.read(".agentsmesh/rules/backend-api.md") == "---\nglobs:\n  - server/**\n---\nBackend.\n")
        #expect(project.read(".agentsmesh/rules/frontend-api.md") == "---\nglobs:\n  - web/**\n---\nFrontend.\n")
        let removed = data["removed"]?.arrayValue?.compactMap { $0["path"]?.stringValue }
        #expect(removed == [".claude/rules/backend/api.md", ".claude/rules/frontend/api.md", ".cursor/rules/sub/style.mdc"])
        let renamedTo = data["removed"]?.arrayValue?.compactMap { $0["renamedTo"]?.stringValue }
        #expect(renamedTo == [".claude/rules/backend-api.md", ".claude/rules/frontend-api.md", ".cursor/rules/sub-style.mdc"])
        #expect(project.read(".cursor/rules/sub-style.mdc") == "---\ndescription: Sub style\nalwaysApply: false\n---\n\nSub.")
        #expect(try Checker.check(root: project.root).inSync)
    }

    @Test func convertOfNestedNamesIsTheSameOnEveryRun() async throws {
        let project = try TestProject([
            ".cursor/rules/style.mdc": "---\ndescription: Top style\n---\nTop.\n",
            ".cursor/rules/sub/style.mdc": "---\ndescription: Sub style\n---\nSub.\n",
        ])
        _ = try Converter.convert(root: project.root, from: "cursor", to: "claude-code", dryRun: false)
        let first = project.outputFiles().map { ($0, project.read($0)) }
        let again = try Converter.convert(root: project.root, from: "cursor", to: "claude-code", dryRun: false)
        #expect(again.files.allSatisfy { $0.status == .unchanged })
        #expect(project.outputFiles().map { ($0, project.read($0)) }.elementsEqual(first, by: { $0 == $1 }))
        #expect(project.read(".claude/rules/sub-style.md") == "---\ndescription: Sub style\n---\n\nSub.")
        #expect(project.read(".claude/rules/style.md") == "---\ndescription: Top style\n---\n\nTop.")
    }
}

@Suite struct NothingLostSkillTests {
    @Test func linkedSkillFoldersInsideTheProjectAreFollowedAndOthersReported() async throws {
        let project = try TestProject([
            "CLAUDE.md": "# Root\n",
            "shared/skills/docs/SKILL.md": "---\ndescription: Write docs\n---\nUse ./template.md.\n",
            "shared/skills/docs/template.md": "# Template\n",
        ])
        try FileManager.default.createDirectory(atPath: project.root + "/.claude/skills", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: project.root + "/.claude/skills/docs", withDestinationPath: "../../shared/skills/docs")
        let outside = try TestProject(["SKILL.md": "---\ndescription: Elsewhere\n---\nNo.\n"])
        try FileManager.default.createSymbolicLink(atPath: project.root + "/.claude/skills/outside", withDestinationPath: outside.root)
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(project.read(".agentsmesh/skills/docs/SKILL.md") == "---\ndescription: Write docs\n---\nUse ./template.md.\n")
        #expect(project.read(".agentsmesh/skills/docs/template.md") == "# Template\n")
        #expect(!project.exists(".agentsmesh/skills/outside"))
        #expect(
            data["skipped"] == [
                ["kind": "skill", "name": "outside", "reason": "symbolic link to a folder outside the project (not followed)"]
            ])
        #expect(project.read("shared/skills/docs/template.md") == "# Template\n")
        // The link is replaced by the generated folder; the shared folder it pointed at is left as written.
        #expect(data["removed"] == [["path": ".claude/skills/docs", "reason": .string(Initializer.linkReason)]])
        #expect(FileSystem.kind(project.root + "/.claude/skills/docs") == .directory)
        #expect(project.read("shared/skills/docs/SKILL.md") == "---\ndescription: Write docs\n---\nUse ./template.md.\n")
        #expect(
            project.read(".claude/skills/docs/SKILL.md")
                == "---\nname: docs\ndescription: Write docs\n---\n\n## Purpose\n\nUse ./template.md.")
        #expect(try Checker.check(root: project.root).inSync)
    }
}

@Suite struct NothingLostHookTests {
    @Test func claudeEventsAndHookTypesTheOthersLackAreCarriedThrough() async throws {
        let hooks = """
            {"hooks":{"PermissionRequest":[{"matcher":"Bash","hooks":[{"type":"command","command":"./log.sh","timeout":5}]}],\
            "PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"./guard.sh"},{"type":"http","url":"https://hooks.example.test/pre"}]}],\
            "Notification":[{"type":"command","command":"notify-send done"}]},"model":"opus"}
            """
        let project = try TestProject(["CLAUDE.md": "# Root\n", ".claude/settings.json": hooks])
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(
            project.read(".agentsmesh/hooks.yaml") == """
                claude-code:PermissionRequest:
                  - matcher: Bash
                    type: command
                    command: ./log.sh
                    timeout: 5
                PreToolUse:
                  - matcher: Bash
                    type: command
                    command: ./guard.sh
                claude-code:PreToolUse:
                  - matcher: Bash
                    type: http
                    url: https://hooks.example.test/pre
                Notification:
                  - type: command
                    command: notify-send done

                """)
        #expect(data["warnings"]?.arrayValue?.filter { $0["code"] == "HOOK_TARGET_SPECIFIC" }.count == 2)
        let settings = try JSONParser.parse(try #require(project.read(".claude/settings.json")))
        #expect(settings["model"] == "opus")
        #expect(
            settings["hooks"] == [
                "PermissionRequest": [["matcher": "Bash", "hooks": [["type": "command", "command": "./log.sh", "timeout": 5]]]],
                "PreToolUse": [
                    [
                        "matcher": "Bash",
                        "hooks": [
                            ["type": "command", "command": "./guard.sh"], ["type": "http", "url": "https://hooks.example.test/pre"],
                        ],
                    ]
                ],
                "Notification": [["hooks": [["type": "command", "command": "notify-send done"]]]],
            ])
        let lint = try Linter.lint(root: project.root, targets: nil)
        #expect(!lint.contains { $0.severity == "error" })
        #expect(lint.filter { $0.code == "hook-target-specific" }.count == 2)
        #expect(try Checker.check(root: project.root).inSync)
    }

    @Test func geminiEventsWithoutCounterpartStayAndOnlyToolMatchersAreTranslated() async throws {
        let settings = """
            {"hooks":{"BeforeTool":[{"matcher":"run_shell_command","hooks":[{"type":"command","command":"./pre.sh","timeout":5000}]}],\
            "SessionStart":[{"matcher":"startup","hooks":[{"type":"command","command":"./hello.sh"}]}],\
            "SessionEnd":[{"hooks":[{"type":"command","command":"./bye.sh","timeout":1500}]}],\
            "BeforeModel":[{"hooks":[{"type":"command","command":"./model.sh","name":"model-guard"}]}],\
            "BeforeAgent":[{"matcher":"Edit","hooks":[{"type":"command","command":"./prompt.sh"}]}]}}
            """
        let project = try TestProject(["GEMINI.md": "# Root\n", ".gemini/settings.json": settings])
        _ = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(
            project.read(".agentsmesh/hooks.yaml") == """
                PreToolUse:
                  - matcher: Bash
                    type: command
                    command: ./pre.sh
                    timeout: 5
                SessionStart:
                  - matcher: startup
                    type: command
                    command: ./hello.sh
                gemini-cli:SessionEnd:
                  - type: command
                    command: ./bye.sh
                    timeout: 1500
                gemini-cli:BeforeModel:
                  - type: command
                    command: ./model.sh
                    name: model-guard
                UserPromptSubmit:
                  - matcher: Edit
                    type: command
                    command: ./prompt.sh

                """)
        let written = try JSONParser.parse(try #require(project.read(".gemini/settings.json")))
        #expect(
            written["hooks"] == [
                "BeforeTool": [
                    ["matcher": "^(?:run_shell_command)$", "hooks": [["type": "command", "command": "./pre.sh", "timeout": 5000]]]
                ],
                "SessionStart": [["matcher": "startup", "hooks": [["type": "command", "command": "./hello.sh"]]]],
                "SessionEnd": [["hooks": [["type": "command", "command": "./bye.sh", "timeout": 1500]]]],
                "BeforeModel": [["hooks": [["type": "command", "command": "./model.sh", "name": "model-guard"]]]],
                "BeforeAgent": [["matcher": "Edit", "hooks": [["type": "command", "command": "./prompt.sh"]]]],
            ])
        #expect(try Checker.check(root: project.root).inSync)
    }

    @Test func anImportNeverWritesAnEmptyHooksFileThatWouldClearOtherTools() async throws {
        let claudeHooks = "{\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"say done\"}]}]}}"
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [claude-code, cursor]\n",
            ".claude/settings.json": claudeHooks,
            ".cursor/hooks.json": "{\"version\":1,\"hooks\":{}}",
            ".cursor/cli.json": "{\"permissions\":{}}",
        ])
        _ = try Importer.run(root: project.root, from: "cursor", features: nil)
        #expect(!project.exists(".agentsmesh/hooks.yaml"))
        #expect(!project.exists(".agentsmesh/permissions.yaml"))
        try project.write(".cursor/hooks.json", "{\"version\":1,\"hooks\":{\"beforeShellExecution\":[{\"command\":\"./audit.sh\"}]}}")
        _ = try Importer.run(root: project.root, from: "cursor", features: nil)
        #expect(project.read(".agentsmesh/hooks.yaml") == "cursor:beforeShellExecution:\n  - type: command\n    command: ./audit.sh\n")
        try await project.generate()
        #expect(project.read(".claude/settings.json") == claudeHooks)
        #expect(
            project.read(".cursor/hooks.json")
                == "{\n  \"version\": 1,\n  \"hooks\": {\n    \"beforeShellExecution\": [\n      {\n        \"type\": \"command\",\n        \"command\": \"./audit.sh\"\n      }\n    ]\n  }\n}"
        )
    }
}

@Suite struct NothingLostMcpTests {
    @Test func sameNamedServersOfTwoToolsAreKeptPerTargetAndEveryFileIsOneTheToolAccepts() async throws {
        let project = try TestProject([
            "CLAUDE.md": "# Root\n",
            ".mcp.json": """
            {"mcpServers":{"db":{"command":"node","args":["./scripts/db-mcp.js"]},\
            "same":{"command":"uvx","args":["same-mcp"]},\
            "remote":{"url":"https://mcp.example.test/mcp"},\
            "stream":{"type":"streamable-http","url":"https://stream.example.test/mcp"}}}
            """,
            ".claude/settings.json": "{\"disabledMcpjsonServers\":[\"same\"]}",
            ".cursor/mcp.json": """
            {"mcpServers":{"db":{"command":"npx","args":["-y","@example/db-mcp"]},"same":{"command":"uvx","args":["same-mcp"]}}}
            """,
        ])
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        let canonical = try JSONParser.parse(try #require(project.read(".agentsmesh/mcp.json")))
        #expect(canonical["mcpServers"]?.objectValue?.keys == ["db", "same", "remote", "stream", "cursor:db", "cursor:same", "agentsmesh"])
        #expect(canonical["mcpServers"]?["same"] == ["command": "uvx", "args": ["same-mcp"], "disabled": true])
        #expect(canonical["mcpServers"]?["cursor:db"] == ["command": "npx", "args": ["-y", "@example/db-mcp"]])
        // Disabled in Claude Code, enabled in Cursor: each tool keeps its own state.
        #expect(canonical["mcpServers"]?["cursor:same"] == ["command": "uvx", "args": ["same-mcp"]])
        #expect(data["warnings"]?.arrayValue?.contains { $0["code"] == "MCP_SERVER_PER_TARGET" } == true)

        let claude = try JSONParser.parse(try #require(project.read(".mcp.json")))
        #expect(
            claude["mcpServers"] == [
                "db": ["type": "stdio", "command": "node", "args": ["./scripts/db-mcp.js"]],
                "same": ["type": "stdio", "command": "uvx", "args": ["same-mcp"]],
                "remote": ["type": "http", "url": "https://mcp.example.test/mcp"],
                "stream": ["type": "http", "url": "https://stream.example.test/mcp"],
                "agentsmesh": ["type": "stdio", "command": "agentsmesh", "args": ["mcp"]],
            ])
        #expect(try JSONParser.parse(try #require(project.read(".claude/settings.json")))["disabledMcpjsonServers"] == ["same"])
        let cursor = try JSONParser.parse(try #require(project.read(".cursor/mcp.json")))
        #expect(cursor["mcpServers"]?["db"] == ["command": "npx", "args": ["-y", "@example/db-mcp"]])
        #expect(cursor["mcpServers"]?["remote"] == ["url": "https://mcp.example.test/mcp"])
        #expect(cursor["mcpServers"]?.objectValue?.keys.contains("cursor:db") == false)
        #expect(try Checker.check(root: project.root).inSync)

        // A second run of import from each tool changes nothing.
        let before = project.read(".agentsmesh/mcp.json")
        _ = try Importer.run(root: project.root, from: "cursor", features: nil)
        _ = try Importer.run(root: project.root, from: "claude-code", features: nil)
        #expect(project.read(".agentsmesh/mcp.json") == before)
    }

    @Test func geminiGetsTypedServersAndExcludesDisabledOnes() async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [gemini-cli]\n",
            ".agentsmesh/mcp.json": """
            {"mcpServers":{"local":{"command":"npx","args":["srv"],"disabled":true,"autoApprove":["read"]},"web":{"type":"streamable-http","url":"https://w.example.test"}}}
            """,
        ])
        let result = try await project.generate()
        let settings = try JSONParser.parse(try #require(project.read(".gemini/settings.json")))
        #expect(
            settings["mcpServers"] == [
                "local": ["type": "stdio", "command": "npx", "args": ["srv"]],
                "web": ["type": "http", "url": "https://w.example.test"],
            ])
        #expect(settings["mcp"] == ["excluded": ["local"]])
        #expect(result.warnings.contains { $0.code == "SILENT_DROP" && $0.message.contains("autoApprove") })
        // Import restores `disabled`.
        let imported = try Importer.collect(root: project.root, from: "gemini-cli", features: nil)
        #expect(imported.project.mcpServers?["local"] == ["type": "stdio", "command": "npx", "args": ["srv"], "disabled": true])
    }
}

@Suite struct NothingLostTranslationTests {
    @Test func placeholdersAreTranslatedOnlyWhereTheyArePlaceholders() async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [gemini-cli]\n",
            ".gemini/commands/explain.toml":
                "description = \"Explain\"\nprompt = \"\"\"\nExplain {{args}}.\nIn bash, `$ARGUMENTS` is not special; neither is\n```sh\necho $ARGUMENTS\n```\n\"\"\"\n",
        ])
        _ = try Importer.run(root: project.root, from: "gemini-cli", features: nil)
        #expect(
            project.read(".agentsmesh/commands/explain.md")
                == "---\ndescription: Explain\n---\nExplain $ARGUMENTS.\nIn bash, `$ARGUMENTS` is not special; neither is\n```sh\necho $ARGUMENTS\n```\n"
        )
        try await project.generate()
        #expect(
            project.read(".gemini/commands/explain.toml")
                == "description = \"Explain\"\nprompt = \"\"\"\nExplain {{args}}.\nIn bash, `$ARGUMENTS` is not special; neither is\n```sh\necho $ARGUMENTS\n```\n\"\"\"\n"
        )
    }

    @Test func commaListsSplitOnlyOutsideBrackets() {
        #expect(SettingsParsing.splitList("Bash(git log --format=%h,%s:*), Read") == ["Bash(git log --format=%h,%s:*)", "Read"])
        #expect(SettingsParsing.splitList("src/{a,b}/*.ts, lib/**") == ["src/{a,b}/*.ts", "lib/**"])
        #expect(SettingsParsing.splitList(" a ,, b ") == ["a", "b"])
    }

    @Test func wildcardPermissionsKeepTheirMeaningInGeminiPolicies() async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [gemini-cli]\nfeatures: [permissions]\n",
            ".agentsmesh/permissions.yaml": "deny:\n  - Bash(curl * | bash)\n  - Read(./secrets/*.env)\n",
        ])
        try await project.generate()
        let policy = try #require(project.read(".gemini/policies/permissions.toml"))
        #expect(policy.contains("commandRegex = \"^curl .* \\\\| bash$\""))
        #expect(policy.contains("argsPattern = \"\\\\./secrets/.*\\\\.env\""))
        let regex = try Regex("^curl .* \\| bash$")
        #expect("curl https://x.test/i.sh | bash".wholeMatch(of: regex) != nil)
        let imported = try Importer.collect(root: project.root, from: "gemini-cli", features: nil)
        #expect(imported.project.permissions?.deny == ["Bash(curl * | bash)", "Read(./secrets/*.env)"])
    }

    @Test func toolNamesAndAgentKeysMapBothWays() async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\n",
            ".claude/agents/auditor.md":
                "---\nname: auditor\ndescription: Audits\nmax-turns: 10\npermission-mode: acceptEdits\ndisallowed-tools: Write, Bash(rm:*)\n---\nAudit.\n",
            ".claude/commands/log.md": "---\nallowed-tools: Bash(git log --format=%h,%s:*), Read\n---\nShow the log.\n",
        ])
        _ = try Importer.run(root: project.root, from: "claude-code", features: nil)
        #expect(
            project.read(".agentsmesh/agents/auditor.md")
                == "---\nname: auditor\ndescription: Audits\ndisallowedTools:\n  - Write\n  - Bash(rm:*)\npermissionMode: acceptEdits\nmaxTurns: 10\n---\nAudit.\n"
        )
        #expect(
            project.read(".agentsmesh/commands/log.md")
                == "---\nallowed-tools:\n  - Bash(git log --format=%h,%s:*)\n  - Read\n---\nShow the log.\n")
        try await project.generate()
        #expect(
            project.read(".claude/agents/auditor.md")?.hasPrefix(
                "---\nname: auditor\ndescription: Audits\ndisallowedTools:\n  - Write\n  - Bash(rm:*)\npermissionMode: acceptEdits\nmaxTurns: 10\n---"
            ) == true)
    }

    @Test func theDescriptionHeadingOtherGeneratorsAddIsNotImportedIntoTheRule() async throws {
        let meta = "{\"source\":\"rules/api.md\",\"description\":\"API rules\",\"globs\":[\"src/api/**\"],\"targets\":[]}"
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [gemini-cli]\n",
            "GEMINI.md":
                "Root.\n\n<!-- agentsmesh:embedded-rules:start -->\n<!-- agentsmesh:embedded-rule:start \(meta) -->\n## API rules\n\nValidate input.\n\n## Errors\n\nUse problem+json.\n<!-- agentsmesh:embedded-rule:end -->\n<!-- agentsmesh:embedded-rules:end -->\n",
        ])
        _ = try Importer.run(root: project.root, from: "gemini-cli", features: nil)
        #expect(
            project.read(".agentsmesh/rules/api.md")
                == "---\ndescription: API rules\nglobs:\n  - src/api/**\n---\nValidate input.\n\n## Errors\n\nUse problem+json.\n")
    }
}

@Suite struct NothingLostConvertAndCheckTests {
    @Test func convertShowsThePlanAndNeverOverwritesAFileItDidNotWriteWithoutForce() async throws {
        let handWritten = (1...180).map { "Line \($0) of the team's own CLAUDE.md." }.joined(separator: "\n") + "\n"
        let project = try TestProject([
            "CLAUDE.md": handWritten,
            ".cursor/rules/general.mdc": "---\nalwaysApply: true\n---\nCursor root.\n",
            ".cursor/rules/ts.mdc": "---\nglobs: \"*.ts\"\n---\nStrict.\n",
        ])
        let error = #expect(throws: ToolError.self) {
            try Converter.convert(root: project.root, from: "cursor", to: "claude-code", dryRun: false)
        }
        #expect(error?.code == "ALREADY_EXISTS")
        #expect(error?.details?["paths"] == ["CLAUDE.md"])
        #expect(error?.details?["plan"]?.arrayValue?.count == 2)
        #expect(project.read("CLAUDE.md") == handWritten)
        #expect(!project.exists(".claude/rules/ts.md"))

        let plan = try Converter.convert(root: project.root, from: "cursor", to: "claude-code", dryRun: true)
        #expect(plan.warnings.contains { $0.code == "UNMANAGED_OVERWRITE" && $0.path == "CLAUDE.md" })
        #expect(project.read("CLAUDE.md") == handWritten)

        _ = try Converter.convert(root: project.root, from: "cursor", to: "claude-code", dryRun: false, force: true)
        #expect(project.read("CLAUDE.md")?.hasPrefix("Cursor root.") == true)
        // Its own output (it carries the contract block) is updated without --force on the next run.
        try project.write(".cursor/rules/general.mdc", "---\nalwaysApply: true\n---\nCursor root, edited.\n")
        _ = try Converter.convert(root: project.root, from: "cursor", to: "claude-code", dryRun: false)
        #expect(project.read("CLAUDE.md")?.hasPrefix("Cursor root, edited.") == true)
    }

    @Test func checkPassesRightAfterInitOnFilesThatAreNotGeneratedOnes() async throws {
        let project = try TestProject([
            "GEMINI.md": "# Root\n",
            ".gemini/commands/legacy.md": "---\ndescription: Old style\n---\nDo the old thing.\n",
            ".gemini/agents/helper.toml": "name = \"helper\"\n",
            ".gemini/skills/release/SKILL.md": "---\ndescription: Release (gemini)\n---\nGemini release.\n",
            ".gemini/skills/release/scripts/bump.sh": "#!/bin/sh\necho bump\n",
            ".claude/commands/hello.md": "Say hello.\n",
            ".claude/skills/release/SKILL.md": "---\ndescription: Release (claude)\n---\nClaude release.\n",
            ".claude/skills/release/notes.md": "Notes\n",
        ])
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        let removed = data["removed"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
        #expect(
            removed == [
                ".claude/skills/release/SKILL.md", ".claude/skills/release/notes.md",
                ".gemini/commands/legacy.md", ".gemini/skills/release/SKILL.md", ".gemini/skills/release/scripts/bump.sh",
            ])
        #expect(
            data["removed"]?.arrayValue?.compactMap { $0["renamedTo"]?.stringValue } == [
                ".claude/skills/release-claude-code/SKILL.md", ".claude/skills/release-claude-code/notes.md",
                ".gemini/commands/legacy.toml", ".gemini/skills/release-gemini-cli/SKILL.md",
                ".gemini/skills/release-gemini-cli/scripts/bump.sh",
            ])
        #expect(project.read(".agentsmesh/skills/release-gemini-cli/scripts/bump.sh") == "#!/bin/sh\necho bump\n")
        #expect(project.read(".agentsmesh/skills/release-claude-code/notes.md") == "Notes\n")
        #expect(project.read(".gemini/commands/legacy.toml") == "description = \"Old style\"\nprompt = \"\"\"\nDo the old thing.\n\"\"\"\n")
        #expect(project.read(".gemini/agents/helper.toml") == "name = \"helper\"\n")
        let check = try Checker.check(root: project.root)
        #expect(check.inSync, "\(check.advice)")
        #expect(try await project.generate().files.allSatisfy { $0.status == .unchanged })
    }

    @Test func checkNamesACommandThatFixesEachKindOfDrift() async throws {
        let project = try FullFixture.make()
        try await project.generate()
        try project.write(".claude/commands/review.md", "edited by hand\n")
        try project.write(".claude/agents/extra.md", "a file nobody generated\n")
        let result = try Checker.check(root: project.root)
        #expect(
            result.advice == """
                generated files were edited (.claude/commands/review.md): keep the edits with `agentsmesh import --from <target>`, or discard them with `agentsmesh generate`
                files agentsmesh did not generate sit in folders it manages (.claude/agents/extra.md): bring them into .agentsmesh/ with `agentsmesh import --from <target>`, or delete them (`agentsmesh generate` does not remove them)
                """)
    }
}

@Suite struct NothingLostProseTests {
    @Test func fileNamesInSentencesAndHeadingsAreWordsNotLinks() async throws {
        let project = try TestProject([
            "CLAUDE.md":
                "# Guide\n\nKeep the main CLAUDE.md file short.\n\n# AGENTS.md\n\nOther tools read AGENTS.md.\n\nSee [the rules](./CLAUDE.md) and @docs/setup.md.\n",
            "AGENTS.md": "# Guide\n",
            "docs/setup.md": "Setup\n",
        ])
        _ = try await Initializer.run(root: project.root, options: .init(yes: true, targets: ["claude-code", "cursor"]))
        let root = try #require(project.read(".agentsmesh/rules/_root.md"))
        #expect(root.contains("Keep the main CLAUDE.md file short."))
        #expect(root.contains("# AGENTS.md\n\nOther tools read AGENTS.md."))
        #expect(root.contains("See [the rules](./_root.md) and @docs/setup.md."))
        let cursor = try #require(project.read(".cursor/rules/general.mdc"))
        #expect(cursor.contains("Keep the main CLAUDE.md file short.\n\n# AGENTS.md\n\nOther tools read AGENTS.md."))
        #expect(cursor.contains("See [the rules](./general.mdc) and @docs/setup.md."))
        #expect(project.read("CLAUDE.md")?.contains("# AGENTS.md\n\nOther tools read AGENTS.md.") == true)
    }
}

@Suite struct NothingLostGeminiServerTests {
    @Test func untypedGeminiServersKeepTheTransportGeminiGaveThem() async throws {
        let project = try TestProject([
            "GEMINI.md": "# Root\n",
            ".gemini/settings.json":
                "{\"mcpServers\":{\"events\":{\"url\":\"https://e.example.test/sse\"},\"api\":{\"httpUrl\":\"https://a.example.test/mcp\",\"timeout\":5000}}}",
        ])
        _ = try await Initializer.run(root: project.root, options: .init(yes: true, targets: ["gemini-cli", "claude-code"]))
        let canonical = try JSONParser.parse(try #require(project.read(".agentsmesh/mcp.json")))
        #expect(canonical["mcpServers"]?["events"] == ["type": "sse", "url": "https://e.example.test/sse"])
        #expect(canonical["mcpServers"]?["api"] == ["type": "http", "url": "https://a.example.test/mcp", "timeout": 5000])
        let claude = try JSONParser.parse(try #require(project.read(".mcp.json")))
        #expect(claude["mcpServers"]?["events"] == ["type": "sse", "url": "https://e.example.test/sse"])
        #expect(try Checker.check(root: project.root).inSync)
    }
}

@Suite struct NothingLostLintTests {
    @Test func lintListsWhatInitCouldNotCarryOver() async throws {
        let project = try TestProject([
            "GEMINI.md": "# Root\n",
            ".gemini/agents/helper.toml": "name = \"helper\"\n",
            ".gemini/commands/say.toml": "prompt = \"\"\"\nEcho $ARGUMENTS as text.\n\"\"\"\n",
        ])
        let outside = try TestProject(["SKILL.md": "---\ndescription: Elsewhere\n---\nNo.\n"])
        try FileManager.default.createDirectory(atPath: project.root + "/.gemini/skills", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: project.root + "/.gemini/skills/far", withDestinationPath: outside.root)
        _ = try await Initializer.run(root: project.root, options: .init(yes: true))
        let found = try Linter.lint(root: project.root, targets: nil).filter { $0.code == "import-incomplete" }
        #expect(found.map(\.path) == [".gemini/skills/far", ".gemini/agents/helper.toml"])
        #expect(found.allSatisfy { $0.severity == "warning" && $0.target == "gemini-cli" })
    }
}

@Suite struct NothingLostGeminiContextTests {
    @Test func aContextFileListThatLeavesOutGeminiMdGetsItAdded() async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [gemini-cli]\n",
            ".agentsmesh/rules/_root.md": "---\nroot: true\n---\nRoot.\n",
            ".agentsmesh/rules/api.md": "---\nglobs:\n  - src/**\n---\nAPI.\n",
            ".gemini/settings.json": "{\"context\":{\"fileName\":[\"AGENTS.md\"]},\"ui\":{\"theme\":\"GitHub\"}}",
        ])
        try await project.generate()
        let settings = try JSONParser.parse(try #require(project.read(".gemini/settings.json")))
        #expect(settings["context"] == ["fileName": ["AGENTS.md", "GEMINI.md"]])
        #expect(settings["ui"] == ["theme": "GitHub"])
        #expect(try Checker.check(root: project.root).inSync)
        // The user's own additions to the list are theirs: no drift, kept by the next generate.
        try project.write(
            ".gemini/settings.json", "{\"context\":{\"fileName\":[\"AGENTS.md\",\"GEMINI.md\",\"NOTES.md\"]},\"ui\":{\"theme\":\"GitHub\"}}"
        )
        #expect(try Checker.check(root: project.root).inSync)
        try await project.generate()
        #expect(
            try JSONParser.parse(try #require(project.read(".gemini/settings.json")))["context"] == [
                "fileName": ["AGENTS.md", "GEMINI.md", "NOTES.md"]
            ])
        // No setting, no file: Gemini reads GEMINI.md by default and nothing is created for it.
        let bare = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [gemini-cli]\nfeatures: [rules]\n",
            ".agentsmesh/rules/_root.md": "---\nroot: true\n---\nRoot.\n",
        ])
        try await bare.generate()
        #expect(!bare.exists(".gemini/settings.json"))
    }
}

@Suite struct NothingLostAgentsFileTests {
    @Test func aLoneAgentsFileNeedsYesAndIsImportedNotOverwritten() async throws {
        let project = try TestProject(["AGENTS.md": "# Team rules\n\nNever push to main.\n"])
        let refused = await #expect(throws: ToolError.self) {
            try await Initializer.run(root: project.root, options: .init(targets: ["claude-code", "gemini-cli"]))
        }
        #expect(refused?.code == "IMPORT_REQUIRED")
        #expect(refused?.details?["tools"] == ["AGENTS.md"])
        #expect(!project.exists("agentsmesh.yaml"))
        _ = try await Initializer.run(root: project.root, options: .init(yes: true, targets: ["claude-code", "gemini-cli"]))
        #expect(project.read(".agentsmesh/rules/_root.md") == "---\nroot: true\n---\n# Team rules\n\nNever push to main.\n")
        #expect(
            project.read("AGENTS.md")?.hasPrefix(
                "# Team rules\n\nNever push to main.\n\n<!-- agentsmesh:root-generation-contract:start -->") == true)
        #expect(project.read("CLAUDE.md")?.hasPrefix("# Team rules\n\nNever push to main.") == true)
        #expect(try Checker.check(root: project.root).inSync)
    }
}

@Suite struct NothingLostAgentKeyTests {
    @Test func geminiAgentSettingsGoBackToGemini() async throws {
        let project = try TestProject([
            "GEMINI.md": "# Root\n",
            ".gemini/agents/scout.md":
                "---\nname: scout\ndescription: Scouts\nkind: local\ntools: [read_file, grep_search]\ntemperature: 0.2\ntimeout_mins: 5\nmax_turns: 8\n---\nScout the repo.\n",
        ])
        _ = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(
            project.read(".gemini/agents/scout.md")
                == "---\nname: scout\ndescription: Scouts\nkind: local\ntools:\n  - read_file\n  - read_many_files\n  - grep_search\nmaxTurns: 8\ntemperature: 0.2\ntimeout_mins: 5\n---\n\nScout the repo."
        )
        #expect(try Checker.check(root: project.root).inSync)
    }
}

@Suite struct NothingLostHookIdentityTests {
    @Test func hooksThatDifferOnlyInKeysAgentsmeshDoesNotReadAreBothKept() async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\n",
            ".claude/settings.json": """
            {"hooks":{"Stop":[{"hooks":[{"type":"http","url":"https://a.example.test"}]}]}}
            """,
        ])
        _ = try Importer.run(root: project.root, from: "claude-code", features: nil)
        try project.write(
            ".claude/settings.json",
            """
            {"hooks":{"Stop":[{"hooks":[{"type":"http","url":"https://a.example.test"},{"type":"http","url":"https://b.example.test"}]}]}}
            """)
        _ = try Importer.run(root: project.root, from: "claude-code", features: nil)
        #expect(
            project.read(".agentsmesh/hooks.yaml")
                == "claude-code:Stop:\n  - type: http\n    url: https://a.example.test\n  - type: http\n    url: https://b.example.test\n")
    }
}
