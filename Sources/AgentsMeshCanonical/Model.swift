internal import AgentsMeshKit
internal import Foundation
public import SharedCore

/// A rule file (`rules/**/*.md`); `_root.md` is the root rule.
public struct Rule: Equatable, Sendable {
    /// Basename without `.md`.
    public var name: String
    /// Path relative to `.agentsmesh/`, e.g. `rules/src.md`.
    public var path: String
    public var isRoot: Bool
    public var description: String
    public var targets: [String]
    public var globs: [String]
    public var trigger: String?
    public var frontmatter: JSONObject
    public var body: String

    public init(
        name: String, path: String, isRoot: Bool = false, description: String = "", targets: [String] = [],
        globs: [String] = [], trigger: String? = nil, frontmatter: JSONObject = JSONObject(), body: String
    ) {
        self.name = name
        self.path = path
        self.isRoot = isRoot
        self.description = description
        self.targets = targets
        self.globs = globs
        self.trigger = trigger
        self.frontmatter = frontmatter
        self.body = body
    }

    /// Whether the rule applies to a target (empty `targets` = all).
    public func applies(to target: String) -> Bool { targets.isEmpty || targets.contains(target) }
}

/// A slash command (`commands/**/*.md`); sub-folders become `:` namespaces.
public struct Command: Equatable, Sendable {
    /// `git:commit` for `commands/git/commit.md`.
    public var name: String
    public var path: String
    public var description: String
    public var allowedTools: [String]
    public var frontmatter: JSONObject
    public var body: String

    public init(
        name: String, path: String, description: String = "", allowedTools: [String] = [],
        frontmatter: JSONObject = JSONObject(), body: String
    ) {
        self.name = name
        self.path = path
        self.description = description
        self.allowedTools = allowedTools
        self.frontmatter = frontmatter
        self.body = body
    }

    /// The `a/b` form of the name used in output paths.
    public var slashPath: String { name.replacingOccurrences(of: ":", with: "/") }
}

/// A sub-agent (`agents/**/*.md`).
public struct Agent: Equatable, Sendable {
    public var name: String
    public var path: String
    public var description: String
    public var tools: [String]
    public var disallowedTools: [String]
    public var model: String
    public var permissionMode: String
    public var memory: String
    public var maxTurns: Int
    public var mcpServers: [String]
    public var skills: [String]
    /// Event → flat hook entries, active while the agent runs.
    public var hooks: [(event: String, entries: [HookEntry])]
    public var frontmatter: JSONObject
    public var body: String

    public init(
        name: String, path: String, description: String = "", tools: [String] = [], disallowedTools: [String] = [],
        model: String = "", permissionMode: String = "", memory: String = "", maxTurns: Int = 0,
        mcpServers: [String] = [], skills: [String] = [], hooks: [(event: String, entries: [HookEntry])] = [],
        frontmatter: JSONObject = JSONObject(), body: String
    ) {
        self.name = name
        self.path = path
        self.description = description
        self.tools = tools
        self.disallowedTools = disallowedTools
        self.model = model
        self.permissionMode = permissionMode
        self.memory = memory
        self.maxTurns = maxTurns
        self.mcpServers = mcpServers
        self.skills = skills
        self.hooks = hooks
        self.frontmatter = frontmatter
        self.body = body
    }

    public static func == (lhs: Agent, rhs: Agent) -> Bool {
        lhs.name == rhs.name && lhs.path == rhs.path && lhs.description == rhs.description && lhs.tools == rhs.tools
            && lhs.disallowedTools == rhs.disallowedTools && lhs.model == rhs.model
            && lhs.permissionMode == rhs.permissionMode && lhs.memory == rhs.memory && lhs.maxTurns == rhs.maxTurns
            && lhs.mcpServers == rhs.mcpServers && lhs.skills == rhs.skills
            && lhs.hooks.map(\.event) == rhs.hooks.map(\.event) && lhs.hooks.map(\.entries) == rhs.hooks.map(\.entries)
            && lhs.body == rhs.body
    }
}

/// One supporting file of a skill, kept as raw bytes.
public struct SkillFile: Equatable, Sendable {
    /// Path relative to the skill folder, e.g. `references/a.md`.
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// A skill folder (`skills/<name>/SKILL.md` + supporting files).
public struct Skill: Equatable, Sendable {
    public var name: String
    public var description: String
    public var frontmatter: JSONObject
    public var body: String
    public var files: [SkillFile]

    public init(
        name: String, description: String = "", frontmatter: JSONObject = JSONObject(), body: String,
        files: [SkillFile] = []
    ) {
        self.name = name
        self.description = description
        self.frontmatter = frontmatter
        self.body = body
        self.files = files
    }

    public var path: String { "skills/\(name)/SKILL.md" }
}

/// One flat hook entry (§2.8).
public struct HookEntry: Equatable, Sendable {
    public var matcher: String?
    public var type: String
    public var command: String?
    public var prompt: String?
    public var timeout: Int?
    /// Keys of a native hook that agentsmesh does not interpret (`url`, `headers`, `name`, …): carried
    /// through import and generate in their order, never dropped.
    public var extra: JSONObject

    public init(
        matcher: String? = nil, type: String = "command", command: String? = nil, prompt: String? = nil, timeout: Int? = nil,
        extra: JSONObject = JSONObject()
    ) {
        self.matcher = matcher
        self.type = type
        self.command = command
        self.prompt = prompt
        self.timeout = timeout
        self.extra = extra
    }

    /// The keys a flat or nested hook entry may hold that are read into the typed fields.
    public static let knownKeys: Set<String> = ["matcher", "type", "command", "prompt", "timeout", "hooks"]

    /// An entry from a native or canonical hook object; keys outside `knownKeys` land in `extra`.
    public init(_ object: JSONObject, matcher: String?, timeoutScale: Int = 1) {
        let command = object["command"]?.stringValue
        let prompt = object["prompt"]?.stringValue
        var extra = JSONObject()
        for (key, value) in object where !Self.knownKeys.contains(key) { extra[key] = value }
        var timeout = object["timeout"]?.intValue
        if let t = timeout, timeoutScale > 1 {
            // Canonical timeouts are whole seconds: a native one in between is rounded up, never shortened.
            timeout = (t + timeoutScale - 1) / timeoutScale
        }
        self.init(
            matcher: (matcher?.isEmpty ?? true) ? nil : matcher,
            type: object["type"]?.stringValue ?? (prompt != nil && command == nil ? "prompt" : "command"),
            command: command, prompt: prompt, timeout: timeout, extra: extra)
    }

    /// The identity used for de-duplication: (type, matcher, command/prompt).
    public var identity: String {
        // Keys agentsmesh does not interpret (an `http` hook's `url`) tell entries apart too.
        let rest = extra.isEmpty ? "" : "\u{0}" + JSONEmitter.compact(.object(extra))
        return "\(type)\u{0}\(matcher ?? "")\u{0}\(command ?? prompt ?? "")" + rest
    }

    /// Flat JSON form, key order `matcher, type, command, prompt, timeout`.
    public var json: JSONValue {
        var object = JSONObject()
        if let matcher { object["matcher"] = .string(matcher) }
        object["type"] = .string(type)
        if let command { object["command"] = .string(command) }
        if let prompt { object["prompt"] = .string(prompt) }
        if let timeout { object["timeout"] = .int(timeout) }
        for (key, value) in extra where object[key] == nil { object[key] = value }
        return .object(object)
    }
}

/// Canonical hook events of phase 1, in spec order.
public enum HookEvent {
    public static let all = [
        "PreToolUse", "PostToolUse", "PostToolUseFailure", "Notification", "UserPromptSubmit", "SubagentStart",
        "SubagentStop", "Stop", "SessionStart", "SessionEnd", "PreCompact",
    ]

    /// A target-specific event key `<target>:<NativeEvent>` (e.g. `claude-code:PermissionRequest`): a native
    /// event with no canonical counterpart, or native entries the other tools cannot run. It is generated
    /// for that target only, under the native name, with its matcher and keys as written.
    public static func targetSpecific(_ key: String) -> (target: String, event: String)? {
        guard let colon = key.firstIndex(of: ":") else { return nil }
        let target = String(key[..<colon])
        let event = String(key[key.index(after: colon)...])
        guard TargetID.firstClass.contains(target), !event.isEmpty, !event.contains(":") else { return nil }
        return (target, event)
    }

    /// Whether `hooks.yaml` may hold this key (a canonical event or a target-specific one).
    public static func isKnown(_ key: String) -> Bool { all.contains(key) || targetSpecific(key) != nil }
}

/// `hooks.yaml`: ordered events, each a list of flat entries.
public struct Hooks: Equatable, Sendable {
    public var events: [(event: String, entries: [HookEntry])]

    public init(events: [(event: String, entries: [HookEntry])] = []) { self.events = events }

    public static func == (lhs: Hooks, rhs: Hooks) -> Bool {
        lhs.events.map(\.event) == rhs.events.map(\.event) && lhs.events.map(\.entries) == rhs.events.map(\.entries)
    }

    public func entries(for event: String) -> [HookEntry] { events.first { $0.event == event }?.entries ?? [] }

    /// Appends entries under an event, creating it at the end when new.
    public mutating func append(_ newEntries: [HookEntry], to event: String) {
        if let index = events.firstIndex(where: { $0.event == event }) {
            events[index].entries += newEntries
        } else {
            events.append((event, newEntries))
        }
    }

    /// Whether this file says anything about a target's hooks: it is explicitly empty (clear them), or it holds
    /// a canonical event or one of the target's own. A file holding only other tools' own events leaves the
    /// target's hooks as they are (as a missing file does, §2.9).
    public func concerns(_ target: String) -> Bool {
        events.isEmpty || events.contains { HookEvent.targetSpecific($0.event).map { $0.target == target } ?? true }
    }

    /// Flat JSON form `{Event: [entry]}`.
    public var json: JSONValue {
        var object = JSONObject()
        for (event, entries) in events { object[event] = .array(entries.map(\.json)) }
        return .object(object)
    }
}

/// `permissions.yaml`.
public struct Permissions: Equatable, Sendable {
    public var allow: [String]
    public var deny: [String]
    public var ask: [String]

    public init(allow: [String] = [], deny: [String] = [], ask: [String] = []) {
        self.allow = allow
        self.deny = deny
        self.ask = ask
    }

    public var isEmpty: Bool { allow.isEmpty && deny.isEmpty && ask.isEmpty }
}

/// `ignore`: the raw text plus its patterns.
public struct IgnoreFile: Equatable, Sendable {
    public var text: String

    public init(text: String) { self.text = text }

    /// Non-blank, non-comment lines.
    public var patterns: [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmedWhitespace() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}

/// A non-fatal load finding.
public struct Diagnostic: Equatable, Sendable {
    public var code: String
    public var message: String
    public var path: String?
    public var target: String?

    public init(code: String, message: String, path: String? = nil, target: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.target = target
    }

    /// The `{code, message, path?, target?}` warning object of the JSON envelopes.
    public var json: JSONValue {
        var object = JSONObject()
        object["code"] = .string(code)
        object["message"] = .string(message)
        if let path { object["path"] = .string(path) }
        if let target { object["target"] = .string(target) }
        return .object(object)
    }
}

/// The whole canonical tree after load and merge.
public struct CanonicalProject: Equatable, Sendable {
    public var rules: [Rule] = []
    public var commands: [Command] = []
    public var agents: [Agent] = []
    public var skills: [Skill] = []
    /// `nil` = `mcp.json` missing; otherwise name → server object in file order.
    public var mcpServers: JSONObject?
    public var permissions: Permissions?
    public var hooks: Hooks?
    /// Events in `hooks.yaml` outside the phase-1 list (lint error, skipped by generate).
    public var unknownHookEvents: [String] = []
    public var ignore: IgnoreFile?
    /// Every existing canonical file and folder path relative to `.agentsmesh/` (for link rebasing).
    public var knownPaths: Set<String> = []

    public init() {}

    public var root: Rule? { rules.first { $0.isRoot } }
    public var additionalRules: [Rule] { rules.filter { !$0.isRoot } }
}
