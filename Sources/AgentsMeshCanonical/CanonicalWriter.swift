internal import AgentsMeshKit
public import SharedCore

/// Serialises canonical entities back to `.agentsmesh/` files (import, MCP edits).
public enum CanonicalWriter {
    /// `---\n<yaml>\n---\n<body>\n`, or just `<body>\n` when the frontmatter is empty.
    public static func markdown(_ frontmatter: JSONObject, body: String) -> String {
        var kept = JSONObject()
        for (key, value) in frontmatter where !value.isEmptyForEmission || value.boolValue != nil {
            kept[key] = value
        }
        let trimmed = body.trimmedWhitespace()
        let tail = trimmed.isEmpty ? "" : trimmed + "\n"
        guard !kept.isEmpty else { return tail }
        return "---\n" + YAMLEmitter.emit(kept) + "\n---\n" + tail
    }

    public static func rule(_ rule: Rule) -> String {
        var fm = JSONObject()
        if rule.isRoot { fm["root"] = .bool(true) }
        fm["description"] = .string(rule.description)
        fm["targets"] = .strings(rule.targets)
        fm["globs"] = .strings(rule.globs)
        if let trigger = rule.trigger { fm["trigger"] = .string(trigger) }
        for (key, value) in rule.frontmatter where fm[key] == nil && !["root", "description", "targets", "globs", "trigger"].contains(key) {
            fm[key] = value
        }
        return markdown(fm, body: rule.body)
    }

    public static func command(_ command: Command) -> String {
        var fm = JSONObject()
        fm["description"] = .string(command.description)
        fm["allowed-tools"] = .strings(command.allowedTools)
        for (key, value) in command.frontmatter where fm[key] == nil && !["description", "allowed-tools", "allowedTools"].contains(key) {
            fm[key] = value
        }
        return markdown(fm, body: command.body)
    }

    public static func agent(_ agent: Agent) -> String {
        var fm = JSONObject()
        fm["name"] = .string(agent.name)
        fm["description"] = .string(agent.description)
        fm["tools"] = .strings(agent.tools)
        fm["disallowedTools"] = .strings(agent.disallowedTools)
        fm["model"] = .string(agent.model)
        fm["permissionMode"] = .string(agent.permissionMode)
        if agent.maxTurns > 0 { fm["maxTurns"] = .int(agent.maxTurns) }
        fm["mcpServers"] = .strings(agent.mcpServers)
        var hooks = JSONObject()
        for (event, entries) in agent.hooks where !entries.isEmpty { hooks[event] = .array(entries.map(\.json)) }
        fm["hooks"] = .object(hooks)
        fm["skills"] = .strings(agent.skills)
        fm["memory"] = .string(agent.memory)
        let known =
            [
                "name", "description", "tools", "disallowedTools", "model", "permissionMode", "maxTurns", "mcpServers", "hooks", "skills",
                "memory",
            ]
            + EntityParsing.agentKeyAliases.values.flatMap { $0 }
        for (key, value) in agent.frontmatter where fm[key] == nil && !known.contains(key) { fm[key] = value }
        return markdown(fm, body: agent.body)
    }

    public static func skill(_ skill: Skill) -> String {
        var fm = JSONObject()
        fm["description"] = .string(skill.description)
        for (key, value) in skill.frontmatter where fm[key] == nil && !["description", "name"].contains(key) { fm[key] = value }
        return markdown(fm, body: skill.body)
    }

    public static func mcp(_ servers: JSONObject) -> String {
        JSONEmitter.pretty(["mcpServers": .object(servers)]) + "\n"
    }

    public static func permissions(_ permissions: Permissions) -> String {
        var object = JSONObject()
        object["allow"] = .strings(permissions.allow)
        object["deny"] = .strings(permissions.deny)
        object["ask"] = .strings(permissions.ask)
        return YAMLEmitter.emit(object) + "\n"
    }

    public static func hooks(_ hooks: Hooks) -> String {
        var object = JSONObject()
        for (event, entries) in hooks.events { object[event] = .array(entries.map(\.json)) }
        return object.isEmpty ? "{}\n" : YAMLEmitter.emit(object) + "\n"
    }

    public static func ignore(_ ignore: IgnoreFile) -> String {
        var text = ignore.text
        while text.hasSuffix("\n") { text.removeLast() }
        return text + "\n"
    }
}
