import AgentsMeshCanonical
import AgentsMeshGeneration
import Foundation
import SharedCore
import Testing

@Suite struct LocalConfigTests {
    @Test func localOverrideNarrowsTargetsAndMergesOverrides() async throws {
        let project = try TestProject([
            "agentsmesh.yaml":
                "version: 1\ntargets: [claude-code, cursor, gemini-cli]\nfeatures: [rules, commands]\noverrides:\n  cursor:\n    features: [rules]\n",
            "agentsmesh.local.yaml":
                "targets: [claude-code, cursor]\nfeatures: []\nversion: 7\noverrides:\n  claude-code:\n    features: [commands]\n",
            ".agentsmesh/rules/_root.md": "---\nroot: true\n---\nRoot\n",
            ".agentsmesh/commands/c.md": "Do it\n",
        ])
        let config = try ConfigLoader.load(root: project.root)
        #expect(config.targets == ["claude-code", "cursor"])
        #expect(config.features == [.rules, .commands])
        #expect(config.features(for: "cursor") == [.rules])
        #expect(config.features(for: "claude-code") == [.commands])
        try await project.generate()
        #expect(project.outputFiles() == [".claude/commands/c.md", ".cursor/rules/general.mdc", "AGENTS.md"])
    }
}

@Suite struct ImportMergeTests {
    @Test func rootAccumulatesImportedLines() async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\n",
            ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Root\nKeep tests green.\n",
            "CLAUDE.md": "# Root\nUse tabs.\n",
        ])
        let data = try Importer.run(root: project.root, from: "claude-code", features: nil)
        #expect(data.imported.contains { $0.path == ".agentsmesh/rules/_root.md" })
        #expect(project.read(".agentsmesh/rules/_root.md") == "---\nroot: true\n---\n# Root\nKeep tests green.\n\nUse tabs.\n")
        // Importing the same lines again is a no-op; a superset replaces.
        try Importer.run(root: project.root, from: "claude-code", features: nil)
        #expect(project.read(".agentsmesh/rules/_root.md") == "---\nroot: true\n---\n# Root\nKeep tests green.\n\nUse tabs.\n")
        try project.write("CLAUDE.md", "# Root\nKeep tests green.\nUse tabs.\nShip small.\n")
        try Importer.run(root: project.root, from: "claude-code", features: nil)
        #expect(project.read(".agentsmesh/rules/_root.md") == "---\nroot: true\n---\n# Root\nKeep tests green.\nUse tabs.\nShip small.\n")
    }

    @Test func importSeedsSelfEntryAndUnionsSettings() async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\n",
            ".agentsmesh/permissions.yaml": "allow:\n  - Read\n",
            ".claude/settings.json":
                "{\"permissions\":{\"allow\":[\"Read\",\"Grep\"],\"deny\":[\"Bash(rm:*)\"]},\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"say done\"}]}]}}",
            ".mcp.json": "{\"mcpServers\":{\"gh\":{\"type\":\"http\",\"url\":\"https://example.test/mcp\"}}}",
        ])
        let data = try Importer.run(root: project.root, from: "claude-code", features: nil)
        #expect(data.from == "claude-code")
        #expect(project.read(".agentsmesh/permissions.yaml") == "allow:\n  - Read\n  - Grep\ndeny:\n  - Bash(rm:*)\nask: []\n")
        #expect(project.read(".agentsmesh/hooks.yaml") == "Stop:\n  - type: command\n    command: say done\n")
        let mcp = try JSONParser.parse(try #require(project.read(".agentsmesh/mcp.json")))
        #expect(mcp["mcpServers"]?.objectValue?.keys == ["gh", "agentsmesh"])
        #expect(mcp["mcpServers"]?["agentsmesh"] == ["type": "stdio", "command": "agentsmesh", "args": ["mcp"]])
    }

    @Test func nothingToImport() async throws {
        let project = try TestProject(["agentsmesh.yaml": "version: 1\n"])
        let data = try Importer.run(root: project.root, from: "cursor", features: nil)
        #expect(data.imported.isEmpty)
        #expect(!project.exists(".agentsmesh/mcp.json"))
    }

    @Test func initImportsEveryDetectedToolAndKeepsCollidingNamesApart() async throws {
        let project = try TestProject([
            "CLAUDE.md": "# Shared\nClaude line.\n",
            ".claude/commands/deploy.md": "---\ndescription: Deploy (claude)\n---\nDeploy with claude.\n",
            ".cursor/rules/general.mdc": "---\nalwaysApply: true\n---\n# Shared\nCursor line.\n",
            ".cursor/commands/deploy.md": "---\ndescription: Deploy (cursor)\n---\nDeploy with cursor.\n",
        ])
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        #expect(data["targets"] == ["claude-code", "cursor"])
        #expect(
            project.read(".agentsmesh/commands/deploy-claude-code.md") == "---\ndescription: Deploy (claude)\n---\nDeploy with claude.\n")
        #expect(project.read(".agentsmesh/commands/deploy-cursor.md") == "---\ndescription: Deploy (cursor)\n---\nDeploy with cursor.\n")
        #expect(project.read(".agentsmesh/rules/_root.md") == "---\nroot: true\n---\n# Shared\nClaude line.\n\nCursor line.\n")
        #expect(project.read(".gitignore") == "agentsmesh.local.yaml\n.agentsmeshcache\n.agentsmesh/.lock.tmp\n.agentsmesh/packs/\n")
        #expect(try Checker.check(root: project.root).inSync)
    }
}

@Suite struct WatchTests {
    @Test(arguments: [false, true])
    func regeneratesOnSaveAndIgnoresItsOwnWrites(forcePolling: Bool) async throws {
        let project = try TestProject([
            "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\nfeatures: [rules]\ngeneration_contract: false\n",
            ".agentsmesh/rules/_root.md": "---\nroot: true\n---\nFirst\n",
        ])
        let runs = RunCounter()
        let task = Task { await WatchLoop.run(root: project.root, forcePolling: forcePolling) { _ in Task { await runs.increment() } } }
        defer { task.cancel() }
        #expect(await runs.wait(for: 1, seconds: 120))
        #expect(project.read("CLAUDE.md") == "First")
        try await Task.sleep(for: .milliseconds(200))
        try project.write(".agentsmesh/rules/_root.md", "---\nroot: true\n---\nSecond\n")
        #expect(await runs.wait(for: 2, seconds: 120))
        #expect(project.read("CLAUDE.md") == "Second")
        // Its own writes (.lock, outputs) must not trigger another run.
        try await Task.sleep(for: .milliseconds(1500))
        #expect(await runs.count == 2)
    }
}

actor RunCounter {
    private(set) var count = 0
    func increment() { count += 1 }
    func wait(for target: Int, seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while count < target {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}
