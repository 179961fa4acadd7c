internal import AgentsMeshKit
public import SharedCore

/// Edits of the canonical settings files (`mcp.json`, `permissions.yaml`, `hooks.yaml`, `ignore`) with the
/// limits of §7.2; every write is atomic and a dry run returns the text it would write.
public enum SettingsEditor {
    static let mcpPath = CanonicalStore.folder + "/mcp.json"
    static let permissionsPath = CanonicalStore.folder + "/permissions.yaml"
    static let hooksPath = CanonicalStore.folder + "/hooks.yaml"
    static let ignorePath = CanonicalStore.folder + "/ignore"

    // MARK: MCP servers

    /// Adds server `name`; `ALREADY_EXISTS` when it is there.
    public static func addMcpServer(root: String, name: String, server: JSONObject, dryRun: Bool) throws(ToolError) -> Mutation {
        try McpServerRules.check(server, name: name)
        var (document, existed) = try mcpDocument(root)
        var servers = document["mcpServers"]?.objectValue ?? JSONObject()
        guard servers[name] == nil else { throw ToolError(ErrorCode.alreadyExists, "MCP server '\(name)' already exists") }
        servers[name] = .object(server)
        document["mcpServers"] = .object(servers)
        return try write(root, mcpPath, JSONEmitter.pretty(.object(document)) + "\n", existed ? .updated : .created, dryRun)
    }

    /// Replaces server `name`, or with `merge` sets only the given fields; `NOT_FOUND` when it is not there.
    public static func updateMcpServer(
        root: String, name: String, server: JSONObject, merge: Bool, dryRun: Bool
    ) throws(ToolError) -> Mutation {
        var (document, _) = try mcpDocument(root)
        var servers = document["mcpServers"]?.objectValue ?? JSONObject()
        guard var current = servers[name]?.objectValue else { throw ToolError(ErrorCode.notFound, "no MCP server named '\(name)'") }
        if merge {
            for (key, value) in server { current[key] = value }
        } else {
            current = server
        }
        try McpServerRules.check(current, name: name)
        servers[name] = .object(current)
        document["mcpServers"] = .object(servers)
        return try write(root, mcpPath, JSONEmitter.pretty(.object(document)) + "\n", .updated, dryRun)
    }

    /// Removes server `name`; `NOT_FOUND` when it is not there.
    public static func removeMcpServer(root: String, name: String, dryRun: Bool) throws(ToolError) -> Mutation {
        var (document, _) = try mcpDocument(root)
        var servers = document["mcpServers"]?.objectValue ?? JSONObject()
        guard servers[name] != nil else { throw ToolError(ErrorCode.notFound, "no MCP server named '\(name)'") }
        servers[name] = nil
        document["mcpServers"] = .object(servers)
        var mutation = try write(root, mcpPath, JSONEmitter.pretty(.object(document)) + "\n", .updated, dryRun)
        mutation.action = .deleted
        return mutation
    }

    /// `mcp.json` as an object (every top-level key kept) and whether the file exists.
    static func mcpDocument(_ root: String) throws(ToolError) -> (JSONObject, Bool) {
        guard let bytes = try FileSystem.readIfExists(root + "/" + mcpPath, displayPath: mcpPath) else { return (JSONObject(), false) }
        _ = try SettingsParsing.mcpServers(bytes, path: mcpPath)
        return (try JSONParser.parse(bytes: bytes, path: mcpPath).objectValue ?? JSONObject(), true)
    }

    // MARK: Permissions, hooks, ignore

    /// Sets the given lists (`replace`, the default) or adds their new entries (`append`); lists not given stay.
    public static func updatePermissions(
        root: String, allow: [String]?, deny: [String]?, ask: [String]?, append: Bool, dryRun: Bool
    ) throws(ToolError) -> (Mutation, Permissions) {
        for (key, list) in [("allow", allow), ("deny", deny), ("ask", ask)] {
            for entry in list ?? [] { try PermissionRules.check(entry, list: key) }
        }
        let bytes = try FileSystem.readIfExists(root + "/" + permissionsPath, displayPath: permissionsPath)
        var permissions =
            try bytes.flatMap { (bytes) throws(ToolError) in try SettingsParsing.permissions(bytes, path: permissionsPath) }
            ?? Permissions()
        func apply(_ current: [String], _ given: [String]?) -> [String] {
            guard let given else { return current }
            guard append else { return given }
            var out = current
            for entry in given where !out.contains(entry) { out.append(entry) }
            return out
        }
        permissions.allow = apply(permissions.allow, allow)
        permissions.deny = apply(permissions.deny, deny)
        permissions.ask = apply(permissions.ask, ask)
        let mutation = try write(
            root, permissionsPath, CanonicalWriter.permissions(permissions), bytes == nil ? .created : .updated, dryRun)
        return (mutation, permissions)
    }

    /// Replaces `hooks.yaml` with `hooks` (`{Event: [entry]}`, flat or nested entries).
    public static func updateHooks(root: String, hooks object: JSONObject, dryRun: Bool) throws(ToolError) -> Mutation {
        for (event, list) in object {
            let entries = list.arrayValue ?? []
            let nested = entries.contains { $0["hooks"] != nil }
            let limit = nested ? 50 : 100
            guard entries.count <= limit else {
                throw ToolError(ErrorCode.limitExceeded, "\(event) holds \(entries.count) entries; the limit is \(limit)")
            }
            for entry in entries {
                let inner = entry["hooks"]?.arrayValue ?? [entry]
                if let matcher = entry["matcher"]?.stringValue, matcher.contains("\n") || matcher.contains("\r") {
                    throw ToolError(ErrorCode.validationFailed, "\(event): a matcher cannot hold a line break")
                }
                for hook in inner where hook["command"]?.stringValue == nil && hook["prompt"]?.stringValue == nil {
                    throw ToolError(ErrorCode.validationFailed, "\(event): every hook entry needs a command or a prompt")
                }
            }
        }
        let hooks = try SettingsParsing.hooks(from: object, path: hooksPath)
        let existed = FileSystem.kind(root + "/" + hooksPath) != .missing
        return try write(root, hooksPath, CanonicalWriter.hooks(hooks), existed ? .updated : .created, dryRun)
    }

    /// Sets the ignore patterns (`replace`) or adds new ones (`append`), keeping the file's comments on append.
    public static func updateIgnore(root: String, patterns: [String], append: Bool, dryRun: Bool) throws(ToolError) -> Mutation {
        for pattern in patterns where pattern.contains("\n") || pattern.contains("\r") {
            throw ToolError(ErrorCode.validationFailed, "an ignore pattern cannot hold a line break")
        }
        let bytes = try FileSystem.readIfExists(root + "/" + ignorePath, displayPath: ignorePath)
        var text: String
        if append, let bytes {
            let current = SettingsParsing.ignore(bytes)?.patterns ?? []
            text = String(decoding: bytes, as: UTF8.self)
            for pattern in patterns where !current.contains(pattern) {
                if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
                text += pattern + "\n"
            }
        } else {
            text = patterns.joined(separator: "\n")
        }
        return try write(root, ignorePath, CanonicalWriter.ignore(IgnoreFile(text: text)), bytes == nil ? .created : .updated, dryRun)
    }

    static func write(_ root: String, _ path: String, _ text: String, _ action: Mutation.Action, _ dryRun: Bool) throws(ToolError)
        -> Mutation
    {
        try CanonicalEditor.commit(root: root, path: path, text, action: action, dryRun: dryRun)
    }
}

/// The checks of an MCP server definition (§7.2).
public enum McpServerRules {
    /// Characters a `command` may not hold: a shell would read them.
    static let shellCharacters = Set(";&|$`<>!\\\n\r")

    public static func check(_ server: JSONObject, name: String) throws(ToolError) {
        func invalid(_ message: String) -> ToolError {
            ToolError(
                ErrorCode.validationFailed, "MCP server '\(name)': \(message)",
                details: ["issues": [["path": .string(name), "message": .string(message)]]])
        }
        guard server["command"] != nil || server["url"] != nil else { throw invalid("needs a command or a url") }
        if let command = server["command"] {
            guard let text = command.stringValue, !text.isEmpty else { throw invalid("command must be a non-empty string") }
            if text.contains(where: { shellCharacters.contains($0) }) {
                throw invalid("command holds a shell metacharacter; put arguments in args")
            }
        }
        if let args = server["args"] {
            guard let list = args.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else { throw invalid("args must be strings") }
            guard list.count <= 100 else { throw ToolError(ErrorCode.limitExceeded, "MCP server '\(name)': more than 100 args") }
        }
        if let env = server["env"] {
            guard let object = env.objectValue else { throw invalid("env must be an object") }
            for (key, value) in object {
                guard key.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else { throw invalid("env key '\(key)' is not a variable name") }
                guard let text = value.stringValue else { throw invalid("env.\(key) must be a string") }
                guard text.count <= 8192 else {
                    throw ToolError(ErrorCode.limitExceeded, "MCP server '\(name)': env.\(key) is over 8,192 characters")
                }
            }
        }
        if let url = server["url"] {
            guard let text = url.stringValue, text.hasPrefix("https://") || text.hasPrefix("http://") else {
                throw invalid("url must be http:// or https://")
            }
        }
    }
}

/// The checks of a permission entry (§7.2): non-empty, `Tool` or `Tool(matcher)`, one line.
public enum PermissionRules {
    public static func check(_ entry: String, list: String) throws(ToolError) {
        let ok =
            !entry.isEmpty && !entry.contains("\n") && !entry.contains("\r") && entry.wholeMatch(of: /[A-Za-z0-9_:.*-]+(\(.*\))?/) != nil
        guard ok else {
            throw ToolError(
                ErrorCode.validationFailed, "\(list): '\(entry)' is not a permission (Tool or Tool(matcher))",
                details: ["issues": [["path": .string(list), "message": "not a permission entry"]]])
        }
    }
}

/// `update_config`: edits `targets`, `features` and `conversions` of `agentsmesh.yaml` in place — each
/// key's block is rewritten, every other line (comments included) stays as the user wrote it.
public enum ConfigEditor {
    /// The result: the project file's new mapping, and whether it was a dry run.
    public static func update(
        root: String, targets: [String]?, features: [String]?, conversions: JSONObject?, merge: Bool, dryRun: Bool
    ) throws(ToolError) -> JSONValue {
        let path = ConfigLoader.projectFile
        for id in targets ?? [] where !TargetID.isKnown(id) {
            throw ToolError(
                ErrorCode.validationFailed, "unknown target '\(id)'",
                details: ["issues": [["path": "targets", "message": .string("unknown target \(id)")]]])
        }
        guard let bytes = try FileSystem.readIfExists(root + "/" + path, displayPath: path) else {
            throw ToolError(ErrorCode.noProject, "no \(path) found")
        }
        var text = String(decoding: bytes, as: UTF8.self)
        var mapping = try ConfigLoader.parseMapping(bytes, path: path) ?? JSONObject()
        func union(_ current: JSONValue?, _ given: [String]) -> JSONValue {
            var out = current?.stringList ?? []
            for item in given where !out.contains(item) { out.append(item) }
            return .strings(out)
        }
        if let targets {
            mapping["targets"] = merge ? union(mapping["targets"], targets) : .strings(targets)
            text = replacingBlock("targets", in: text, with: mapping["targets"]!)
        }
        if let features {
            mapping["features"] = merge ? union(mapping["features"], features) : .strings(features)
            text = replacingBlock("features", in: text, with: mapping["features"]!)
        }
        if let conversions {
            var value = merge ? (mapping["conversions"]?.objectValue ?? JSONObject()) : JSONObject()
            for (key, member) in conversions { value[key] = member }
            mapping["conversions"] = .object(value)
            text = replacingBlock("conversions", in: text, with: .object(value))
        }
        _ = try ConfigLoader.parseMapping(Array(text.utf8), path: path)
        if !dryRun { try AtomicFile.write(text, to: try SafePath(root: root).resolve(path), displayPath: path) }
        return ["path": .string(path), "config": .object(mapping), "dryRun": .bool(dryRun)]
    }

    /// `text` with the top-level block of `key` replaced by `key: value` (appended when absent).
    static func replacingBlock(_ key: String, in text: String, with value: JSONValue) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var block = JSONObject()
        block[key] = value
        let replacement = YAMLEmitter.emit(block).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let start = lines.firstIndex(where: { $0.hasPrefix(key + ":") }) {
            var end = start + 1
            while end < lines.count, let first = lines[end].first, first == " " || first == "-" || first == "\t" { end += 1 }
            while end < lines.count, lines[end].isEmpty, end + 1 < lines.count, lines[end + 1].first == " " { end += 1 }
            lines.replaceSubrange(start..<end, with: replacement)
        } else {
            lines += replacement
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
