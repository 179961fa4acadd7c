internal import AgentsMeshCanonical
internal import AgentsMeshPacks
internal import Foundation
internal import SharedCore
internal import SharedMCP

/// The read tools of §7.4 (entities, settings, installs) and their resources: what `.agentsmesh/` holds,
/// loaded by `CanonicalStore` exactly as generate loads it.
enum ReadTools {
    static let entityName = InputSchema.string("The entity name", minLength: 1, maxLength: 64, pattern: "[A-Za-z0-9_-]+")
    static let commandName = InputSchema.string(
        "The command name (segments joined by `:`)", minLength: 1, maxLength: 200, pattern: "[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_-]{1,64})*")
    static let nameOnly = InputSchema.object([("name", entityName)], required: ["name"])

    static let resources = [
        MCPResource("agentsmesh://canonical/rules", name: "rules", description: "Every rule", tool: "list_rules"),
        MCPResource("agentsmesh://canonical/rules/{name}", name: "rule", description: "One rule", tool: "get_rule"),
        MCPResource("agentsmesh://canonical/commands", name: "commands", description: "Every command", tool: "list_commands"),
        MCPResource("agentsmesh://canonical/commands/{name}", name: "command", description: "One command", tool: "get_command"),
        MCPResource("agentsmesh://canonical/agents", name: "agents", description: "Every agent", tool: "list_agents"),
        MCPResource("agentsmesh://canonical/agents/{name}", name: "agent", description: "One agent", tool: "get_agent"),
        MCPResource("agentsmesh://canonical/skills", name: "skills", description: "Every skill", tool: "list_skills"),
        MCPResource("agentsmesh://canonical/skills/{name}", name: "skill", description: "One skill", tool: "get_skill"),
        MCPResource(
            "agentsmesh://canonical/skills/{name}/files/{path}", name: "skill-file", description: "A skill's supporting file",
            tool: "get_skill_file"),
        MCPResource("agentsmesh://config", name: "config", description: "The merged configuration", tool: "get_config"),
        MCPResource("agentsmesh://canonical/mcp", name: "mcp", description: "The canonical MCP servers", tool: "list_mcp_servers"),
        MCPResource("agentsmesh://canonical/permissions", name: "permissions", description: "Tool permissions", tool: "get_permissions"),
        MCPResource("agentsmesh://canonical/hooks", name: "hooks", description: "Lifecycle hooks (flat form)", tool: "get_hooks"),
        MCPResource("agentsmesh://canonical/ignore", name: "ignore", description: "Ignore patterns", tool: "get_ignore"),
        MCPResource("agentsmesh://installs", name: "installs", description: "Installed packs", tool: "installs_list"),
    ]

    static func all(_ context: ToolContext) -> [MCPTool] {
        [
            MCPTool("list_rules", "Every canonical rule with its scope", input: .object([]), hints: .read) { (_) throws(ToolError) in
                let rules = try context.canonical().rules.map { rule -> JSONValue in
                    var row = JSONObject()
                    row["name"] = .string(rule.isRoot ? "_root" : rule.name)
                    if !rule.description.isEmpty { row["description"] = .string(rule.description) }
                    row["root"] = .bool(rule.isRoot)
                    row["targets"] = .array(rule.targets.map(JSONValue.string))
                    row["globs"] = .array(rule.globs.map(JSONValue.string))
                    return .object(row)
                }
                return ["rules": .array(rules)]
            },
            MCPTool("get_rule", "One rule: frontmatter and body (`_root` is the root rule)", input: nameOnly, hints: .read) {
                (arguments) throws(ToolError) in
                let name = arguments["name"]?.stringValue ?? ""
                guard let rule = try context.canonical().rules.first(where: { ($0.isRoot ? "_root" : $0.name) == name }) else {
                    throw ToolError(ErrorCode.notFound, "no rule named '\(name)'")
                }
                return entity(name, rule.path, rule.frontmatter, rule.body)
            },
            MCPTool("list_commands", "Every canonical command", input: .object([]), hints: .read) { (_) throws(ToolError) in
                ["commands": .array(try context.canonical().commands.map { summary($0.name, $0.description) })]
            },
            MCPTool(
                "get_command", "One command: frontmatter and body", input: .object([("name", commandName)], required: ["name"]),
                hints: .read
            ) { (arguments) throws(ToolError) in
                let name = arguments["name"]?.stringValue ?? ""
                guard let command = try context.canonical().commands.first(where: { $0.name == name }) else {
                    throw ToolError(ErrorCode.notFound, "no command named '\(name)'")
                }
                return entity(name, command.path, command.frontmatter, command.body)
            },
            MCPTool("list_agents", "Every canonical agent", input: .object([]), hints: .read) { (_) throws(ToolError) in
                ["agents": .array(try context.canonical().agents.map { summary($0.name, $0.description) })]
            },
            MCPTool("get_agent", "One agent: frontmatter and body", input: nameOnly, hints: .read) { (arguments) throws(ToolError) in
                let name = arguments["name"]?.stringValue ?? ""
                guard let agent = try context.canonical().agents.first(where: { $0.name == name }) else {
                    throw ToolError(ErrorCode.notFound, "no agent named '\(name)'")
                }
                return entity(name, agent.path, agent.frontmatter, agent.body)
            },
            MCPTool("list_skills", "Every canonical skill with its number of supporting files", input: .object([]), hints: .read) {
                (_) throws(ToolError) in
                let skills = try context.canonical().skills.map { skill -> JSONValue in
                    var row = summary(skill.name, skill.description).objectValue ?? JSONObject()
                    row["files"] = .int(skill.files.count)
                    return .object(row)
                }
                return ["skills": .array(skills)]
            },
            MCPTool("get_skill", "One skill: SKILL.md frontmatter and body, and its supporting files", input: nameOnly, hints: .read) {
                (arguments) throws(ToolError) in
                let skill = try skill(named: arguments["name"]?.stringValue ?? "", in: context.canonical())
                var object = entity(skill.name, skill.path, skill.frontmatter, skill.body).objectValue ?? JSONObject()
                object["supportingFiles"] = .array(skill.files.map { .string($0.path) })
                return .object(object)
            },
            MCPTool(
                "get_skill_file", "One supporting file of a skill (UTF-8 text, or base64 for other bytes)",
                input: .object(
                    [("name", entityName), ("path", .string("Path inside the skill folder", minLength: 1, maxLength: 1024))],
                    required: ["name", "path"]),
                hints: .read
            ) { (arguments) throws(ToolError) in
                let skill = try skill(named: arguments["name"]?.stringValue ?? "", in: context.canonical())
                let path = arguments["path"]?.stringValue ?? ""
                guard let file = skill.files.first(where: { $0.path == path }) else {
                    throw ToolError(ErrorCode.notFound, "skill '\(skill.name)' has no file '\(path)'")
                }
                var object = JSONObject()
                object["name"] = .string(skill.name)
                object["path"] = .string(path)
                if let text = String(validating: file.bytes, as: UTF8.self) {
                    object["encoding"] = "utf8"
                    object["content"] = .string(text)
                } else {
                    object["encoding"] = "base64"
                    object["content"] = .string(Data(file.bytes).base64EncodedString())
                }
                return .object(object)
            },
            MCPTool("get_config", "The configuration: merged, agentsmesh.yaml and agentsmesh.local.yaml", input: .object([]), hints: .read)
            {
                (_) throws(ToolError) in
                let config = try ConfigLoader.load(root: try context.projectRoot())
                var merged = config.projectRaw
                for (key, value) in config.localRaw ?? JSONObject() { merged[key] = value }
                return [
                    "config": .object(merged), "project": .object(config.projectRaw),
                    "local": config.localRaw.map(JSONValue.object) ?? .null,
                ]
            },
            MCPTool("list_mcp_servers", "The canonical MCP servers (.agentsmesh/mcp.json)", input: .object([]), hints: .read) {
                (_) throws(ToolError) in
                let servers = try context.canonical().mcpServers
                return ["exists": .bool(servers != nil), "mcpServers": .object(servers ?? JSONObject())]
            },
            MCPTool("get_permissions", "Tool permissions (.agentsmesh/permissions.yaml)", input: .object([]), hints: .read) {
                (_) throws(ToolError) in
                let permissions = try context.canonical().permissions
                func list(_ items: [String]?) -> JSONValue { .array((items ?? []).map(JSONValue.string)) }
                return [
                    "exists": .bool(permissions != nil), "allow": list(permissions?.allow), "deny": list(permissions?.deny),
                    "ask": list(permissions?.ask),
                ]
            },
            MCPTool("get_hooks", "Lifecycle hooks in flat form (.agentsmesh/hooks.yaml)", input: .object([]), hints: .read) {
                (_) throws(ToolError) in
                let hooks = try context.canonical().hooks
                return ["exists": .bool(hooks != nil), "hooks": hooks?.json ?? .object(JSONObject())]
            },
            MCPTool("get_ignore", "Ignore patterns (.agentsmesh/ignore)", input: .object([]), hints: .read) { (_) throws(ToolError) in
                let ignore = try context.canonical().ignore
                return ["exists": .bool(ignore != nil), "patterns": .array((ignore?.patterns ?? []).map(JSONValue.string))]
            },
            MCPTool("installs_list", "Installed packs (.agentsmesh/installs.yaml)", input: .object([]), hints: .read) {
                (_) throws(ToolError) in
                let root = try context.projectRoot()
                return ["installs": .array(try await PackTools.installer(root, context).list())]
            },
        ]
    }

    /// `{name, path, frontmatter, body}`, the path relative to the project root.
    static func entity(_ name: String, _ path: String, _ frontmatter: JSONObject, _ body: String) -> JSONValue {
        [
            "name": .string(name), "path": .string(CanonicalStore.folder + "/" + path), "frontmatter": .object(frontmatter),
            "body": .string(body),
        ]
    }

    static func summary(_ name: String, _ description: String) -> JSONValue {
        var row = JSONObject()
        row["name"] = .string(name)
        if !description.isEmpty { row["description"] = .string(description) }
        return .object(row)
    }

    static func skill(named name: String, in project: CanonicalProject) throws(ToolError) -> Skill {
        guard let skill = project.skills.first(where: { $0.name == name }) else {
            throw ToolError(ErrorCode.notFound, "no skill named '\(name)'")
        }
        return skill
    }
}
