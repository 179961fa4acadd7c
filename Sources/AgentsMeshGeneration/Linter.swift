internal import AgentsMeshCanonical
internal import AgentsMeshKit
internal import AgentsMeshLessons
internal import AgentsMeshProjectors
internal import Foundation
public import SharedCore

/// One lint finding (§4.6).
public struct LintDiagnostic: Sendable, Equatable {
    public var severity: String
    public var code: String
    public var message: String
    public var path: String?
    public var target: String?

    public var json: JSONValue {
        var object = JSONObject()
        object["severity"] = .string(severity)
        object["code"] = .string(code)
        object["message"] = .string(message)
        if let path { object["path"] = .string(path) }
        if let target { object["target"] = .string(target) }
        return .object(object)
    }
}

/// `lint` (§4.6): validation beyond what load rejects.
public enum Linter {
    /// The project-relative script a hook command runs, when it names one: the first word, unquoted, with the
    /// tools' project-folder variables (`$CLAUDE_PROJECT_DIR`, `${GEMINI_PROJECT_DIR}`, …) read as the project
    /// root. Nil for a command on `PATH`, an absolute path or any other variable.
    static func hookScript(_ command: String) -> String? {
        guard let first = command.split(separator: " ").first else { return nil }
        var word = String(first).replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "'", with: "")
        for variable in ["CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "CURSOR_PROJECT_DIR"] {
            for form in ["${\(variable)}", "$\(variable)"] where word.hasPrefix(form) {
                word = "." + word.dropFirst(form.count)
            }
        }
        guard !word.hasPrefix("/"), !word.hasPrefix("$"), word.contains("/") else { return nil }
        return word
    }

    public static func lint(root: String, targets requested: [String]?) throws(ToolError) -> [LintDiagnostic] {
        let config = try ConfigLoader.load(root: root)
        let loaded = try CanonicalStore.load(root: root)
        let project = loaded.project
        var out: [LintDiagnostic] = []
        func error(_ code: String, _ message: String, path: String? = nil, target: String? = nil) {
            out.append(LintDiagnostic(severity: "error", code: code, message: message, path: path, target: target))
        }
        func warning(_ code: String, _ message: String, path: String? = nil, target: String? = nil) {
            out.append(LintDiagnostic(severity: "warning", code: code, message: message, path: path, target: target))
        }
        func info(_ code: String, _ message: String, path: String? = nil, target: String? = nil) {
            out.append(LintDiagnostic(severity: "info", code: code, message: message, path: path, target: target))
        }
        let runTargets = Planner.runTargets(config: config, requested: requested)
        for target in config.targets where !TargetID.isKnown(target) {
            error("unknown-target", "agentsmesh.yaml lists unknown target '\(target)'", path: "agentsmesh.yaml")
        }
        for target in runTargets where TargetID.planned.contains(target) {
            out.append(
                LintDiagnostic(
                    severity: "info", code: "target-not-implemented", message: "target '\(target)' is planned; generate skips it",
                    target: target))
        }
        for (target, value) in config.overridesRaw {
            for (key, _) in value.objectValue ?? JSONObject() where key != "features" {
                out.append(
                    LintDiagnostic(
                        severity: "info", code: "override-key-ignored", message: "overrides.\(target).\(key) has no effect in this version",
                        path: "agentsmesh.yaml"))
            }
        }
        let rulesEnabled = config.features.contains(.rules)
        if rulesEnabled {
            if let rootRule = project.root {
                if rootRule.frontmatter["root"]?.boolValue != true {
                    error("root-flag-missing", "rules/_root.md needs `root: true` in its frontmatter", path: ".agentsmesh/rules/_root.md")
                }
            } else {
                error("root-missing", "rules/_root.md is missing", path: ".agentsmesh/rules/_root.md")
            }
        }
        let enabledIds = Set(config.targets)
        for rule in project.rules {
            let path = ".agentsmesh/" + rule.path
            for target in rule.targets where !TargetID.isKnown(target) {
                error("unknown-target", "rule '\(rule.name)' targets unknown '\(target)'", path: path)
            }
            if !rule.targets.isEmpty, rule.targets.allSatisfy({ !enabledIds.contains($0) }) {
                warning(
                    "rule-scope-inversion",
                    "rule '\(rule.name)' only targets tools that are not enabled (\(rule.targets.joined(separator: ", ")))", path: path)
            }
            for glob in rule.globs {
                if let problem = GlobCheck.problem(glob) {
                    error("invalid-glob", "rule '\(rule.name)' glob '\(glob)': \(problem)", path: path)
                }
            }
            if let trigger = rule.trigger, !["always_on", "model_decision", "glob", "manual"].contains(trigger) {
                error(
                    "cursor-trigger-invalid", "rule '\(rule.name)' trigger '\(trigger)' is not always_on, model_decision, glob or manual",
                    path: path)
            }
        }
        for agent in project.agents where agent.description.trimmedWhitespace().isEmpty {
            error("agent-description-missing", "agent '\(agent.name)' needs a description", path: ".agentsmesh/" + agent.path)
        }
        for skill in project.skills {
            if let declared = skill.frontmatter["name"]?.stringValue, declared != skill.name {
                warning(
                    "skill-name-mismatch", "skills/\(skill.name)/SKILL.md declares name '\(declared)'; the folder name wins",
                    path: ".agentsmesh/" + skill.path)
            }
        }
        for (name, server) in project.mcpServers ?? JSONObject() {
            for problem in McpCheck.problems(server) {
                error("mcp-invalid", "MCP server '\(name)': \(problem)", path: ".agentsmesh/mcp.json")
            }
        }
        for event in project.unknownHookEvents {
            error("hook-invalid", "unknown hook event '\(event)'", path: ".agentsmesh/hooks.yaml")
        }
        for (event, entries) in project.hooks?.events ?? [] {
            if let own = HookEvent.targetSpecific(event) {
                info(
                    "hook-target-specific",
                    "hooks.yaml '\(event)' is generated for \(own.target) only (the other tools have no such event or cannot run these hooks)",
                    path: ".agentsmesh/hooks.yaml")
            }
            for entry in entries {
                if HookEvent.targetSpecific(event) != nil {
                    if let matcher = entry.matcher, matcher.contains("\n") || matcher.contains("\r") {
                        error("hook-invalid", "\(event): matcher contains a line break", path: ".agentsmesh/hooks.yaml")
                    }
                    if let command = entry.command, let script = hookScript(command), !FileSystem.exists(root + "/" + script) {
                        warning(
                            "hook-script-references", "\(event): hook runs '\(script)', which does not exist",
                            path: ".agentsmesh/hooks.yaml")
                    }
                    continue
                }
                if !["command", "prompt"].contains(entry.type) {
                    error("hook-invalid", "\(event): type must be command or prompt, not '\(entry.type)'", path: ".agentsmesh/hooks.yaml")
                }
                if let matcher = entry.matcher, matcher.contains("\n") || matcher.contains("\r") {
                    error("hook-invalid", "\(event): matcher contains a line break", path: ".agentsmesh/hooks.yaml")
                }
                if entry.type == "command", (entry.command ?? "").trimmedWhitespace().isEmpty {
                    error("hook-invalid", "\(event): command hook without a command", path: ".agentsmesh/hooks.yaml")
                }
                if entry.type == "prompt", (entry.prompt ?? "").trimmedWhitespace().isEmpty {
                    error("hook-invalid", "\(event): prompt hook without a prompt", path: ".agentsmesh/hooks.yaml")
                }
                if let timeout = entry.timeout, timeout <= 0 {
                    error("hook-invalid", "\(event): timeout must be a positive number of seconds", path: ".agentsmesh/hooks.yaml")
                }
                if let command = entry.command, let script = hookScript(command), !FileSystem.exists(root + "/" + script) {
                    warning(
                        "hook-script-references", "\(event): hook runs '\(script)', which does not exist", path: ".agentsmesh/hooks.yaml")
                }
            }
        }
        if let permissions = project.permissions {
            for entry in permissions.allow + permissions.deny + permissions.ask where !PermissionCheck.isValid(entry) {
                error(
                    "permission-invalid", "permission entry '\(entry)' is not `Tool` or `Tool(matcher)`",
                    path: ".agentsmesh/permissions.yaml")
            }
            if runTargets.contains(TargetID.geminiCLI), config.features(for: TargetID.geminiCLI).contains(.permissions),
                !permissions.isEmpty
            {
                warning(
                    "gemini-project-permissions",
                    "Gemini CLI honours project-scope permissions only partially (policies file); prefer global scope",
                    path: ".agentsmesh/permissions.yaml", target: TargetID.geminiCLI)
            }
        }
        for projector in runTargets.compactMap({ Targets.projector($0) }) {
            let context = ProjectionContext(config: config, features: config.features(for: projector.id), projectRoot: root)
            for diagnostic in projector.project(project, context: context).warnings where diagnostic.code == "SILENT_DROP" {
                warning("silent-drop-guard", diagnostic.message, path: diagnostic.path, target: projector.id)
            }
        }
        // What the tools' own files hold that `init` / `import` could not carry into .agentsmesh/.
        for projector in runTargets.compactMap({ Targets.projector($0) }) {
            if let native = try? Importer.collect(root: root, from: projector.id, features: nil, reportFailures: false) {
                for diagnostic in native.warnings where ["IMPORT_SKIPPED", "PLACEHOLDER_LITERAL"].contains(diagnostic.code) {
                    warning("import-incomplete", diagnostic.message, path: diagnostic.path, target: projector.id)
                }
                for failure in native.failures {
                    warning("import-incomplete", "\(failure.message) (not imported)", target: projector.id)
                }
            }
            for folder in projector.managedFolders {
                for rel in FileSystem.walkFiles(root + "/" + folder) where !Targets.mayGenerate(rel, in: folder) && !rel.hasSuffix(".tmp") {
                    warning(
                        "import-incomplete",
                        "\(folder)/\(rel) is not a file agentsmesh reads or writes there; it was not imported and stays as it is",
                        path: folder + "/" + rel, target: projector.id)
                }
            }
        }
        if LessonsService.graphExists(root: root) {
            for diagnostic in LessonsService.validate(root: root).diagnostics where diagnostic.severity == .error {
                let path = diagnostic.path.map { $0.hasPrefix(".agentsmesh/") ? $0 : LessonsFiles.graph + "#" + $0 }
                error(diagnostic.code, diagnostic.message, path: path)
            }
        }
        return out
    }

    public static func json(_ diagnostics: [LintDiagnostic]) -> JSONValue {
        [
            "diagnostics": .array(diagnostics.map(\.json)),
            "errorCount": .int(diagnostics.filter { $0.severity == "error" }.count),
            "warningCount": .int(diagnostics.filter { $0.severity == "warning" }.count),
        ]
    }
}

/// Glob validity for lint: non-empty, relative, no `..`, balanced brackets.
enum GlobCheck {
    static func problem(_ glob: String) -> String? {
        let body = glob.hasPrefix("!") ? String(glob.dropFirst()) : glob
        if body.trimmedWhitespace().isEmpty { return "empty pattern" }
        if body.hasPrefix("/") { return "absolute pattern" }
        if body.split(separator: "/").contains("..") { return "contains '..'" }
        var square = 0
        var brace = 0
        var escaped = false
        for ch in body {
            if escaped {
                escaped = false
                continue
            }
            switch ch {
            case "\\": escaped = true
            case "[": square += 1
            case "]": if square > 0 { square -= 1 }
            case "{": brace += 1
            case "}": brace -= 1
            default: break
            }
            if brace < 0 { return "unbalanced '}'" }
        }
        if square != 0 { return "unbalanced '['" }
        if brace != 0 { return "unbalanced '{'" }
        return nil
    }
}

/// MCP server validation shared by lint and the MCP tools.
public enum McpCheck {
    public static func problems(_ server: JSONValue) -> [String] {
        guard let object = server.objectValue else { return ["must be an object"] }
        var problems: [String] = []
        let type = object["type"]?.stringValue ?? (object["command"] != nil ? "stdio" : "http")
        if !["stdio", "sse", "http", "streamable-http"].contains(type) { problems.append("unknown type '\(type)'") }
        if type == "stdio", (object["command"]?.stringValue ?? "").isEmpty { problems.append("stdio servers need `command`") }
        if ["sse", "http", "streamable-http"].contains(type) {
            if let url = object["url"]?.stringValue {
                if !(url.hasPrefix("http://") || url.hasPrefix("https://")) { problems.append("url must be http or https") }
            } else {
                problems.append("\(type) servers need `url`")
            }
        }
        if let args = object["args"] {
            if let list = args.arrayValue {
                if list.count > 100 { problems.append("more than 100 args") }
                if !list.allSatisfy({ $0.stringValue != nil }) { problems.append("args must be strings") }
            } else {
                problems.append("args must be a list")
            }
        }
        for (key, value) in object["env"]?.objectValue ?? JSONObject() {
            if !isEnvKey(key) { problems.append("bad env key '\(key)'") }
            if value.stringValue == nil { problems.append("env '\(key)' must be a string") }
        }
        return problems
    }

    static func isEnvKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

/// `Tool` / `Tool(matcher)` validity.
public enum PermissionCheck {
    public static func isValid(_ entry: String) -> Bool {
        guard !entry.isEmpty, !entry.contains("\n"), !entry.contains("\r") else { return false }
        let (tool, matcher) = PermissionEntry.split(entry)
        if matcher == nil, entry.contains("(") || entry.contains(")") { return false }
        return McpCheck.isEnvKey(tool)
    }
}
