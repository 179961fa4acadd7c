internal import AgentsMeshKit
public import SharedCore

/// Parsers for the settings files (`mcp.json`, `permissions.yaml`, `hooks.yaml`, `ignore`).
public enum SettingsParsing {
    /// Parses `mcp.json`; `path` names the file in errors.
    public static func mcpServers(_ bytes: [UInt8], path: String) throws(ToolError) -> JSONObject {
        let value = try JSONParser.parse(bytes: bytes, path: path)
        guard let object = value.objectValue else {
            throw ToolError.syntax(path: path, line: 1, column: 1, message: "expected a JSON object")
        }
        guard let servers = object["mcpServers"] else { return JSONObject() }
        guard let map = servers.objectValue else {
            throw ToolError.syntax(path: path, line: nil, column: nil, message: "`mcpServers` must be an object")
        }
        for (name, server) in map where server.objectValue == nil {
            throw ToolError.syntax(path: path, line: nil, column: nil, message: "server '\(name)' must be an object")
        }
        return map
    }

    /// Parses `permissions.yaml`; `nil` when zero-byte or comment-only (counts as missing).
    public static func permissions(_ bytes: [UInt8], path: String) throws(ToolError) -> Permissions? {
        guard let object = try ConfigLoader.parseMapping(bytes, path: path) else {
            let text = String(decoding: bytes, as: UTF8.self)
            if text.trimmedWhitespace() == "{}" { return Permissions() }
            return nil
        }
        var result = Permissions()
        for key in ["allow", "deny", "ask"] {
            guard let value = object[key], !value.isNull else { continue }
            guard let list = value.stringList else {
                throw ToolError.syntax(path: path, line: nil, column: nil, message: "`\(key)` must be a list of strings")
            }
            switch key {
            case "allow": result.allow = list
            case "deny": result.deny = list
            default: result.ask = list
            }
        }
        return result
    }

    /// Parses `hooks.yaml` into flat entries; nested `{matcher, hooks: [...]}` entries are flattened.
    /// Returns `nil` when zero-byte or comment-only.
    public static func hooks(_ bytes: [UInt8], path: String) throws(ToolError) -> Hooks? {
        let text = String(decoding: bytes, as: UTF8.self)
        let value = try YAML.parse(text, path: path)
        switch value {
        case nil, .null?: return nil
        case .object(let object)?: return try hooks(from: object, path: path)
        default: throw ToolError.syntax(path: path, line: 1, column: 1, message: "expected a mapping of events")
        }
    }

    /// Converts a `{Event: [entry]}` object (flat or nested entries) to `Hooks`.
    public static func hooks(from object: JSONObject, path: String) throws(ToolError) -> Hooks {
        var hooks = Hooks()
        for (event, list) in object {
            if list.isNull {
                hooks.events.append((event, []))
                continue
            }
            guard let items = list.arrayValue else {
                throw ToolError.syntax(path: path, line: nil, column: nil, message: "`\(event)` must be a list of hook entries")
            }
            var entries: [HookEntry] = []
            for item in items {
                guard let entry = item.objectValue else {
                    throw ToolError.syntax(path: path, line: nil, column: nil, message: "`\(event)` entries must be mappings")
                }
                let matcher = entry["matcher"]?.stringValue
                if let inner = entry["hooks"]?.arrayValue {
                    for hook in inner {
                        guard let h = hook.objectValue else { continue }
                        entries.append(flatEntry(h, matcher: matcher))
                    }
                } else {
                    entries.append(flatEntry(entry, matcher: matcher))
                }
            }
            hooks.events.append((event, entries))
        }
        return hooks
    }

    private static func flatEntry(_ object: JSONObject, matcher: String?) -> HookEntry {
        HookEntry(object, matcher: matcher)
    }

    /// Parses `ignore`; `nil` when it has no pattern (counts as missing).
    public static func ignore(_ bytes: [UInt8]) -> IgnoreFile? {
        let file = IgnoreFile(text: String(decoding: bytes, as: UTF8.self).replacingCRLF())
        return file.patterns.isEmpty ? nil : file
    }

    /// Splits `a, b` on the commas outside brackets, so `Bash(git log --format=%h,%s:*)` and `src/{a,b}/*.ts`
    /// stay whole; items are trimmed, empty ones dropped.
    public static func splitList(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            switch ch {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth = max(0, depth - 1)
            case "," where depth == 0:
                items.append(current)
                current = ""
                continue
            default: break
            }
            current.append(ch)
        }
        items.append(current)
        return items.map { $0.trimmedWhitespace() }.filter { !$0.isEmpty }
    }

    /// Reads a string list from frontmatter, splitting a comma string (`a, b`) outside brackets.
    public static func commaList(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let s)?:
            return splitList(s)
        case .array(let items)?:
            return items.compactMap { item -> String? in
                switch item {
                case .string(let s): return s
                case .int(let i): return String(i)
                default: return nil
                }
            }
        default:
            return []
        }
    }

    /// Reads a plain string value from frontmatter (numbers and booleans are stringified).
    public static func string(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .double(let d)?: return JSONEmitter.compact(.double(d))
        case .bool(let b)?: return b ? "true" : "false"
        default: return ""
        }
    }
}
