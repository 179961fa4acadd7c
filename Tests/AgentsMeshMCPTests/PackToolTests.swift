import Foundation
import SharedCore
import SharedMCP
import Testing

@Suite struct PackToolTests {
    @Test func installListUninstallALocalPack() async throws {
        let project = try MCPProject([
            "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\nfeatures: [rules]\ngeneration_contract: false\n",
            ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Root\n",
        ])
        let source = try MCPProject(["rules/style.md": "---\ndescription: Style\n---\nUse tabs.\n"])
        let plan = await project.call("install", ["source": .string(source.root), "name": "team", "dry_run": true])
        #expect(!plan.isError, "\(plan.value)")
        #expect(plan.value["dryRun"] == true)
        #expect(project.read(".agentsmesh/installs.yaml") == nil)
        let done = await project.call("install", ["source": .string(source.root), "name": "team"])
        #expect(done.value["installed"]?.arrayValue?.contains { $0["name"] == "style" } == true, "\(done.value)")
        #expect(project.read(".claude/rules/style.md")?.contains("Use tabs.") == true)
        let listed = await project.call("installs_list")
        #expect(listed.value["installs"]?.arrayValue?.map { $0["name"] } == ["team"])
        #expect(await MCPDispatcher.read(project.server, uri: "agentsmesh://installs") == listed)
        let removed = await project.call("uninstall", ["names": ["team"]])
        #expect(removed.value["removed"]?.arrayValue?.first?["name"] == "team", "\(removed.value)")
        #expect(project.read(".claude/rules/style.md") == nil)
        #expect(await project.call("install", [:]).value["code"] == "VALIDATION_FAILED")
        #expect(await project.call("uninstall", [:]).value["details"]?["reason"] == "USAGE")
    }
}
