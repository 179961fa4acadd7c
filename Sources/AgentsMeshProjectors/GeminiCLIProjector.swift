public import AgentsMeshCanonical
internal import AgentsMeshKit
internal import Foundation
public import SharedCore

/// Gemini CLI (§3.10): `GEMINI.md` with embedded rules, `.gemini/{commands,agents,skills}`,
/// `.gemini/settings.json`, `.gemini/policies/permissions.toml`, `.geminiignore`, `AGENTS.md` mirror.
public struct GeminiCLIProjector: TargetProjector {
    static let root = "GEMINI.md"
    static let commands = ".gemini/commands"
    static let agents = ".gemini/agents"
    static let skills = ".gemini/skills"
    static let legacyRules = ".gemini/rules"
    static let settings = ".gemini/settings.json"
    static let policies = ".gemini/policies/permissions.toml"
    static let ignore = ".geminiignore"
    static let agentsMirror = "AGENTS.md"
    static let policyStart = "# agentsmesh:permissions:start"
    static let policyEnd = "# agentsmesh:permissions:end"

    /// Canonical event → Gemini event (§3.6).
    static let events: [String: String] = [
        "PreToolUse": "BeforeTool", "PostToolUse": "AfterTool", "Notification": "Notification",
        "UserPromptSubmit": "BeforeAgent", "SubagentStart": "BeforeAgent", "SubagentStop": "AfterAgent",
        "SessionStart": "SessionStart",
    ]

    public init() {}

    public var id: String { TargetID.geminiCLI }
    public var displayName: String { "Gemini CLI" }
    public var category: String { "cli" }
    public var managedFolders: [String] { [Self.agents, Self.commands, Self.skills] }
    public var managedFiles: [String] { [Self.root, Self.agentsMirror, Self.ignore] }
    public var coOwnedFiles: [String] { [Self.settings, Self.policies] }
    public var detectionPaths: [String] { [Self.root, ".gemini"] }

    public func rebasedPath(forCanonical path: String) -> String? {
        if path == ".agentsmesh/mcp.json" { return Self.settings }
        if path == ".agentsmesh/ignore" { return Self.ignore }
        guard let (feature, rest) = CanonicalPaths.split(path), !rest.isEmpty else { return nil }
        switch feature {
        case "rules": return rest.hasSuffix(".md") ? Self.root : nil
        case "commands": return rest.hasSuffix(".md") ? "\(Self.commands)/\(rest.dropLast(3)).toml" : nil
        case "agents": return rest.hasSuffix(".md") ? Self.agents + "/" + lastSegment(rest) : nil
        case "skills": return Self.skills + "/" + rest
        default: return nil
        }
    }

    /// The embedded-rule meta object (key order `source, description?, globs, targets`).
    static func ruleMeta(_ rule: Rule) -> JSONValue {
        var meta = JSONObject()
        meta["source"] = .string(rule.path)
        if !rule.description.isEmpty { meta["description"] = .string(rule.description) }
        meta["globs"] = .strings(rule.globs)
        meta["targets"] = .strings(rule.targets)
        return .object(meta)
    }

    /// One `[[rule]]` policy table per mapped tool name.
    static func policyRules(_ entry: String, decision: String, priority: Int) -> [String] {
        let (tool, matcher) = PermissionEntry.split(entry)
        return GeminiToolMap.gemini(tool).map { name in
            var lines = ["[[rule]]", "toolName = \(TOMLWriter.basic(name))"]
            if let matcher {
                if tool == "Bash" {
                    if matcher.hasSuffix(":*") || matcher.hasSuffix("*") {
                        var prefix = matcher.hasSuffix(":*") ? String(matcher.dropLast(2)) : String(matcher.dropLast())
                        while prefix.hasSuffix(" ") { prefix.removeLast() }
                        lines.append("commandPrefix = \(TOMLWriter.basic(prefix))")
                    } else {
                        // A `*` inside the pattern stays a wildcard: `Bash(curl * | bash)` must still match what it names.
                        lines.append("commandRegex = \(TOMLWriter.basic("^" + RegexEscape.wildcard(matcher) + "$"))")
                    }
                } else {
                    lines.append("argsPattern = \(TOMLWriter.basic(RegexEscape.wildcard(matcher)))")
                }
            }
            lines.append("decision = \(TOMLWriter.basic(decision))")
            lines.append("priority = \(priority)")
            return lines.joined(separator: "\n")
        }
    }

    public func project(_ canonical: CanonicalProject, context: ProjectionContext) -> Projection {
        var out = Projection()
        let rebaser = forwardRebaser(canonical, projectRoot: context.projectRoot, scans: context.scans)
        if context.has(.rules) {
            let rules = canonical.additionalRules.filter { $0.applies(to: id) }
                .sorted { FileSystem.byteOrder($0.path, $1.path) }
            if canonical.root != nil || !rules.isEmpty {
                var parts: [String] = []
                if let root = canonical.root {
                    parts.append(rebase(root.body.trimmedWhitespace(), rebaser, from: root.path, to: Self.root))
                }
                if !rules.isEmpty {
                    let blocks = Parallel.transform(rules) { rule in
                        ManagedBlocks.start("embedded-rule", meta: JSONEmitter.compact(Self.ruleMeta(rule))) + "\n"
                            + rebase(rule.body.trimmedWhitespace(), rebaser, from: rule.path, to: Self.root) + "\n"
                            + ManagedBlocks.end("embedded-rule")
                    }
                    parts.append(
                        ManagedBlocks.start("embedded-rules") + "\n" + blocks.joined(separator: "\n\n") + "\n"
                            + ManagedBlocks.end("embedded-rules"))
                }
                let text = parts.filter { !$0.isEmpty }.joined(separator: "\n\n")
                out.add(.text(Self.root, id, ManagedBlocks.withContract(text, enabled: context.config.generationContract)))
            }
        }
        if context.has(.commands) {
            out.files += Parallel.transform(canonical.commands) { command in
                let path = "\(Self.commands)/\(command.slashPath).toml"
                var text = ""
                if !command.description.isEmpty { text += "description = \(TOMLWriter.basic(command.description))\n" }
                let prompt = Placeholders.replacing(
                    "$ARGUMENTS", with: "{{args}}", in: rebase(command.body.trimmedWhitespace(), rebaser, from: command.path, to: path))
                text += "prompt = \(TOMLWriter.multiline(prompt))\n"
                return .text(path, id, text)
            }
        }
        var wroteAgents = false
        if context.has(.agents) {
            let asSkills = context.config.agentsToSkills[id] ?? false
            let projected = Parallel.transform(canonical.agents) { agent -> (file: OutputFile, dropped: [String]) in
                if asSkills {
                    let path = "\(Self.skills)/\(agent.name)/SKILL.md"
                    let fm = ProjectionSupport.frontmatter([("name", .string(agent.name)), ("description", .string(agent.description))])
                    return (.text(path, id, Frontmatter.serialize(fm, body: rebase(agent.body, rebaser, from: agent.path, to: path))), [])
                }
                let path = "\(Self.agents)/\(agent.name).md"
                var fm = ProjectionSupport.frontmatter([
                    ("name", .string(agent.name)), ("description", .string(agent.description)), ("kind", "local"),
                    ("tools", .strings(GeminiToolMap.gemini(list: agent.tools))), ("model", .string(agent.model)),
                    ("maxTurns", agent.maxTurns > 0 ? .int(agent.maxTurns) : .null),
                ])
                // Gemini's own agent settings, read on import, go back to Gemini (the other tools have none).
                for key in Self.agentOwnKeys { if let value = agent.frontmatter[key] { fm[key] = value } }
                var dropped: [String] = []
                if !agent.disallowedTools.isEmpty { dropped.append("disallowedTools") }
                if !agent.permissionMode.isEmpty { dropped.append("permissionMode") }
                if !agent.mcpServers.isEmpty { dropped.append("mcpServers") }
                if agent.hooks.contains(where: { !$0.entries.isEmpty }) { dropped.append("hooks") }
                if !agent.skills.isEmpty { dropped.append("skills") }
                if !agent.memory.isEmpty { dropped.append("memory") }
                return (.text(path, id, Frontmatter.serialize(fm, body: rebase(agent.body, rebaser, from: agent.path, to: path))), dropped)
            }
            for (agent, item) in zip(canonical.agents, projected) {
                if !item.dropped.isEmpty {
                    out.warn(
                        "SILENT_DROP", "gemini-cli agents cannot express \(item.dropped.joined(separator: ", ")) (agent '\(agent.name)')",
                        target: id, path: ".agentsmesh/" + agent.path)
                }
                out.add(item.file)
            }
            wroteAgents = !asSkills && !canonical.agents.isEmpty
        }
        if context.has(.skills) {
            out.files += skillOutputs(canonical.skills, folder: Self.skills, rebaser: rebaser)
        }
        var settings: [OwnedKey] = []
        var settingsNonEmpty = false
        // Gemini reads GEMINI.md only while `context.fileName` (when the user set it) names it: a list such as
        // ["AGENTS.md"] would hide the generated rules, so GEMINI.md is added to it; the user's names stay.
        if context.has(.rules), canonical.root != nil || !canonical.additionalRules.isEmpty {
            settings.append(OwnedKey(["context", "fileName"], .string(Self.root), ensureIncluded: true))
        }
        if context.has(.mcp), let all = canonical.mcpServers {
            var servers = JSONObject()
            var excluded: [String] = []
            for (name, server) in McpProjection.servers(all, target: id) {
                let normalized = McpProjection.normalized(server)
                guard var object = normalized.server.objectValue else { continue }
                let unknown = object.keys.filter { !McpProjection.geminiFields.contains($0) }
                if !unknown.isEmpty {
                    for key in unknown { object[key] = nil }
                    out.warn(
                        "SILENT_DROP", "gemini-cli MCP servers cannot hold \(unknown.joined(separator: ", ")) (server '\(name)')",
                        target: id, path: ".agentsmesh/mcp.json")
                }
                servers[name] = .object(object)
                if normalized.disabled { excluded.append(name) }
            }
            settings.append(OwnedKey(["mcpServers"], .object(servers)))
            settingsNonEmpty = settingsNonEmpty || !servers.isEmpty
            // Gemini CLI switches servers off with `mcp.excluded`; its schema forbids `disabled` on a server.
            if !excluded.isEmpty { settings.append(OwnedKey(["mcp", "excluded"], .strings(excluded))) }
        }
        if context.has(.hooks), let hooks = canonical.hooks, hooks.concerns(id) {
            let object = geminiHooks(hooks, into: &out)
            settings.append(OwnedKey(["hooks"], .object(object)))
            settingsNonEmpty = settingsNonEmpty || !object.isEmpty
        }
        if wroteAgents {
            settings.append(OwnedKey(["experimental", "enableAgents"], .bool(true)))
            settingsNonEmpty = true
        }
        if !settings.isEmpty {
            out.add(
                OutputFile(
                    path: Self.settings, target: id, kind: .coOwned,
                    content: .json(owned: settings, prelude: [], createIfMissing: settingsNonEmpty)))
        }
        if context.has(.permissions), let permissions = canonical.permissions {
            var tables: [String] = []
            for entry in permissions.deny { tables += Self.policyRules(entry, decision: "deny", priority: 300) }
            for entry in permissions.ask { tables += Self.policyRules(entry, decision: "ask_user", priority: 200) }
            for entry in permissions.allow { tables += Self.policyRules(entry, decision: "allow", priority: 100) }
            let inner = tables.joined(separator: "\n\n")
            let block = Self.policyStart + "\n" + (inner.isEmpty ? "" : inner + "\n") + Self.policyEnd
            out.add(
                OutputFile(
                    path: Self.policies, target: id, kind: .coOwned,
                    content: .textBlock(
                        startMarker: Self.policyStart, endMarker: Self.policyEnd, block: block, createIfMissing: !tables.isEmpty)))
        }
        if context.has(.ignore), let ignore = canonical.ignore {
            out.add(.text(Self.ignore, id, ProjectionSupport.ignoreText(ignore)))
        }
        return out
    }

    /// Agent keys only Gemini CLI reads; carried from `.agentsmesh/agents/*.md` into Gemini's agent files.
    static let agentOwnKeys = ["temperature", "timeout_mins"]

    /// Canonical events whose matcher names tools (translated with the tool map); other events' matchers
    /// (`SessionStart: startup`) are not tool names and pass through as written.
    static let toolEvents: Set<String> = ["PreToolUse", "PostToolUse"]
    static let nativeToolEvents: Set<String> = ["BeforeTool", "AfterTool"]

    private func geminiHooks(_ hooks: Hooks, into out: inout Projection) -> JSONObject {
        let events = ProjectionSupport.eventsFor(hooks, target: id, map: { Self.events[$0] }) { event in
            out.warn("SILENT_DROP", "gemini-cli has no hook event for \(event)", target: id, path: ".agentsmesh/hooks.yaml")
        }
        var object = JSONObject()
        for (native, parts) in events {
            // BeforeAgent takes UserPromptSubmit entries before SubagentStart ones; own entries come last.
            let ordered =
                parts.filter { $0.canonical != nil && $0.canonical != "SubagentStart" }
                + parts.filter { $0.canonical == "SubagentStart" } + parts.filter { $0.canonical == nil }
            var entries: [HookEntry] = []
            for (canonical, list) in ordered {
                for var entry in list {
                    if let canonical {
                        if entry.type == "prompt" || (entry.command ?? "").trimmedWhitespace().isEmpty {
                            out.warn(
                                "SILENT_DROP", "gemini-cli hooks need a command; \(canonical) entry dropped", target: id,
                                path: ".agentsmesh/hooks.yaml")
                            continue
                        }
                        if Self.toolEvents.contains(canonical) {
                            let (value, translated) = GeminiToolMap.matcher(entry.matcher)
                            if !translated {
                                out.warn(
                                    "MATCHER_UNTRANSLATED", "hook matcher '\(entry.matcher ?? "")' passed to gemini-cli verbatim",
                                    target: id, path: ".agentsmesh/hooks.yaml")
                            }
                            entry.matcher = value
                        } else if entry.matcher == "*" || entry.matcher == "" {
                            entry.matcher = nil
                        }
                        // Canonical seconds → Gemini milliseconds; own entries are already in Gemini's unit.
                        entry.timeout = entry.timeout.map { $0 * 1000 }
                    }
                    entries.append(entry)
                }
            }
            if !entries.isEmpty { object[native] = .array(ProjectionSupport.nestedHooks(entries)) }
        }
        return object
    }
}

/// Regex escaping for Gemini policy patterns.
enum RegexEscape {
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            if "\\^$.|?*+()[]{}".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// A glob-like permission pattern as a regex: `*` → `.*`, everything else escaped.
    static func wildcard(_ pattern: String) -> String {
        pattern.split(separator: "*", omittingEmptySubsequences: false).map { escape(String($0)) }.joined(separator: ".*")
    }

    /// Inverse of `wildcard`: an unescaped `.*` is a `*`, escaped characters are themselves.
    static func unwildcard(_ regex: String) -> String {
        var out = ""
        var chars = Array(regex)[...]
        while let ch = chars.first {
            chars = chars.dropFirst()
            if ch == "\\", let next = chars.first {
                out.append(next)
                chars = chars.dropFirst()
            } else if ch == ".", chars.first == "*" {
                out.append("*")
                chars = chars.dropFirst()
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaping = false
        for ch in s {
            if escaping {
                out.append(ch)
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

extension GeminiCLIProjector {
    public func importNative(root: String) throws(ToolError) -> ImportResult {
        var result = ImportResult()
        let reader = NativeReader(root: root)
        let table = PathTable(entries: [
            (Self.root, ".agentsmesh/rules/_root.md", true), (Self.ignore, ".agentsmesh/ignore", true),
            (Self.agents, ".agentsmesh/agents", false), (Self.skills, ".agentsmesh/skills", false),
        ])
        let rebaser = reader.rebaser { path in
            if let mapped = table.canonical(path) { return mapped }
            if path.hasPrefix(Self.commands + "/"), path.hasSuffix(".toml") {
                return ".agentsmesh/commands/\(path.dropFirst(Self.commands.count + 1).dropLast(5)).md"
            }
            return nil
        }
        if let text = try reader.text(Self.root) {
            let normalized = text.replacingCRLF()
            for block in ManagedBlocks.blocks("embedded-rule", in: normalized) {
                guard let meta = block.meta, let source = meta["source"]?.stringValue,
                    source.hasPrefix("rules/"), source.hasSuffix(".md")
                else { continue }
                let name = lastSegment(String(source.dropLast(3)))
                var content = block.content.trimmedWhitespace()
                // Other generators put the rule's description as a `## ` heading first: theirs, not the user's.
                if let description = meta["description"]?.stringValue, !description.isEmpty {
                    let heading = "## " + description
                    if content == heading {
                        content = ""
                    } else if content.hasPrefix(heading + "\n") {
                        content = String(content.dropFirst(heading.count + 1)).trimmedWhitespace()
                    }
                }
                let body = rebaser.rebase(content, from: Self.root, to: ".agentsmesh/" + source)
                result.project.rules.append(
                    Rule(
                        name: name, path: source, description: meta["description"]?.stringValue ?? "",
                        targets: meta["targets"]?.stringList ?? [], globs: meta["globs"]?.stringList ?? [], body: body))
                result.sources[source] = Self.root
            }
            var rootBody = ManagedBlocks.strip("embedded-rules", from: normalized)
            rootBody = ManagedBlocks.strip("root-generation-contract", from: rootBody)
            rootBody = try reader.followIncludes(rootBody, in: Self.root, result: &result, seen: [Self.root])
            reader.mergeRoot(rootBody, from: Self.root, rebaser: rebaser, result: &result)
        }
        // Generate writes the root into AGENTS.md too: what the user wrote there joins the root first.
        if let body = try reader.rootText(Self.agentsMirror, result: &result) {
            reader.mergeRoot(body, from: Self.agentsMirror, rebaser: rebaser, result: &result)
        }
        for rel in reader.files(in: Self.legacyRules, suffix: ".md") {
            let native = "\(Self.legacyRules)/\(rel)"
            guard let document = try reader.document(native, result: &result) else { continue }
            let name = lastSegment(String(rel.dropLast(3)))
            if result.project.rules.contains(where: { $0.name == name }) { continue }
            var rule = EntityParsing.rule(name: name, path: "rules/\(name).md", document: document, isRoot: false)
            rule.body = rule.body.trimmedWhitespace()
            result.project.rules.append(rule)
            result.sources["rules/\(name).md"] = native
        }
        for rel in reader.files(in: Self.commands, suffix: ".toml") {
            let native = "\(Self.commands)/\(rel)"
            guard let text = try reader.text(native) else { continue }
            let document: TOMLReader.Document
            do {
                document = try TOMLReader.parse(text)
            } catch {
                result.failures.append(ToolError.syntax(path: native, line: error.line, column: nil, message: error.message))
                continue
            }
            let inner = String(rel.dropLast(5))
            let promptText = document.values["prompt"]?.stringValue ?? ""
            if Placeholders.occursInProse("$ARGUMENTS", in: promptText) {
                result.warnings.append(
                    Diagnostic(
                        code: "PLACEHOLDER_LITERAL",
                        message:
                            "\(native): the prompt has a literal $ARGUMENTS outside code; agentsmesh reads $ARGUMENTS as the arguments placeholder (Gemini's {{args}}). Put it in `backticks` to keep it literal",
                        path: native))
            }
            let prompt = Placeholders.replacing("{{args}}", with: "$ARGUMENTS", in: promptText)
            let body = rebaser.rebase(prompt.trimmedWhitespace(), from: native, to: ".agentsmesh/commands/\(inner).md")
            result.project.commands.append(
                Command(
                    name: inner.split(separator: "/").joined(separator: ":"), path: "commands/\(inner).md",
                    description: document.values["description"]?.stringValue ?? "", body: body))
            result.sources["commands/\(inner).md"] = native
        }
        var mdCommands = ImportResult()
        try reader.markdownCommands(in: Self.commands, rebaser: rebaser, result: &mdCommands)
        for command in mdCommands.project.commands where !result.project.commands.contains(where: { $0.name == command.name }) {
            result.project.commands.append(command)
            if let native = mdCommands.sources[command.path] { result.sources[command.path] = native }
        }
        result.warnings += mdCommands.warnings
        result.failures += mdCommands.failures
        for rel in reader.files(in: Self.agents, suffix: ".md") {
            let native = "\(Self.agents)/\(rel)"
            guard var document = try reader.document(native, result: &result) else { continue }
            let fileName = lastSegment(String(rel.dropLast(3)))
            document.frontmatter["kind"] = nil
            var agent = EntityParsing.agent(fileName: fileName, path: "agents/\(fileName).md", document: document)
            agent.name = fileName
            agent.tools = GeminiToolMap.canonical(list: agent.tools)
            agent.frontmatter["tools"] = .strings(agent.tools)
            agent.body = rebaser.rebase(document.body.trimmedWhitespace(), from: native, to: ".agentsmesh/agents/\(fileName).md")
            result.project.agents.append(agent)
            result.sources["agents/\(fileName).md"] = native
        }
        try reader.skills(in: Self.skills, unprefix: nil, rebaser: rebaser, result: &result)
        if let settings = try reader.json(Self.settings, result: &result) {
            if let servers = settings["mcpServers"]?.objectValue {
                result.project.mcpServers = McpProjection.restoringDisabled(
                    McpProjection.fromGemini(servers), disabled: settings["mcp"]?["excluded"]?.stringList ?? [])
                result.sources["mcp.json"] = Self.settings
            }
            if let hooks = settings["hooks"]?.objectValue {
                let inverse = [
                    "BeforeTool": "PreToolUse", "AfterTool": "PostToolUse", "Notification": "Notification",
                    "BeforeAgent": "UserPromptSubmit", "AfterAgent": "SubagentStop", "SessionStart": "SessionStart",
                ]
                result.project.hooks = ProjectionSupport.importHooks(
                    hooks, target: id, canonical: { inverse[$0] },
                    matcher: { event, matcher in Self.nativeToolEvents.contains(event) ? GeminiToolMap.canonicalMatcher(matcher) : matcher
                    },
                    timeoutScale: 1000, warnings: &result.warnings, path: Self.settings)
                if result.project.hooks != nil { result.sources["hooks.yaml"] = Self.settings }
            }
        }
        if let text = try reader.text(Self.policies) {
            do {
                result.project.permissions = try Self.importPolicies(text)
                if result.project.permissions != nil { result.sources["permissions.yaml"] = Self.policies }
            } catch {
                result.failures.append(error)
            }
        }
        if let ignore = try reader.ignore([Self.ignore]) {
            result.project.ignore = ignore
            result.sources["ignore"] = Self.ignore
        }
        return result
    }

    /// Reads the owned policy block back into canonical permissions (inverse of `policyRules`).
    static func importPolicies(_ text: String) throws(ToolError) -> Permissions? {
        let lines = text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: policyStart), let end = lines[start...].firstIndex(of: policyEnd) else { return nil }
        let document: TOMLReader.Document
        do {
            document = try TOMLReader.parse(lines[(start + 1)..<end].joined(separator: "\n"))
        } catch {
            throw ToolError.syntax(path: policies, line: error.line + start + 1, column: nil, message: error.message)
        }
        var permissions = Permissions()
        var previous: (decision: String, tool: String, extra: String)?
        for rule in document.arrays["rule"] ?? [] {
            let toolName = rule["toolName"]?.stringValue ?? ""
            let decision = rule["decision"]?.stringValue ?? "allow"
            var matcher: String?
            var tool = GeminiToolMap.canonical(list: [toolName]).first ?? toolName
            if let prefix = rule["commandPrefix"]?.stringValue {
                matcher = prefix + ":*"
            } else if let regex = rule["commandRegex"]?.stringValue {
                var inner = Substring(regex)
                if inner.hasPrefix("^") { inner = inner.dropFirst() }
                if inner.hasSuffix("$") { inner = inner.dropLast() }
                matcher = RegexEscape.unwildcard(String(inner))
            } else if let args = rule["argsPattern"]?.stringValue {
                matcher = RegexEscape.unwildcard(args)
            }
            if toolName == "run_shell_command" { tool = "Bash" }
            let entry = matcher.map { "\(tool)(\($0))" } ?? tool
            // read_file + read_many_files pairs come from one canonical `Read` entry.
            let key = (decision, tool, matcher ?? "")
            if let previous, previous == key, tool == "Read" { continue }
            previous = key
            switch decision {
            case "deny": if !permissions.deny.contains(entry) { permissions.deny.append(entry) }
            case "ask_user": if !permissions.ask.contains(entry) { permissions.ask.append(entry) }
            default: if !permissions.allow.contains(entry) { permissions.allow.append(entry) }
            }
        }
        return permissions
    }
}
