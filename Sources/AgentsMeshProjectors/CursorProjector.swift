public import AgentsMeshCanonical
internal import AgentsMeshKit
public import SharedCore

/// Cursor (§3.9): `.cursor/rules/*.mdc`, commands, agents, skills, `.cursor/mcp.json`,
/// `.cursor/hooks.json`, `.cursor/cli.json`, `.cursorignore`, and the `AGENTS.md` mirror.
public struct CursorProjector: TargetProjector {
    static let rootRule = ".cursor/rules/general.mdc"
    static let rules = ".cursor/rules"
    static let commands = ".cursor/commands"
    static let agents = ".cursor/agents"
    static let skills = ".cursor/skills"
    static let mcp = ".cursor/mcp.json"
    static let hooks = ".cursor/hooks.json"
    static let cli = ".cursor/cli.json"
    static let ignore = ".cursorignore"
    static let indexingIgnore = ".cursorindexingignore"
    static let legacyRules = ".cursorrules"
    static let agentsMirror = "AGENTS.md"

    /// Canonical event → Cursor event (§3.6); missing events are dropped.
    static let events: [String: String] = [
        "PreToolUse": "preToolUse", "PostToolUse": "postToolUse", "PostToolUseFailure": "postToolUseFailure",
        "UserPromptSubmit": "beforeSubmitPrompt", "SubagentStart": "subagentStart", "SubagentStop": "subagentStop",
        "Stop": "stop", "SessionStart": "sessionStart", "SessionEnd": "sessionEnd", "PreCompact": "preCompact",
    ]

    public init() {}

    public var id: String { TargetID.cursor }
    public var displayName: String { "Cursor" }
    public var category: String { "ide" }
    public var managedFolders: [String] { [Self.agents, Self.commands, Self.rules, Self.skills] }
    public var managedFiles: [String] { [Self.ignore, Self.agentsMirror] }
    public var coOwnedFiles: [String] { [Self.mcp, Self.hooks, Self.cli] }
    public var detectionPaths: [String] {
        [Self.rules, Self.mcp, Self.legacyRules, Self.commands, Self.agents, Self.skills, Self.hooks, Self.cli]
    }

    public func rebasedPath(forCanonical path: String) -> String? {
        if path == ".agentsmesh/mcp.json" { return Self.mcp }
        if path == ".agentsmesh/ignore" { return Self.ignore }
        guard let (feature, rest) = CanonicalPaths.split(path), !rest.isEmpty else { return nil }
        switch feature {
        case "rules":
            guard rest.hasSuffix(".md") else { return nil }
            return rest == "_root.md" ? Self.rootRule : "\(Self.rules)/\(lastSegment(String(rest.dropLast(3)))).mdc"
        case "commands": return Self.commands + "/" + rest
        case "agents": return rest.hasSuffix(".md") ? Self.agents + "/" + lastSegment(rest) : nil
        case "skills": return Self.skills + "/" + rest
        default: return nil
        }
    }

    /// Canonical permission → Cursor CLI permission, or nil when it has no Cursor form.
    static func permission(_ entry: String) -> String? {
        let (tool, matcher) = PermissionEntry.split(entry)
        switch tool {
        case "Bash":
            guard var m = matcher else { return "Shell(*)" }
            if m.hasSuffix(":*") { m.removeLast(2) }
            return "Shell(\(m))"
        case "Read": return matcher.map { "Read(\($0))" } ?? "Read(**)"
        case "Edit", "Write", "MultiEdit": return matcher.map { "Write(\($0))" } ?? "Write(**)"
        default: return nil
        }
    }

    static func canonicalPermission(_ entry: String) -> String {
        let (tool, matcher) = PermissionEntry.split(entry)
        switch (tool, matcher) {
        case ("Shell", "*"?): return "Bash"
        case ("Shell", let m?): return "Bash(\(m):*)"
        case ("Read", "**"?): return "Read"
        case ("Write", "**"?): return "Write"
        default: return entry
        }
    }

    public func project(_ canonical: CanonicalProject, context: ProjectionContext) -> Projection {
        var out = Projection()
        let rebaser = forwardRebaser(canonical, projectRoot: context.projectRoot, scans: context.scans)
        if context.has(.rules) {
            if let root = canonical.root {
                let body = rebase(root.body.trimmedWhitespace(), rebaser, from: root.path, to: Self.rootRule)
                let fm = ProjectionSupport.frontmatter([("description", .string(root.description)), ("alwaysApply", .bool(true))])
                out.add(
                    .text(
                        Self.rootRule, id,
                        ManagedBlocks.withContract(Frontmatter.serialize(fm, body: body), enabled: context.config.generationContract)))
            }
            // Rules and commands are independent of each other: projected on all cores, kept in order.
            out.files += Parallel.transform(canonical.additionalRules.filter { $0.applies(to: id) }) { rule -> OutputFile in
                let path = "\(Self.rules)/\(rule.name).mdc"
                var pairs: [(String, JSONValue)] = []
                if rule.trigger == "always_on" {
                    pairs = [("description", .string(rule.description)), ("alwaysApply", .bool(true))]
                } else if rule.trigger == "manual" {
                    pairs = [("alwaysApply", .bool(false))]
                } else if !rule.globs.isEmpty {
                    pairs = [
                        ("description", .string(rule.description)), ("globs", .string(rule.globs.joined(separator: ","))),
                        ("alwaysApply", .bool(false)),
                    ]
                } else {
                    pairs = [("description", .string(rule.description)), ("alwaysApply", .bool(false))]
                }
                return .text(
                    path, id,
                    Frontmatter.serialize(ProjectionSupport.frontmatter(pairs), body: rebase(rule.body, rebaser, from: rule.path, to: path))
                )
            }
        }
        if context.has(.commands) {
            out.files += Parallel.transform(canonical.commands) { command in
                let path = "\(Self.commands)/\(command.slashPath).md"
                let fm = ProjectionSupport.frontmatter([("description", .string(command.description))])
                return .text(path, id, Frontmatter.serialize(fm, body: rebase(command.body, rebaser, from: command.path, to: path)))
            }
        }
        if context.has(.agents) {
            let projected = Parallel.transform(canonical.agents) { agent -> (file: OutputFile, dropped: [String]) in
                let path = "\(Self.agents)/\(agent.name).md"
                let fm = ProjectionSupport.frontmatter([
                    ("name", .string(agent.name)), ("description", .string(agent.description)),
                    ("model", .string(agent.model)), ("tools", .strings(agent.tools)),
                ])
                return (
                    .text(path, id, Frontmatter.serialize(fm, body: rebase(agent.body, rebaser, from: agent.path, to: path))),
                    droppedAgentFields(agent)
                )
            }
            for (agent, item) in zip(canonical.agents, projected) {
                if !item.dropped.isEmpty {
                    out.warn(
                        "SILENT_DROP", "cursor agents cannot express \(item.dropped.joined(separator: ", ")) (agent '\(agent.name)')",
                        target: id, path: ".agentsmesh/" + agent.path)
                }
                out.add(item.file)
            }
        }
        if context.has(.skills) {
            out.files += skillOutputs(canonical.skills, folder: Self.skills, rebaser: rebaser)
        }
        if context.has(.mcp), let all = canonical.mcpServers {
            let servers = McpProjection.servers(all, target: id)
            out.add(
                OutputFile(
                    path: Self.mcp, target: id, kind: .coOwned,
                    content: .json(owned: [OwnedKey(["mcpServers"], .object(servers))], prelude: [], createIfMissing: !servers.isEmpty)))
        }
        if context.has(.hooks), let hooks = canonical.hooks, hooks.concerns(id) {
            var object = JSONObject()
            let events = ProjectionSupport.eventsFor(hooks, target: id, map: { Self.events[$0] }) { event in
                out.warn("SILENT_DROP", "cursor has no hook event for \(event)", target: id, path: ".agentsmesh/hooks.yaml")
            }
            for (native, parts) in events {
                object[native] = .array(
                    parts.flatMap(\.entries).map { entry in
                        var flat = JSONObject()
                        flat["type"] = .string(entry.type)
                        if let command = entry.command { flat["command"] = .string(command) }
                        if let prompt = entry.prompt { flat["prompt"] = .string(prompt) }
                        if let matcher = entry.matcher { flat["matcher"] = .string(matcher) }
                        if let timeout = entry.timeout { flat["timeout"] = .int(timeout) }
                        for (key, value) in entry.extra where flat[key] == nil { flat[key] = value }
                        return .object(flat)
                    })
            }
            out.add(
                OutputFile(
                    path: Self.hooks, target: id, kind: .coOwned,
                    content: .json(
                        owned: [OwnedKey(["hooks"], .object(object))], prelude: [OwnedKey(["version"], .int(1))],
                        createIfMissing: !object.isEmpty)))
        }
        if context.has(.permissions), let permissions = canonical.permissions {
            func mapped(_ list: [String]) -> [String] {
                var result: [String] = []
                for entry in list {
                    guard let m = Self.permission(entry) else {
                        out.warn(
                            "SILENT_DROP", "cursor permissions cannot express '\(entry)'", target: id, path: ".agentsmesh/permissions.yaml")
                        continue
                    }
                    if !result.contains(m) { result.append(m) }
                }
                return result
            }
            let allow = mapped(permissions.allow)
            let deny = mapped(permissions.deny)
            for entry in permissions.ask {
                out.warn(
                    "SILENT_DROP", "cursor permissions have no 'ask' list; '\(entry)' dropped", target: id,
                    path: ".agentsmesh/permissions.yaml")
            }
            out.add(
                OutputFile(
                    path: Self.cli, target: id, kind: .coOwned,
                    content: .json(
                        owned: [OwnedKey(["permissions", "allow"], .strings(allow)), OwnedKey(["permissions", "deny"], .strings(deny))],
                        prelude: [], createIfMissing: !(allow.isEmpty && deny.isEmpty))))
        }
        if context.has(.ignore), let ignore = canonical.ignore {
            out.add(.text(Self.ignore, id, ProjectionSupport.ignoreText(ignore)))
        }
        return out
    }

    func droppedAgentFields(_ agent: Agent) -> [String] {
        var dropped: [String] = []
        if !agent.disallowedTools.isEmpty { dropped.append("disallowedTools") }
        if !agent.permissionMode.isEmpty { dropped.append("permissionMode") }
        if agent.maxTurns > 0 { dropped.append("maxTurns") }
        if !agent.mcpServers.isEmpty { dropped.append("mcpServers") }
        if agent.hooks.contains(where: { !$0.entries.isEmpty }) { dropped.append("hooks") }
        if !agent.skills.isEmpty { dropped.append("skills") }
        if !agent.memory.isEmpty { dropped.append("memory") }
        return dropped
    }
}

/// Splitting of permission entries `Tool` / `Tool(matcher)`.
public enum PermissionEntry {
    public static func split(_ entry: String) -> (tool: String, matcher: String?) {
        guard let open = entry.firstIndex(of: "("), entry.hasSuffix(")") else { return (entry, nil) }
        return (String(entry[..<open]), String(entry[entry.index(after: open)..<entry.index(before: entry.endIndex)]))
    }
}

extension CursorProjector {
    var inverseTable: PathTable {
        PathTable(entries: [
            (Self.rootRule, ".agentsmesh/rules/_root.md", true), (Self.agentsMirror, ".agentsmesh/rules/_root.md", true),
            (Self.mcp, ".agentsmesh/mcp.json", true), (Self.ignore, ".agentsmesh/ignore", true),
            (Self.commands, ".agentsmesh/commands", false), (Self.agents, ".agentsmesh/agents", false),
            (Self.skills, ".agentsmesh/skills", false),
        ])
    }

    public func importNative(root: String) throws(ToolError) -> ImportResult {
        var result = ImportResult()
        let reader = NativeReader(root: root)
        let base = inverseTable
        let ruleFiles = reader.files(in: Self.rules, suffix: ".mdc")
        let names = NestedNames.names(for: ruleFiles.map { String($0.dropLast(4)) })
        let ruleNames = Dictionary(zip(ruleFiles.map { "\(Self.rules)/\($0)" }, names), uniquingKeysWith: { a, _ in a })
        let rebaser = reader.rebaser { path in
            if let mapped = base.canonical(path) { return mapped }
            if let name = ruleNames[path] { return ".agentsmesh/rules/\(name).md" }
            return nil
        }
        // `general.mdc` is the root this tool writes; every other always-apply rule stays a rule
        // (`trigger: always_on`), and `AGENTS.md` and a legacy `.cursorrules` join the root.
        for (rel, name) in zip(ruleFiles, names) {
            let native = "\(Self.rules)/\(rel)"
            guard let document = try reader.document(native, result: &result) else { continue }
            let fm = document.frontmatter
            let alwaysApply = fm["alwaysApply"]?.boolValue ?? (fm["alwaysApply"]?.stringValue == "true")
            let description = SettingsParsing.string(fm["description"])
            let globs: [String] = fm["globs"]?.stringValue.map(SettingsParsing.splitList) ?? SettingsParsing.commaList(fm["globs"])
            var body = ManagedBlocks.strip("root-generation-contract", from: document.body)
            if rel == "general.mdc" && alwaysApply {
                reader.mergeRoot(
                    try reader.followIncludes(body, in: native, result: &result, seen: [native]), from: native, rebaser: rebaser,
                    result: &result)
                if !description.isEmpty, let index = result.project.rules.firstIndex(where: \.isRoot) {
                    result.project.rules[index].description = description
                    result.project.rules[index].frontmatter["description"] = .string(description)
                }
                continue
            }
            body = rebaser.rebase(body, from: native, to: ".agentsmesh/rules/\(name).md")
            var trigger: String?
            if alwaysApply {
                trigger = "always_on"
            } else if description.isEmpty && globs.isEmpty {
                trigger = "manual"
            }
            var extra = fm
            for key in ["description", "globs", "alwaysApply"] { extra[key] = nil }
            result.project.rules.append(
                Rule(
                    name: name, path: "rules/\(name).md", description: description, globs: globs, trigger: trigger, frontmatter: extra,
                    body: body))
            result.sources["rules/\(name).md"] = native
        }
        for fallback in [Self.agentsMirror, Self.legacyRules] {
            guard let body = try reader.rootText(fallback, result: &result) else { continue }
            reader.mergeRoot(body, from: fallback, rebaser: rebaser, result: &result)
        }
        try reader.markdownCommands(in: Self.commands, rebaser: rebaser, result: &result)
        for rel in reader.files(in: Self.agents, suffix: ".md") {
            let native = "\(Self.agents)/\(rel)"
            guard let document = try reader.document(native, result: &result) else { continue }
            let fileName = lastSegment(String(rel.dropLast(3)))
            var agent = EntityParsing.agent(fileName: fileName, path: "agents/\(fileName).md", document: document)
            agent.name = fileName
            agent.body = rebaser.rebase(document.body.trimmedWhitespace(), from: native, to: ".agentsmesh/agents/\(fileName).md")
            result.project.agents.append(agent)
            result.sources["agents/\(fileName).md"] = native
        }
        try reader.skills(in: Self.skills, unprefix: nil, rebaser: rebaser, result: &result)
        if let mcp = try reader.json(Self.mcp, result: &result), let servers = mcp["mcpServers"]?.objectValue {
            result.project.mcpServers = servers
            result.sources["mcp.json"] = Self.mcp
        }
        if let hooksFile = try reader.json(Self.hooks, result: &result), let hooks = hooksFile["hooks"]?.objectValue {
            let inverse = Dictionary(Self.events.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
            result.project.hooks = ProjectionSupport.importHooks(
                hooks, target: id, canonical: { inverse[$0] }, warnings: &result.warnings, path: Self.hooks)
            if result.project.hooks != nil { result.sources["hooks.yaml"] = Self.hooks }
        }
        if let cli = try reader.json(Self.cli, result: &result), let permissions = cli["permissions"]?.objectValue {
            func back(_ list: [String]?) -> [String] {
                var out: [String] = []
                for entry in list ?? [] {
                    let c = Self.canonicalPermission(entry)
                    if !out.contains(c) { out.append(c) }
                }
                return out
            }
            result.project.permissions = Permissions(
                allow: back(permissions["allow"]?.stringList), deny: back(permissions["deny"]?.stringList))
            result.sources["permissions.yaml"] = Self.cli
        }
        if let ignore = try reader.ignore([Self.ignore, Self.indexingIgnore]) {
            result.project.ignore = ignore
            result.sources["ignore"] = Self.ignore
        }
        return result
    }
}
