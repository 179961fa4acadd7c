import AgentsMeshMCP
import Foundation
import SharedCore
import SharedMCP
import TestSupport
import Testing

/// A throwaway project for MCP tool calls.
struct MCPProject {
    let root: String

    init(_ files: [String: String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("am-mcp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = FileSystem.realPath(base.path) ?? base.path
        for (path, text) in files {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    var server: MCPServerDefinition { AgentsMeshServer.definition(directory: root) }

    func call(_ tool: String, _ arguments: JSONObject = [:]) async -> MCPOutcome {
        await MCPDispatcher.call(server, name: tool, arguments: arguments)
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: root + "/" + path, encoding: .utf8) }

    static let basic = [
        "agentsmesh.yaml": "version: 1\ntargets: [claude-code, cursor]\nfeatures: [rules]\ngeneration_contract: false\n",
        ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Project\n\nUse tabs.\n",
    ]
}

@Suite struct OrchestrationToolTests {
    @Test func generateDryRunWritesNothingThenGenerateWrites() async throws {
        let project = try MCPProject(MCPProject.basic)
        let plan = await project.call("generate", ["dry_run": true])
        #expect(!plan.isError)
        #expect(plan.value["dryRun"] == true)
        #expect(plan.value["counts"] == ["create": 3, "update": 0, "unchanged": 0, "delete": 0])
        #expect(project.read("CLAUDE.md") == nil)
        let done = await project.call("generate")
        #expect(done.value["lockfileUpdated"] == true)
        #expect(project.read("CLAUDE.md") == "# Project\n\nUse tabs.")
        let again = await project.call("generate")
        #expect(again.value["files"] == [])
        #expect(again.value["counts"]?["unchanged"] == 3)
        let verbose = await project.call("generate", ["verbose": true])
        #expect(verbose.value["files"]?.arrayValue?.count == 3)
        #expect(await project.call("check").value["inSync"] == true)
    }

    @Test func errorsUseTheSpecCodes() async throws {
        let outside = try MCPProject([:])
        #expect(await outside.call("check").value["code"] == "NO_PROJECT")
        let project = try MCPProject(MCPProject.basic)
        let dry = await project.call("import", ["from": "cursor", "dry_run": true])
        #expect(dry.isError && dry.value["code"] == "VALIDATION_FAILED")
        #expect(await project.call("get_target_capabilities", ["targetId": "vim"]).value["code"] == "NOT_FOUND")
        let badEnum = await project.call("generate", ["targets": ["vim"]])
        #expect(badEnum.value["code"] == "VALIDATION_FAILED")
        #expect(badEnum.value["details"]?["issues"]?.arrayValue?.first?["path"] == "targets[0]")
        // USAGE is not one of the 12 codes: reported as VALIDATION_FAILED with the reason.
        let same = await project.call("convert", ["from": "cursor", "to": "cursor"])
        #expect(same.value == ["code": "VALIDATION_FAILED", "message": "--from and --to must differ", "details": ["reason": "USAGE"]])
    }

    @Test func messagesCarryNoAbsolutePath() async throws {
        let project = try MCPProject([
            "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\nfeatures: [rules]\n",
            ".agentsmesh/rules/_root.md": "---\nroot: [unclosed\n---\nx\n",
        ])
        let outcome = await project.call("generate")
        #expect(outcome.isError)
        #expect(!JSONEmitter.compact(outcome.value).contains(project.root))
    }

    @Test func resourcesReturnWhatTheirToolsReturn() async throws {
        let project = try MCPProject(MCPProject.basic)
        let viaTool = await project.call("list_target_capabilities")
        #expect(await MCPDispatcher.read(project.server, uri: "agentsmesh://capabilities") == viaTool)
        let one = await MCPDispatcher.read(project.server, uri: "agentsmesh://capabilities/gemini-cli")
        #expect(one?.value["id"] == "gemini-cli")
    }

    @Test func lessonsToolsShareTheLibraryService() async throws {
        let project = try MCPProject(MCPProject.basic)
        let added = await project.call(
            "lessons_add",
            [
                "rule": "Run swift build before tests", "topic": "build", "new_topic": true, "topic_summary": "Build",
                "trigger_cmd": "^swift test",
            ])
        #expect(added.value["id"] == "build-run-swift-build-before-tests")
        #expect(added.value["created"] == true)
        let again = await project.call(
            "lessons_add", ["rule": "Run swift build before tests", "topic": "build", "trigger_cmd": "^swift test"])
        #expect(again.value["created"] == false)
        let found = await project.call("lessons_query", ["cmd": "swift test"])
        #expect(found.value["lessons"]?.arrayValue?.first?["id"] == "build-run-swift-build-before-tests")
        let deprecated = await project.call("lessons_deprecate", ["id": "build-run-swift-build-before-tests"])
        #expect(deprecated.value == ["id": "build-run-swift-build-before-tests", "status": "deprecated"])
        #expect(await project.call("lessons_query", ["cmd": "swift test"]).value["lessons"] == [])
        #expect(await project.call("lessons_add", ["rule": "x", "topic": "build"]).value["details"]?["reason"] == "UNRECALLABLE_LESSON")
    }
}
