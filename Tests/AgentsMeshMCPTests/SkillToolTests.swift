import Foundation
import SharedCore
import SharedMCP
import Testing

@Suite struct SkillToolTests {
    static let files = [
        "agentsmesh.yaml": "version: 1\ntargets: [claude-code]\nfeatures: [rules, skills]\ngeneration_contract: false\n",
        ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Root\n",
    ]

    @Test func createUpdateDeleteASkill() async throws {
        let project = try MCPProject(Self.files)
        let created = await project.call(
            "create_skill",
            [
                "name": "pdf", "frontmatter": ["description": "PDFs"], "body": "Use the script.",
                "supportingFiles": ["scripts/run.sh": "echo hi\n", "notes.md": "n\n"],
            ])
        #expect(
            created.value == [
                "action": "created", "path": ".agentsmesh/skills/pdf/SKILL.md", "dryRun": false,
                "files": [["path": "notes.md", "action": "created"], ["path": "scripts/run.sh", "action": "created"]],
            ])
        #expect(project.read(".agentsmesh/skills/pdf/SKILL.md") == "---\ndescription: PDFs\n---\nUse the script.\n")
        #expect(project.read(".agentsmesh/skills/pdf/scripts/run.sh") == "echo hi\n")
        let updated = await project.call(
            "update_skill", ["name": "pdf", "body": "Run it.", "supportingFiles": ["notes.md": .null, "extra/a.txt": "a"]])
        #expect(updated.value["files"] == [["path": "extra/a.txt", "action": "created"], ["path": "notes.md", "action": "deleted"]])
        #expect(project.read(".agentsmesh/skills/pdf/SKILL.md") == "---\ndescription: PDFs\n---\nRun it.\n")
        #expect(project.read(".agentsmesh/skills/pdf/notes.md") == nil)
        #expect(project.read(".agentsmesh/skills/pdf/scripts/run.sh") == "echo hi\n")
        #expect(await project.call("generate").isError == false)
        #expect(project.read(".claude/skills/pdf/extra/a.txt") == "a")
        #expect(await project.call("delete_skill", ["name": "pdf"]).value["action"] == "deleted")
        #expect(!FileManager.default.fileExists(atPath: project.root + "/.agentsmesh/skills/pdf"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: project.root + "/.agentsmesh/skills")
        #expect(leftovers.isEmpty)
    }

    @Test func everyPathIsCheckedBeforeAnythingIsWritten() async throws {
        let project = try MCPProject(Self.files)
        for (path, code) in [
            ("../evil.sh", "PATH_TRAVERSAL"), ("/abs", "PATH_TRAVERSAL"), ("SKILL.md", "PROTECTED_FILE"), ("a/CON", "INVALID_NAME"),
        ] {
            let outcome = await project.call(
                "create_skill", ["name": "s", "frontmatter": [:], "body": "b", "supportingFiles": ["ok.md": "fine", .init(path): "x"]])
            #expect(outcome.value["code"] == .string(code), "\(path)")
            #expect(!FileManager.default.fileExists(atPath: project.root + "/.agentsmesh/skills/s"), "\(path)")
        }
        let plan = await project.call("create_skill", ["name": "s", "frontmatter": [:], "body": "b", "dry_run": true])
        #expect(plan.value["content"] == "b\n")
        #expect(!FileManager.default.fileExists(atPath: project.root + "/.agentsmesh/skills/s"))
    }
}
