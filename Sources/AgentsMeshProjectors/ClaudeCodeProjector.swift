public import AgentsMeshCanonical
internal import AgentsMeshKit
public import SharedCore

/// Claude Code (§3.8): `CLAUDE.md`, `.claude/{rules,commands,agents,skills}`, `.mcp.json`,
/// `.claude/settings.json` (permissions + hooks), `.claudeignore`.
public struct ClaudeCodeProjector: TargetProjector {
    static let root = "CLAUDE.md"
    static let legacyRoot = ".claude/CLAUDE.md"
    static let rules = ".claude/rules"
    static let commands = ".claude/commands"
    static let agents = ".claude/agents"
    static let skills = ".claude/skills"
    static let mcp = ".mcp.json"
    static let settings = ".claude/settings.json"
    static let ignore = ".claudeignore"

    /// Agent keys that are never carried into Claude's agent files: the ones written from typed fields, their
    /// other spellings, and Gemini's `kind`.
    static let agentKeysNotCarried: Set<String> = Set(EntityParsing.agentKeyAliases.values.flatMap { $0 }).union(["kind"])

    public init() {}

    public var id: String { TargetID.claudeCode }
    public var displayName: String { "Claude Code" }
    public var category: String { "cli" }
    public var managedFolders: [String] { [Self.agents, Self.commands, Self.rules, Self.skills] }
    public var managedFiles: [String] { [Self.root, Self.ignore] }
    public var coOwnedFiles: [String] { [Self.mcp, Self.settings] }
    public var detectionPaths: [String] {
        [Self.root, Self.legacyRoot, Self.rules, Self.commands, Self.agents, Self.skills, Self.settings, Self.mcp]
    }
    /// Files removed when the root is written.
    public var supersededFiles: [String] { [Self.legacyRoot] }

    public func rebasedPath(forCanonical path: String) -> String? {
        if path == ".agentsmesh/mcp.json" { return Self.mcp }
        if path == ".agentsmesh/ignore" { return Self.ignore }
        guard let (feature, rest) = CanonicalPaths.split(path), !rest.isEmpty else { return nil }
        switch feature {
        case "rules": return rest == "_root.md" ? Self.root : rest.hasSuffix(".md") ? Self.rules + "/" + lastSegment(rest) : nil
        case "commands": return Self.commands + "/" + rest
        case "agents": return rest.hasSuffix(".md") ? Self.agents + "/" + lastSegment(rest) : nil
        case "skills": return Self.skills + "/" + rest
        default: return nil
        }
    }

    public func project(_ canonical: CanonicalProject, context: ProjectionContext) -> Projection {
        var out = Projection()
        let rebaser = forwardRebaser(canonical, projectRoot: context.projectRoot, scans: context.scans)
        if context.has(.rules) {
            if let root = canonical.root {
                let body = rebase(root.body.trimmedWhitespace(), rebaser, from: root.path, to: Self.root)
                out.add(.text(Self.root, id, ManagedBlocks.withContract(body, enabled: context.config.generationContract)))
            }
            // Rules and commands are independent of each other: projected on all cores, kept in order.
            out.files += Parallel.transform(canonical.additionalRules.filter { $0.applies(to: id) }) { rule in
                let path = "\(Self.rules)/\(rule.name).md"
                let fm = ProjectionSupport.frontmatter([
                    ("description", .string(rule.description)), ("paths", .strings(rule.globs)),
                ])
                return .text(path, id, Frontmatter.serialize(fm, body: rebase(rule.body, rebaser, from: rule.path, to: path)))
            }
        }
        if context.has(.commands) {
            out.files += Parallel.transform(canonical.commands) { command in
                let path = "\(Self.commands)/\(command.slashPath).md"
                let fm = ProjectionSupport.withExtras(
                    ProjectionSupport.frontmatter([
                        ("description", .string(command.description)), ("allowed-tools", .strings(command.allowedTools)),
                    ]),
                    from: command.frontmatter, excluding: ["allowedTools"])
                return .text(path, id, Frontmatter.serialize(fm, body: rebase(command.body, rebaser, from: command.path, to: path)))
            }
        }
        if context.has(.agents) {
            out.files += Parallel.transform(canonical.agents) { agent -> OutputFile in
                let path = "\(Self.agents)/\(agent.name).md"
                var hooks = JSONObject()
                for (event, entries) in agent.hooks where !entries.isEmpty {
                    hooks[event] = .array(ProjectionSupport.nestedHooks(entries))
                }
                var fm = ProjectionSupport.frontmatter([
                    ("name", .string(agent.name)), ("description", .string(agent.description)),
                    ("tools", .strings(agent.tools)), ("disallowedTools", .strings(agent.disallowedTools)),
                    ("model", .string(agent.model)), ("permissionMode", .string(agent.permissionMode)),
                    ("maxTurns", agent.maxTurns > 0 ? .int(agent.maxTurns) : .null), ("mcpServers", .strings(agent.mcpServers)),
                    ("hooks", .object(hooks)), ("skills", .strings(agent.skills)), ("memory", .string(agent.memory)),
                ])
                fm = ProjectionSupport.withExtras(fm, from: agent.frontmatter, excluding: Self.agentKeysNotCarried)
                let body = ProjectionSupport.prefixed(rebase(agent.body, rebaser, from: agent.path, to: path), heading: "## Role")
                return .text(path, id, Frontmatter.serialize(fm, body: body))
            }
        }
        if context.has(.skills) {
            out.files += skillOutputs(canonical.skills, folder: Self.skills, rebaser: rebaser, heading: "## Purpose", carryExtras: true)
        }
        var settings: [OwnedKey] = []
        var settingsNonEmpty = false
        if context.has(.mcp), let all = canonical.mcpServers {
            var servers = JSONObject()
            var disabled: [String] = []
            for (name, server) in McpProjection.servers(all, target: id) {
                let normalized = McpProjection.normalized(server)
                servers[name] = normalized.server
                if normalized.disabled { disabled.append(name) }
            }
            out.add(
                OutputFile(
                    path: Self.mcp, target: id, kind: .coOwned,
                    content: .json(owned: [OwnedKey(["mcpServers"], .object(servers))], prelude: [], createIfMissing: !servers.isEmpty)))
            // Claude Code switches project servers off in settings, not in `.mcp.json`.
            if !disabled.isEmpty {
                settings.append(OwnedKey(["disabledMcpjsonServers"], .strings(disabled)))
                settingsNonEmpty = true
            }
        }
        if context.has(.permissions), let permissions = canonical.permissions {
            settings.append(OwnedKey(["permissions", "allow"], .strings(permissions.allow)))
            settings.append(OwnedKey(["permissions", "deny"], .strings(permissions.deny)))
            settings.append(OwnedKey(["permissions", "ask"], .strings(permissions.ask)))
            settingsNonEmpty = settingsNonEmpty || !permissions.isEmpty
        }
        if context.has(.hooks), let hooks = canonical.hooks, hooks.concerns(id) {
            var object = JSONObject()
            for (native, parts) in ProjectionSupport.eventsFor(hooks, target: id, map: { $0 }, dropped: { _ in }) {
                object[native] = .array(ProjectionSupport.nestedHooks(parts.flatMap(\.entries)))
            }
            settings.append(OwnedKey(["hooks"], .object(object)))
            settingsNonEmpty = settingsNonEmpty || !object.isEmpty
        }
        if !settings.isEmpty {
            out.add(
                OutputFile(
                    path: Self.settings, target: id, kind: .coOwned,
                    content: .json(owned: settings, prelude: [], createIfMissing: settingsNonEmpty)))
        }
        if context.has(.ignore), let ignore = canonical.ignore {
            out.add(.text(Self.ignore, id, ProjectionSupport.ignoreText(ignore)))
        }
        return out
    }
}

func lastSegment(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}

extension ClaudeCodeProjector {
    var inverseTable: PathTable {
        PathTable(entries: [
            (Self.root, ".agentsmesh/rules/_root.md", true), (Self.legacyRoot, ".agentsmesh/rules/_root.md", true),
            (Self.mcp, ".agentsmesh/mcp.json", true), (Self.ignore, ".agentsmesh/ignore", true),
            (Self.rules, ".agentsmesh/rules", false), (Self.commands, ".agentsmesh/commands", false),
            (Self.agents, ".agentsmesh/agents", false), (Self.skills, ".agentsmesh/skills", false),
        ])
    }

    public func importNative(root: String) throws(ToolError) -> ImportResult {
        var result = ImportResult()
        let reader = NativeReader(root: root)
        let table = inverseTable
        let ruleFiles = reader.files(in: Self.rules, suffix: ".md")
        let ruleNameList = NestedNames.names(for: ruleFiles.map { String($0.dropLast(3)) })
        let ruleNames = Dictionary(zip(ruleFiles.map { "\(Self.rules)/\($0)" }, ruleNameList), uniquingKeysWith: { a, _ in a })
        let rebaser = reader.rebaser { path in
            if let name = ruleNames[path] { return ".agentsmesh/rules/\(name).md" }
            return table.canonical(path)
        }

        // Both root files are read: generate replaces `.claude/CLAUDE.md` by `CLAUDE.md`, so neither may be lost.
        for rootPath in [Self.root, Self.legacyRoot] {
            guard let body = try reader.rootText(rootPath, result: &result) else { continue }
            reader.mergeRoot(body, from: rootPath, rebaser: rebaser, result: &result)
        }
        for (rel, name) in zip(ruleFiles, ruleNameList) {
            let native = "\(Self.rules)/\(rel)"
            guard let document = try reader.document(native, result: &result) else { continue }
            let fm = document.frontmatter
            // `paths` is the current key; older files (and other tools' docs) use `globs`: both scope the rule.
            var globs: [String] = []
            for key in ["paths", "globs"] {
                let list: [String] = fm[key]?.stringValue.map(SettingsParsing.splitList) ?? SettingsParsing.commaList(fm[key])
                for glob in list where !globs.contains(glob) { globs.append(glob) }
            }
            let body = rebaser.rebase(document.body.trimmedWhitespace(), from: native, to: ".agentsmesh/rules/\(name).md")
            var extra = fm
            extra["paths"] = nil
            extra["globs"] = nil
            extra["description"] = nil
            result.project.rules.append(
                Rule(
                    name: name, path: "rules/\(name).md", description: SettingsParsing.string(fm["description"]), globs: globs,
                    frontmatter: extra, body: body))
            result.sources["rules/\(name).md"] = native
        }
        try reader.markdownCommands(in: Self.commands, rebaser: rebaser, result: &result)
        for rel in reader.files(in: Self.agents, suffix: ".md") {
            let native = "\(Self.agents)/\(rel)"
            guard var document = try reader.document(native, result: &result) else { continue }
            let fileName = lastSegment(String(rel.dropLast(3)))
            if let nested = document.frontmatter["hooks"]?.objectValue {
                var flat = JSONObject()
                for (event, groups) in nested {
                    flat[event] = .array(ProjectionSupport.flatEntries(groups).map(\.json))
                }
                document.frontmatter["hooks"] = .object(flat)
            }
            var agent = EntityParsing.agent(fileName: fileName, path: "agents/\(fileName).md", document: document)
            agent.name = fileName
            agent.body = ProjectionSupport.unprefixed(
                rebaser.rebase(document.body.trimmedWhitespace(), from: native, to: ".agentsmesh/agents/\(fileName).md"), heading: "## Role"
            )
            result.project.agents.append(agent)
            result.sources["agents/\(fileName).md"] = native
        }
        try reader.skills(in: Self.skills, unprefix: "## Purpose", rebaser: rebaser, result: &result)
        let settingsFile = try reader.json(Self.settings, result: &result)
        if let mcp = try reader.json(Self.mcp, result: &result), let servers = mcp["mcpServers"]?.objectValue {
            result.project.mcpServers = McpProjection.restoringDisabled(
                servers, disabled: settingsFile?["disabledMcpjsonServers"]?.stringList ?? [])
            result.sources["mcp.json"] = Self.mcp
        }
        if let settings = settingsFile {
            if let permissions = settings["permissions"]?.objectValue {
                result.project.permissions = Permissions(
                    allow: permissions["allow"]?.stringList ?? [], deny: permissions["deny"]?.stringList ?? [],
                    ask: permissions["ask"]?.stringList ?? [])
                result.sources["permissions.yaml"] = Self.settings
            }
            if let hooks = settings["hooks"]?.objectValue {
                result.project.hooks = ProjectionSupport.importHooks(
                    hooks, target: id, canonical: { HookEvent.all.contains($0) ? $0 : nil }, warnings: &result.warnings, path: Self.settings
                )
                if result.project.hooks != nil { result.sources["hooks.yaml"] = Self.settings }
            }
        }
        if let ignore = try reader.ignore([Self.ignore]) {
            result.project.ignore = ignore
            result.sources["ignore"] = Self.ignore
        }
        return result
    }
}
