import AgentsMeshCanonical
import AgentsMeshGeneration
import AgentsMeshKit
import AgentsMeshProjectors
import Foundation
import SharedCore
import Testing

/// `import(generate(x)) == x` per target, for everything the target can express.
@Suite struct RoundTripTests {
    /// A comparable dump of a canonical project, limited to what `target` can carry.
    static func dump(_ project: CanonicalProject, target: String) -> String {
        JSONEmitter.pretty(dumpValue(project, target: target))
    }

    /// Gemini folds every rule into GEMINI.md, so a link to any rule comes back as a link to the root rule;
    /// written `./GEMINI.md` (a path, not the word), it comes back relative to the rule that holds it.
    static func foldRuleLinks(_ text: String, target: String) -> String {
        guard target == TargetID.geminiCLI else { return text }
        var out = text.replacingOccurrences(of: " ./_root.md", with: " .agentsmesh/rules/_root.md")
        for name in ["typescript", "security", "frontend"] {
            out = out.replacingOccurrences(of: "rules/\(name).md", with: "rules/_root.md")
        }
        return out
    }

    static func dumpValue(_ project: CanonicalProject, target: String) -> JSONValue {
        let gemini = target == TargetID.geminiCLI
        let cursor = target == TargetID.cursor
        var rules: [JSONValue] = []
        for rule in project.rules.sorted(by: { $0.name < $1.name }) where rule.isRoot || rule.applies(to: target) {
            var object: JSONObject = [
                "name": .string(rule.name), "root": .bool(rule.isRoot),
                "body": .string(foldRuleLinks(rule.body.trimmedWhitespace(), target: target)),
            ]
            if !rule.isRoot {
                // Cursor drops the description of manual rules; it keeps always_on as a trigger.
                object["description"] = .string(cursor && rule.trigger == "manual" ? "" : rule.description)
                object["globs"] = .strings(cursor && rule.trigger == "always_on" ? [] : rule.globs)
                if gemini { object["targets"] = .strings(rule.targets) }
                if cursor && rule.trigger == "always_on" { object["trigger"] = "always_on" }
            }
            rules.append(.object(object))
        }
        let commands: [JSONValue] = project.commands.sorted(by: { $0.name < $1.name }).map { command in
            [
                "name": .string(command.name), "description": .string(command.description),
                "allowedTools": .strings(target == TargetID.claudeCode ? command.allowedTools : []),
                "body": .string(foldRuleLinks(command.body.trimmedWhitespace(), target: target)),
            ]
        }
        let agents: [JSONValue] = project.agents.sorted(by: { $0.name < $1.name }).map { agent in
            var object: JSONObject = [
                "name": .string(agent.name), "description": .string(agent.description),
                "tools": .strings(agent.tools), "model": .string(agent.model), "body": .string(agent.body.trimmedWhitespace()),
            ]
            if !cursor { object["maxTurns"] = .int(agent.maxTurns) }
            return .object(object)
        }
        let skills: [JSONValue] = project.skills.sorted(by: { $0.name < $1.name }).map { skill in
            [
                "name": .string(skill.name), "description": .string(skill.description), "body": .string(skill.body.trimmedWhitespace()),
                "files": .array(skill.files.map { ["path": .string($0.path), "sha": .string(SHA256.hex($0.bytes))] }),
            ]
        }
        var hooks = JSONObject()
        for (event, entries) in project.hooks?.events ?? [] where !entries.isEmpty {
            hooks[event] = .array(entries.map(\.json))
        }
        var permissions = JSONObject()
        if let p = project.permissions {
            permissions = ["allow": .strings(p.allow), "deny": .strings(p.deny), "ask": .strings(p.ask)]
        }
        return [
            "rules": .array(rules), "commands": .array(commands), "agents": .array(agents), "skills": .array(skills),
            "mcp": .object(project.mcpServers ?? JSONObject()), "hooks": .object(hooks), "permissions": .object(permissions),
            "ignore": .strings(project.ignore?.patterns ?? []),
        ]
    }

    @Test(arguments: ["claude-code", "cursor", "gemini-cli"])
    func importOfGenerateIsTheInput(target: String) async throws {
        let project = try TestProject(fixture: "canonical-full")
        // Settings that every target can express losslessly.
        try project.write(".agentsmesh/permissions.yaml", "allow:\n  - Read\n  - Bash(npm run:*)\ndeny:\n  - Bash(rm -rf:*)\n")
        try project.write(
            ".agentsmesh/hooks.yaml",
            "PreToolUse:\n  - matcher: Read\n    type: command\n    command: echo pre\n    timeout: 30\nPostToolUse:\n  - matcher: Write\n    type: command\n    command: npx prettier --write $FILE\n"
        )
        try await project.generate([target])
        let original = try CanonicalStore.load(root: project.root).project

        // Only the target's native files, in a fresh folder.
        let native = try TestProject()
        for path in project.outputFiles() {
            try native.write(path, bytes: try #require(project.bytes(path)))
        }
        let imported = try Importer.collect(root: native.root, from: target, features: nil)
        #expect(Self.dump(imported.project, target: target) == Self.dump(original, target: target))
    }

    @Test(arguments: ["claude-code", "cursor", "gemini-cli"])
    func regenerateAfterImportIsByteIdentical(target: String) async throws {
        let project = try TestProject(fixture: "canonical-full")
        try await project.generate([target])
        let before = Dictionary(uniqueKeysWithValues: project.outputFiles().map { ($0, project.bytes($0)) })
        try FileManager.default.removeItem(atPath: project.root + "/.agentsmesh")
        try Importer.run(root: project.root, from: target, features: nil, seedSelfEntry: false)
        try await project.generate([target])
        for (path, bytes) in before where path != ".agentsmesh/.lock" {
            #expect(project.bytes(path) == bytes, "\(path) changed after import + generate")
        }
    }
}
