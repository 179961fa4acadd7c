public import AgentsMeshCanonical
internal import AgentsMeshKit
public import AgentsMeshProjectors
public import SharedCore

/// The data of `import` (§4.7).
public struct ImportData: Sendable {
    public var from: String
    public var imported: [(kind: String, name: String, path: String)] = []
    public var skipped: [(kind: String, name: String, reason: String)] = []
    public var warnings: [Diagnostic] = []

    public var json: JSONValue {
        [
            "from": .string(from),
            "imported": .array(imported.map { ["kind": .string($0.kind), "name": .string($0.name), "path": .string($0.path)] }),
            "skipped": .array(skipped.map { ["kind": .string($0.kind), "name": .string($0.name), "reason": .string($0.reason)] }),
            "warnings": .array(warnings.map(\.json)),
        ]
    }
}

/// Native → canonical import and its merge into `.agentsmesh/`.
public enum Importer {
    /// The MCP self-entry seeded by `init` and `import` (§1).
    public static var selfEntry: JSONValue { ["type": "stdio", "command": "agentsmesh", "args": ["mcp"]] }

    /// Reads a target's native files into memory, filtered by features.
    /// Files that cannot be read are reported together in one `VALIDATION_FAILED`; with `reportFailures: false`
    /// they are left in the result for a caller that collects several tools first.
    public static func collect(root: String, from target: String, features: [Feature]?, reportFailures: Bool = true) throws(ToolError)
        -> ImportResult
    {
        guard let projector = Targets.projector(target) else {
            throw ToolError(ErrorCode.usage, "cannot import from '\(target)'; supported: \(TargetID.firstClass.joined(separator: ", "))")
        }
        var result = try projector.importNative(root: root)
        if reportFailures, let failure = ImportResult.combined(result.failures) { throw failure }
        if let features {
            if !features.contains(.rules) { result.project.rules = [] }
            if !features.contains(.commands) { result.project.commands = [] }
            if !features.contains(.agents) { result.project.agents = [] }
            if !features.contains(.skills) { result.project.skills = [] }
            if !features.contains(.mcp) { result.project.mcpServers = nil }
            if !features.contains(.permissions) { result.project.permissions = nil }
            if !features.contains(.hooks) { result.project.hooks = nil }
            if !features.contains(.ignore) { result.project.ignore = nil }
        }
        return result
    }

    /// `import --from <target>`: merges into `.agentsmesh/` (last import wins per entity, unions for settings).
    @discardableResult
    public static func run(root: String, from target: String, features: [Feature]?, seedSelfEntry: Bool = true) throws(ToolError)
        -> ImportData
    {
        var collected = try collect(root: root, from: target, features: features)
        if !FileSystem.exists(root + "/.agentsmesh/rules/_root.md") {
            promoteRootIfMissing(&collected.project, warnings: &collected.warnings)
        }
        var data = ImportData(from: target)
        data.warnings = collected.warnings
        data.skipped = collected.skipped
        guard !collected.isEmpty else { return data }
        try merge(collected.project, into: root, data: &data, seedSelfEntry: seedSelfEntry)
        return data
    }

    /// With no root file anywhere, the first always-applied rule (a Cursor `alwaysApply: true` rule) becomes
    /// the root: it is applied always either way, and every target then has root instructions. Never when
    /// any other root exists.
    static func promoteRootIfMissing(_ project: inout CanonicalProject, warnings: inout [Diagnostic]) {
        guard project.root == nil, let index = project.rules.firstIndex(where: { $0.trigger == "always_on" }) else { return }
        let rule = project.rules.remove(at: index)
        var frontmatter: JSONObject = ["root": true]
        if !rule.description.isEmpty { frontmatter["description"] = .string(rule.description) }
        project.rules.insert(
            Rule(
                name: "_root", path: "rules/_root.md", isRoot: true, description: rule.description, globs: rule.globs,
                frontmatter: frontmatter, body: rule.body), at: 0)
        warnings.append(
            Diagnostic(
                code: "ROOT_PROMOTED",
                message: "no root instruction file found; the always-applied rule '\(rule.name)' became rules/_root.md",
                path: ".agentsmesh/rules/_root.md"))
    }

    /// Writes an imported canonical slice into `root/.agentsmesh`.
    static func merge(_ project: CanonicalProject, into root: String, data: inout ImportData, seedSelfEntry: Bool, suffix: String? = nil)
        throws(ToolError)
    {
        let safe = SafePath(root: root)
        func write(_ rel: String, _ text: String) throws(ToolError) {
            let path = ".agentsmesh/" + rel
            try AtomicFile.write(text, to: try safe.resolve(path), displayPath: path)
        }
        func existing(_ rel: String) -> String? {
            (try? FileSystem.readIfExists(root + "/.agentsmesh/" + rel, displayPath: rel)).flatMap { $0 }.map {
                String(decoding: $0, as: UTF8.self)
            }
        }
        func name(_ base: String) -> String { suffix.map { "\(base)-\($0)" } ?? base }
        /// Writes one rule, command or agent at `<folder>/<path>.md` (a checked name) and records it.
        func place(_ kind: String, _ entity: String, folder: String, path: String, _ text: String) throws(ToolError) {
            let rel = "\(folder)/\(path).md"
            try NameRules.check(path: path, displayPath: rel)
            try write(rel, text)
            data.imported.append((kind, entity, ".agentsmesh/" + rel))
        }

        for rule in project.rules {
            if rule.isRoot {
                let incoming = rule.body.trimmedWhitespace()
                if let current = existing("rules/_root.md") {
                    let document = try Frontmatter.parse(current, path: ".agentsmesh/rules/_root.md")
                    let merged = mergeRoot(existing: document.body.trimmedWhitespace(), imported: incoming)
                    if merged != document.body.trimmedWhitespace() {
                        var updated = rule
                        updated.frontmatter = document.frontmatter
                        updated.body = merged
                        try write("rules/_root.md", CanonicalWriter.markdown(document.frontmatter, body: merged))
                        data.imported.append(("rule", "_root", ".agentsmesh/rules/_root.md"))
                    } else {
                        data.skipped.append(("rule", "_root", "unchanged"))
                    }
                } else {
                    try write("rules/_root.md", CanonicalWriter.rule(rule))
                    data.imported.append(("rule", "_root", ".agentsmesh/rules/_root.md"))
                }
                continue
            }
            var renamed = rule
            renamed.name = name(rule.name)
            try place("rule", renamed.name, folder: "rules", path: renamed.name, CanonicalWriter.rule(renamed))
        }
        for command in project.commands {
            var renamed = command
            renamed.name = name(command.name)
            try place("command", renamed.name, folder: "commands", path: renamed.slashPath, CanonicalWriter.command(renamed))
        }
        for agent in project.agents {
            var renamed = agent
            renamed.name = name(agent.name)
            try place("agent", renamed.name, folder: "agents", path: renamed.name, CanonicalWriter.agent(renamed))
        }
        for skill in project.skills {
            let skillName = name(skill.name)
            try NameRules.check(path: skillName, displayPath: "skills/\(skillName)")
            let folder = root + "/.agentsmesh/skills/" + skillName
            let keep = Set(skill.files.map(\.path) + ["SKILL.md"])
            for old in FileSystem.walkFiles(folder) where !keep.contains(old) {
                try FileSystem.remove(folder + "/" + old, displayPath: ".agentsmesh/skills/\(skillName)/\(old)")
            }
            try write("skills/\(skillName)/SKILL.md", CanonicalWriter.skill(skill))
            for file in skill.files {
                let path = ".agentsmesh/skills/\(skillName)/\(file.path)"
                try AtomicFile.write(file.bytes, to: try safe.resolve(path), displayPath: path)
            }
            data.imported.append(("skill", skillName, ".agentsmesh/skills/\(skillName)"))
        }
        if project.mcpServers != nil || seedSelfEntry {
            try mergeMcp(project.mcpServers ?? JSONObject(), root: root, seedSelfEntry: seedSelfEntry, target: data.from, data: &data)
        }
        // An import never writes an empty settings file: empty means "clear every tool's lists" (§2.9).
        if let permissions = project.permissions, !permissions.isEmpty {
            var merged =
                (try existing("permissions.yaml").flatMap { text throws(ToolError) in
                    try SettingsParsing.permissions(Array(text.utf8), path: ".agentsmesh/permissions.yaml")
                }) ?? Permissions()
            func union(_ a: [String], _ b: [String]) -> [String] { a + b.filter { !a.contains($0) } }
            merged.allow = union(merged.allow, permissions.allow)
            merged.deny = union(merged.deny, permissions.deny)
            merged.ask = union(merged.ask, permissions.ask)
            try write("permissions.yaml", CanonicalWriter.permissions(merged))
            data.imported.append(("permissions", "permissions", ".agentsmesh/permissions.yaml"))
        }
        if let hooks = project.hooks, hooks.events.contains(where: { !$0.entries.isEmpty }) {
            var merged =
                (try existing("hooks.yaml").flatMap { text throws(ToolError) in
                    try SettingsParsing.hooks(Array(text.utf8), path: ".agentsmesh/hooks.yaml")
                }) ?? Hooks()
            for (event, entries) in hooks.events {
                let present = Set(merged.entries(for: event).map(\.identity))
                merged.append(entries.filter { !present.contains($0.identity) }, to: event)
            }
            try write("hooks.yaml", CanonicalWriter.hooks(merged))
            data.imported.append(("hooks", "hooks", ".agentsmesh/hooks.yaml"))
        }
        if let ignore = project.ignore {
            var lines =
                existing("ignore").map { $0.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
                ?? []
            while lines.last == "" { lines.removeLast() }
            for pattern in ignore.text.split(separator: "\n").map(String.init) where !lines.contains(pattern) { lines.append(pattern) }
            try write("ignore", lines.joined(separator: "\n") + "\n")
            data.imported.append(("ignore", "ignore", ".agentsmesh/ignore"))
        }
    }

    static func mergeMcp(_ servers: JSONObject, root: String, seedSelfEntry: Bool, target: String? = nil, data: inout ImportData)
        throws(ToolError)
    {
        let rel = ".agentsmesh/mcp.json"
        var merged = JSONObject()
        var document = JSONObject()
        if let bytes = try FileSystem.readIfExists(root + "/" + rel, displayPath: rel) {
            guard let parsed = (try? JSONParser.parse(bytes: bytes))?.objectValue else {
                data.warnings.append(
                    Diagnostic(code: "MCP_JSON_UNTOUCHED", message: "\(rel) is not valid JSON (or has comments); left untouched", path: rel)
                )
                return
            }
            document = parsed
            merged = parsed["mcpServers"]?.objectValue ?? JSONObject()
        }
        let before = merged
        for (name, server) in servers {
            // A tool's own definition (`<target>:<name>`, from an earlier init) is where its import lands.
            let key = target.map { "\($0):\(name)" }.flatMap { merged[$0] != nil ? $0 : nil } ?? name
            // What generate wrote, read back, is the same server: the canonical spelling stays.
            if let current = merged[key], McpProjection.sameServer(current, server) { continue }
            merged[key] = server
        }
        if seedSelfEntry, merged["agentsmesh"] == nil { merged["agentsmesh"] = selfEntry }
        guard merged != before || document.isEmpty else { return }
        document["mcpServers"] = .object(merged)
        try AtomicFile.write(JSONEmitter.pretty(.object(document)) + "\n", to: try SafePath(root: root).resolve(rel), displayPath: rel)
        if !servers.isEmpty { data.imported.append(("mcp", "mcpServers", rel)) }
    }

    /// `_root.md` accumulation (§4.7, amended: merged by Markdown blocks, never by lines).
    static func mergeRoot(existing: String, imported: String) -> String {
        MarkdownMerge.merge(existing: existing, imported: imported)
    }
}
