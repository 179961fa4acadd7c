public import AgentsMeshKit
internal import SharedCore

/// Builds typed entities from parsed Markdown documents (shared by the loader and importers).
public enum EntityParsing {
    public static func rule(name: String, path: String, document: MarkdownDocument, isRoot: Bool) -> Rule {
        let fm = document.frontmatter
        return Rule(
            name: name, path: path, isRoot: isRoot, description: SettingsParsing.string(fm["description"]),
            targets: SettingsParsing.commaList(fm["targets"]), globs: globList(fm["globs"]),
            trigger: fm["trigger"]?.stringValue, frontmatter: fm, body: document.body)
    }

    /// Globs: a list, or one string as a one-item list (commas are literal per §2.4).
    static func globList(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let s)?: return s.isEmpty ? [] : [s]
        case .array?: return SettingsParsing.commaList(value)
        default: return []
        }
    }

    public static func command(name: String, path: String, document: MarkdownDocument) -> Command {
        let fm = document.frontmatter
        let tools = fm["allowed-tools"] ?? fm["allowedTools"]
        return Command(
            name: name, path: path, description: SettingsParsing.string(fm["description"]),
            allowedTools: SettingsParsing.commaList(tools), frontmatter: fm, body: document.body)
    }

    public static func agent(fileName: String, path: String, document: MarkdownDocument) -> Agent {
        let fm = document.frontmatter
        var hooks: [(event: String, entries: [HookEntry])] = []
        if let object = fm["hooks"]?.objectValue, let parsed = try? SettingsParsing.hooks(from: object, path: path) {
            hooks = parsed.events
        }
        let declared = SettingsParsing.string(fm["name"])
        // Each key in either spelling (`maxTurns`, `max-turns`, `max_turns`): tools and docs use all three.
        func value(_ key: String) -> JSONValue? {
            fm[key] ?? agentKeyAliases[key]?.lazy.compactMap { fm[$0] }.first
        }
        let turns = value("maxTurns")
        return Agent(
            name: declared.isEmpty ? fileName : declared, path: path,
            description: SettingsParsing.string(fm["description"]),
            tools: SettingsParsing.commaList(fm["tools"]), disallowedTools: SettingsParsing.commaList(value("disallowedTools")),
            model: SettingsParsing.string(fm["model"]), permissionMode: SettingsParsing.string(value("permissionMode")),
            memory: SettingsParsing.string(fm["memory"]), maxTurns: turns?.intValue ?? turns?.stringValue.flatMap { Int($0) } ?? 0,
            mcpServers: SettingsParsing.commaList(value("mcpServers")), skills: SettingsParsing.commaList(fm["skills"]),
            hooks: hooks, frontmatter: fm, body: document.body)
    }

    /// Other spellings of the agent keys that have more than one word.
    public static let agentKeyAliases: [String: [String]] = [
        "maxTurns": ["max-turns", "max_turns"], "permissionMode": ["permission-mode", "permission_mode"],
        "disallowedTools": ["disallowed-tools", "disallowed_tools"], "mcpServers": ["mcp-servers", "mcp_servers"],
    ]

    public static func skill(name: String, document: MarkdownDocument, files: [SkillFile]) -> Skill {
        Skill(
            name: name, description: SettingsParsing.string(document.frontmatter["description"]),
            frontmatter: document.frontmatter, body: document.body, files: files)
    }
}
