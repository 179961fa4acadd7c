import AgentsMeshGeneration
import Foundation
import SharedCore
import Testing

/// End-to-end runs of the `agentsmesh` binary.
@Suite struct CLITests {
    static func tempDir() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("am-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return FileSystem.realPath(url.path) ?? url.path
    }

    static func copyFixture() throws -> String {
        let dir = try tempDir()
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "Fixtures/canonical-full"
        ).path
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture) {
            try FileManager.default.copyItem(atPath: fixture + "/" + name, toPath: dir + "/" + name)
        }
        return dir
    }

    static let verbs = ["init", "generate", "check", "diff", "lint", "import", "convert", "merge", "matrix", "watch"]

    @Test(arguments: verbs)
    func everyVerbHasHelp(verb: String) throws {
        let result = try CLI.run([verb, "--help"], in: try Self.tempDir())
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: agentsmesh \(verb)"))
    }

    @Test func usageErrorsExitTwo() throws {
        let dir = try Self.tempDir()
        let plain = try CLI.run(["generate", "--bogus"], in: dir)
        #expect(plain.status == 2)
        #expect(plain.stderr.contains("Unknown option '--bogus'"))
        let json = try CLI.run(["generate", "--bogus", "--json"], in: dir)
        #expect(json.status == 2)
        let envelope = try JSONParser.parse(json.stdout)
        #expect(envelope["success"] == false)
        #expect(envelope["command"] == "generate")
        #expect(envelope["error"]?["code"] == "USAGE")
        let badTarget = try CLI.run(["matrix", "--targets", "vim", "--json"], in: dir)
        #expect(badTarget.status == 2)
        #expect(try JSONParser.parse(badTarget.stdout)["error"]?["code"] == "USAGE")
    }

    @Test func noProjectOutsideAProject() throws {
        let dir = try Self.tempDir()
        let result = try CLI.run(["check", "--json"], in: dir)
        #expect(result.status == 1)
        #expect(try JSONParser.parse(result.stdout)["error"]?["code"] == "NO_PROJECT")
        #expect(!result.stdout.contains(dir))
    }

    @Test func initGenerateCheckAndDrift() throws {
        let dir = try Self.tempDir()
        let initResult = try CLI.run(["init", "--yes", "--all-targets", "--json"], in: dir, environment: ["HOME": dir])
        #expect(initResult.status == 0)
        let data = try JSONParser.parse(initResult.stdout)["data"]
        #expect(data?["targets"] == ["claude-code", "cursor", "gemini-cli"])
        #expect(data?["created"]?.stringList?.contains("agentsmesh.yaml") == true)
        #expect(
            FileManager.default.contents(atPath: dir + "/agentsmesh.yaml").map { String(decoding: $0, as: UTF8.self) }
                == "version: 1\ntargets: [claude-code, cursor, gemini-cli]\nfeatures: [rules, commands, agents, skills, mcp, hooks, ignore, permissions]\n"
        )
        #expect(try CLI.run(["init", "--yes"], in: dir).status == 1)

        let noop = try CLI.run(["generate", "--json"], in: dir)
        #expect(noop.status == 0)
        let generated = try JSONParser.parse(noop.stdout)
        #expect(generated["data"]?["lockfileUpdated"] == false)
        #expect(generated["data"]?["counts"]?["create"] == 0)
        #expect(noop.stdout.hasSuffix("}\n"))

        #expect(try CLI.run(["check"], in: dir).status == 0)
        try Data("# edited\n".utf8).write(to: URL(fileURLWithPath: dir + "/CLAUDE.md"))
        let drift = try CLI.run(["check", "--json"], in: dir)
        #expect(drift.status == 1)
        let envelope = try JSONParser.parse(drift.stdout)
        #expect(envelope["error"]?["code"] == "DRIFT")
        #expect(envelope["error"]?["details"]?["outputsModified"] == ["CLAUDE.md"])

        let diff = try CLI.run(["diff"], in: dir)
        #expect(diff.status == 0)
        #expect(diff.stdout.hasPrefix("--- a/CLAUDE.md\n+++ b/CLAUDE.md\n"))
        let dryRun = try CLI.run(["generate", "--dry-run"], in: dir)
        #expect(dryRun.stdout.contains("[dry-run] update CLAUDE.md (claude-code)\n"))
        #expect(try CLI.run(["generate", "--check"], in: dir).status == 1)
        #expect(try CLI.run(["generate"], in: dir).status == 0)
        #expect(try CLI.run(["check"], in: dir).status == 0)
    }

    @Test func initRefusesToOverwriteDetectedConfigWithoutYes() throws {
        let dir = try Self.tempDir()
        try Data("# Mine\n".utf8).write(to: URL(fileURLWithPath: dir + "/CLAUDE.md"))
        let refused = try CLI.run(["init", "--json"], in: dir, environment: ["HOME": dir])
        #expect(refused.status == 1)
        #expect(try JSONParser.parse(refused.stdout)["error"]?["code"] == "IMPORT_REQUIRED")
        #expect(!FileManager.default.fileExists(atPath: dir + "/agentsmesh.yaml"))
        let accepted = try CLI.run(["init", "--yes"], in: dir, environment: ["HOME": dir])
        #expect(accepted.status == 0)
        let root = FileManager.default.contents(atPath: dir + "/.agentsmesh/rules/_root.md").map { String(decoding: $0, as: UTF8.self) }
        #expect(root == "---\nroot: true\n---\n# Mine\n")
    }

    @Test func initSaysWhatItRenamedAndCheckSaysWhatFixesDrift() throws {
        let dir = try Self.tempDir()
        for (path, text) in [
            "CLAUDE.md": "# Root\n", ".cursor/rules/style.mdc": "---\nglobs: **/*.ts\n---\nTop.\n",
            ".cursor/rules/web/style.mdc": "---\nglobs: web/**\n---\nWeb.\n",
        ] {
            try FileManager.default.createDirectory(
                atPath: dir + "/" + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + path))
        }
        let initResult = try CLI.run(["init", "--yes"], in: dir, environment: ["HOME": dir])
        #expect(initResult.status == 0)
        #expect(
            initResult.stdout.contains(
                "\nrenamed .cursor/rules/web/style.mdc -> .cursor/rules/web-style.mdc (imported into .agentsmesh/; generated under its new name)\n"
            ))
        #expect(try CLI.run(["check"], in: dir).status == 0)
        try Data("stray\n".utf8).write(to: URL(fileURLWithPath: dir + "/.cursor/rules/stray.mdc"))
        let drift = try CLI.run(["check"], in: dir)
        #expect(drift.status == 1)
        #expect(
            drift.stderr.contains(
                "files agentsmesh did not generate sit in folders it manages (.cursor/rules/stray.mdc): bring them into .agentsmesh/ with `agentsmesh import --from <target>`, or delete them"
            ))
    }

    @Test func lintExitCodes() throws {
        let dir = try Self.copyFixture()
        #expect(try CLI.run(["lint"], in: dir).status == 0)
        try Data("---\nname: broken\n---\nNo description.\n".utf8).write(to: URL(fileURLWithPath: dir + "/.agentsmesh/agents/broken.md"))
        let failed = try CLI.run(["lint", "--json"], in: dir)
        #expect(failed.status == 1)
        let envelope = try JSONParser.parse(failed.stdout)
        #expect(envelope["error"]?["code"] == "LINT_FAILED")
        #expect(envelope["error"]?["details"]?["diagnostics"]?.arrayValue?.contains { $0["code"] == "agent-description-missing" } == true)
    }

    @Test func matrixJSON() throws {
        let result = try CLI.run(["matrix", "--json"], in: try Self.tempDir())
        let data = try JSONParser.parse(result.stdout)["data"]
        #expect(data?["scope"] == "project")
        #expect(data?["targets"]?.arrayValue?.map { $0["id"] } == ["claude-code", "cursor", "gemini-cli"])
        #expect(data?["targets"]?.arrayValue?[2]["capabilities"]?["ignore"] == ["level": "native", "flavour": "settings-embedded"])
        #expect(data?["targets"]?.arrayValue?[2]["capabilities"]?["additionalRules"] == ["level": "embedded"])
        #expect(data?["planned"]?.arrayValue?.count == 30)
    }

    @Test func convertWritesTheOtherToolWithoutCanonicalFiles() throws {
        let dir = try Self.tempDir()
        try FileManager.default.createDirectory(atPath: dir + "/.claude/commands", withIntermediateDirectories: true)
        try Data("# Team rules\n".utf8).write(to: URL(fileURLWithPath: dir + "/CLAUDE.md"))
        try Data("---\ndescription: Ship it\n---\nShip $ARGUMENTS\n".utf8).write(
            to: URL(fileURLWithPath: dir + "/.claude/commands/ship.md"))
        let result = try CLI.run(["convert", "--from", "claude-code", "--to", "gemini-cli"], in: dir)
        #expect(result.status == 0)
        #expect(
            FileManager.default.contents(atPath: dir + "/.gemini/commands/ship.toml").map { String(decoding: $0, as: UTF8.self) }
                == "description = \"Ship it\"\nprompt = \"\"\"\nShip {{args}}\n\"\"\"\n")
        #expect(
            FileManager.default.contents(atPath: dir + "/GEMINI.md").map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("# Team rules")
                == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/.agentsmesh"))
    }

    @Test func twoConcurrentGeneratesLeaveACompleteConsistentTree() async throws {
        let dir = try Self.copyFixture()
        async let first = Task.detached { try CLI.run(["generate", "--json"], in: dir) }.value
        async let second = Task.detached { try CLI.run(["generate", "--json"], in: dir) }.value
        let results = try await [first, second]
        for result in results {
            if result.status != 0 {
                #expect(try JSONParser.parse(result.stdout)["error"]?["code"] == "LOCK_HELD")
            }
        }
        #expect(results.contains { $0.status == 0 })
        #expect(!FileManager.default.fileExists(atPath: dir + "/.agentsmesh/.generate.lock"))
        let check = try CLI.run(["check", "--json"], in: dir)
        #expect(check.status == 0)
        #expect(try JSONParser.parse(check.stdout)["data"]?["inSync"] == true)
    }
}
