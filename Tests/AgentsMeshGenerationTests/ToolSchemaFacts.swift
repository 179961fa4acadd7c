import SharedCore

/// What the tools' own published settings schemas accept, stated as our own checks (issue 11, defect 12).
///
/// Facts read from Gemini CLI's `schemas/settings.schema.json` (google-gemini/gemini-cli, 2026-08) and
/// SchemaStore's `claude-code-settings.json` (2026-08); `.mcp.json` has no published schema, so the shapes
/// of Claude Code's MCP server types are used. Each function returns the problems found (empty = valid).
enum ToolSchemaFacts {
    // MARK: Gemini CLI `.gemini/settings.json`

    /// Gemini's root object admits only its declared keys.
    static let geminiTopLevel: Set<String> = [
        "$schema", "mcpServers", "policyPaths", "adminPolicyPaths", "general", "output", "ui", "ide", "privacy", "telemetry",
        "billing", "model", "modelConfigs", "agents", "context", "tools", "mcp", "useWriteTodos", "security", "advanced",
        "experimental", "extensions", "skills", "hooksConfig", "hooks", "contextManagement", "admin",
    ]
    /// A server admits only these fields; `disabled` is not one of them.
    static let geminiServerFields: Set<String> = [
        "command", "args", "env", "cwd", "url", "httpUrl", "headers", "tcp", "type", "timeout", "trust", "description",
        "includeTools", "excludeTools", "extension", "oauth", "authProviderType", "targetAudience", "targetServiceAccount",
    ]
    /// The eleven hook events Gemini runs (the schema lets other array-valued keys through; Gemini ignores them).
    static let geminiHookEvents: Set<String> = [
        "BeforeTool", "AfterTool", "BeforeAgent", "AfterAgent", "Notification", "SessionStart", "SessionEnd", "PreCompress",
        "BeforeModel", "AfterModel", "BeforeToolSelection",
    ]

    static func geminiSettings(_ settings: JSONObject) -> [String] {
        var problems: [String] = []
        for key in settings.keys where !geminiTopLevel.contains(key) { problems.append("unknown top-level key '\(key)'") }
        for (name, server) in settings["mcpServers"]?.objectValue ?? JSONObject() {
            guard let object = server.objectValue else {
                problems.append("server '\(name)' is not an object")
                continue
            }
            for key in object.keys where !geminiServerFields.contains(key) { problems.append("server '\(name)' has field '\(key)'") }
            if let type = object["type"], !["stdio", "sse", "http"].contains(type.stringValue ?? "") {
                problems.append("server '\(name)' has type \(type)")
            }
            switch object["timeout"] {
            case nil, .int?, .double?: break
            default: problems.append("server '\(name)' timeout is not a number")
            }
        }
        if let mcp = settings["mcp"] {
            for key in mcp.objectValue?.keys ?? [] where !["serverCommand", "allowed", "excluded"].contains(key) {
                problems.append("mcp has '\(key)'")
            }
            for key in ["allowed", "excluded"] where mcp[key] != nil && mcp[key]?.stringList == nil {
                problems.append("mcp.\(key) is not a list of strings")
            }
        }
        if let fileName = settings["context"]?["fileName"], fileName.stringValue == nil && fileName.stringList == nil {
            problems.append("context.fileName is neither a string nor a list of strings")
        }
        if let agents = settings["experimental"]?["enableAgents"], agents.boolValue == nil {
            problems.append("experimental.enableAgents is not a boolean")
        }
        for (event, list) in settings["hooks"]?.objectValue ?? JSONObject() {
            if !geminiHookEvents.contains(event) { problems.append("hook event '\(event)' is not one Gemini runs") }
            guard let entries = list.arrayValue else {
                problems.append("hooks.\(event) is not an array")
                continue
            }
            for entry in entries {
                guard let object = entry.objectValue else {
                    problems.append("hooks.\(event) entry is not an object")
                    continue
                }
                if let matcher = object["matcher"], matcher.stringValue == nil { problems.append("hooks.\(event) matcher is not a string") }
                for hook in object["hooks"]?.arrayValue ?? [] {
                    if let timeout = hook["timeout"], timeout.intValue == nil { problems.append("hooks.\(event) timeout is not a number") }
                    if hook["type"]?.stringValue != "command" { problems.append("hooks.\(event) hook type is not command") }
                    if (hook["command"]?.stringValue ?? "").isEmpty { problems.append("hooks.\(event) hook has no command") }
                }
            }
        }
        return problems
    }

    // MARK: Claude Code `.claude/settings.json`

    /// The hook events Claude Code's settings schema lists; any other key under `hooks` is invalid.
    static let claudeHookEvents: Set<String> = [
        "PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "Notification", "UserPromptSubmit", "Stop",
        "StopFailure", "SubagentStart", "SubagentStop", "PreCompact", "PostCompact", "Elicitation", "ElicitationResult",
        "TeammateIdle", "TaskCompleted", "Setup", "InstructionsLoaded", "CwdChanged", "FileChanged", "ConfigChange",
        "WorktreeCreate", "WorktreeRemove", "SessionStart", "SessionEnd", "PostToolBatch", "TaskCreated", "PermissionDenied",
        "UserPromptExpansion", "MessageDisplay", "DirectoryAdded",
    ]
    /// Tools a permission rule may name (or any `mcp__…` tool).
    static let claudePermissionTools: Set<String> = [
        "Agent", "Artifact", "Bash", "Cd", "Edit", "EnterWorktree", "ExitPlanMode", "Glob", "Grep", "KillShell", "LSP", "Monitor",
        "MultiEdit", "NotebookEdit", "PowerShell", "Read", "ShareOnboardingGuide", "Skill", "TaskCreate", "TaskGet", "TaskList",
        "TaskOutput", "TaskStop", "TaskUpdate", "TodoWrite", "ToolSearch", "WebFetch", "WebSearch", "Workflow", "Write",
    ]

    static func claudePermission(_ rule: String) -> Bool {
        if rule.hasPrefix("mcp__") { return true }
        guard let open = rule.firstIndex(of: "(") else { return claudePermissionTools.contains(rule) }
        let inner = rule[rule.index(after: open)...].dropLast()
        return claudePermissionTools.contains(String(rule[..<open])) && rule.hasSuffix(")") && !inner.isEmpty && !inner.contains(")")
    }

    static func claudeSettings(_ settings: JSONObject) -> [String] {
        var problems: [String] = []
        if let permissions = settings["permissions"]?.objectValue {
            let allowed: Set<String> = [
                "allow", "deny", "ask", "defaultMode", "disableBypassPermissionsMode", "disableAutoMode", "additionalDirectories",
            ]
            for key in permissions.keys where !allowed.contains(key) { problems.append("permissions has '\(key)'") }
            for key in ["allow", "deny", "ask"] {
                guard let list = permissions[key] else { continue }
                guard let rules = list.stringList else {
                    problems.append("permissions.\(key) is not a list of strings")
                    continue
                }
                if Set(rules).count != rules.count { problems.append("permissions.\(key) repeats a rule") }
                for rule in rules where !claudePermission(rule) { problems.append("permissions.\(key) rule '\(rule)' is not a valid rule") }
            }
        }
        for key in ["enabledMcpjsonServers", "disabledMcpjsonServers"] where settings[key] != nil {
            if settings[key]?.stringList?.allSatisfy({ !$0.isEmpty }) != true { problems.append("\(key) is not a list of names") }
        }
        for (event, list) in settings["hooks"]?.objectValue ?? JSONObject() {
            if !claudeHookEvents.contains(event) { problems.append("hook event '\(event)' is not allowed") }
            for entry in list.arrayValue ?? [] {
                guard let object = entry.objectValue, let hooks = object["hooks"]?.arrayValue else {
                    problems.append("hooks.\(event) entry has no hooks list")
                    continue
                }
                for key in object.keys where !["matcher", "hooks"].contains(key) { problems.append("hooks.\(event) entry has '\(key)'") }
                for hook in hooks {
                    guard let type = hook["type"]?.stringValue, ["command", "prompt", "agent", "http", "mcp_tool"].contains(type) else {
                        problems.append("hooks.\(event) hook has no valid type")
                        continue
                    }
                    if type == "command", (hook["command"]?.stringValue ?? "").isEmpty {
                        problems.append("hooks.\(event) command hook without command")
                    }
                    if type == "prompt", (hook["prompt"]?.stringValue ?? "").isEmpty {
                        problems.append("hooks.\(event) prompt hook without prompt")
                    }
                    if let timeout = hook["timeout"], (timeout.intValue ?? 0) <= 0 {
                        problems.append("hooks.\(event) timeout is not positive")
                    }
                }
            }
        }
        return problems
    }

    // MARK: Claude Code `.mcp.json`

    static func claudeMcp(_ file: JSONObject) -> [String] {
        var problems: [String] = []
        for (name, server) in file["mcpServers"]?.objectValue ?? JSONObject() {
            guard let object = server.objectValue else {
                problems.append("server '\(name)' is not an object")
                continue
            }
            let type = object["type"]?.stringValue
            switch type {
            case "stdio"?, nil:
                if object["command"]?.stringValue == nil {
                    problems.append("stdio server '\(name)' has no command (a url-only server needs a type)")
                }
            case "sse"?, "http"?:
                if object["url"]?.stringValue == nil { problems.append("\(type ?? "") server '\(name)' has no url") }
            default:
                problems.append("server '\(name)' has type '\(type ?? "")'")
            }
            if object["disabled"] != nil { problems.append("server '\(name)' carries 'disabled'") }
        }
        return problems
    }

    /// Every problem of every settings and MCP file under `root` that these facts cover.
    static func problems(root: String) throws -> [String] {
        var out: [String] = []
        func check(_ path: String, _ validate: (JSONObject) -> [String]) throws {
            guard let bytes = try FileSystem.readIfExists(root + "/" + path, displayPath: path) else { return }
            guard let object = try JSONParser.parse(bytes: bytes).objectValue else {
                out.append("\(path): not an object")
                return
            }
            out += validate(object).map { "\(path): \($0)" }
        }
        try check(".gemini/settings.json", geminiSettings)
        try check(".claude/settings.json", claudeSettings)
        try check(".mcp.json", claudeMcp)
        return out
    }
}
