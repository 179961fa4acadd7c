internal import AgentsMeshCanonical
public import SharedCore

/// MCP servers as each tool accepts them (§2.8, amended 2026-12) and back.
///
/// Canonical `mcp.json` may also hold per-target definitions under `<target>:<name>` (two tools configured a
/// server of the same name differently): that target gets it under `<name>` in place of the shared one.
public enum McpProjection {
    /// Whether two server definitions mean the same server: equal once `type` is made explicit the way
    /// generate writes it (`{"url": …}` and `{"type": "http", "url": …}` are one server).
    public static func sameServer(_ a: JSONValue, _ b: JSONValue) -> Bool {
        let x = normalized(a)
        let y = normalized(b)
        return x.disabled == y.disabled && x.server.objectValue.map(sortedKeys) == y.server.objectValue.map(sortedKeys)
    }

    static func sortedKeys(_ object: JSONObject) -> JSONObject { object.sortedDeep() }

    /// The servers one target receives, in canonical order: its own `<target>:<name>` definitions replace
    /// the shared ones of the same name; other targets' own definitions are skipped.
    static func servers(_ canonical: JSONObject, target: String) -> JSONObject {
        var out = JSONObject()
        for (key, server) in canonical {
            if let own = perTarget(key) {
                // At the shared server's position when there is one (below); appended otherwise.
                if own.target == target && canonical[own.name] == nil { out[own.name] = server }
                continue
            }
            out[key] = canonical["\(target):\(key)"] ?? server
        }
        return out
    }

    /// A per-target key `<target>:<name>`.
    static func perTarget(_ key: String) -> (target: String, name: String)? {
        guard let colon = key.firstIndex(of: ":") else { return nil }
        let target = String(key[..<colon])
        let name = String(key[key.index(after: colon)...])
        guard TargetID.firstClass.contains(target), !name.isEmpty else { return nil }
        return (target, name)
    }

    /// The transport a server uses: its `type`, else `stdio` with a `command`, else `http`.
    static func inferredType(_ server: JSONObject) -> String {
        if let type = server["type"]?.stringValue, !type.isEmpty { return type }
        return server["command"] != nil ? "stdio" : "http"
    }

    /// A server as Claude Code and Gemini CLI accept it: `type` always written (`streamable-http` as `http`,
    /// which both name it), and `disabled` left out (each tool switches servers off elsewhere).
    static func normalized(_ server: JSONValue) -> (server: JSONValue, disabled: Bool) {
        guard var object = server.objectValue else { return (server, false) }
        let type = inferredType(object)
        let disabled = object["disabled"]?.boolValue ?? false
        object["disabled"] = nil
        if object["type"] == nil {
            object.insertFirst("type", .string(type == "streamable-http" ? "http" : type))
        } else if type == "streamable-http" {
            object["type"] = "http"
        }
        return (.object(object), disabled)
    }

    /// Server fields Gemini CLI's settings schema accepts; anything else makes the file invalid there.
    static let geminiFields: Set<String> = [
        "command", "args", "env", "cwd", "url", "httpUrl", "headers", "tcp", "type", "timeout", "trust", "description",
        "includeTools", "excludeTools", "extension", "oauth", "authProviderType", "targetAudience", "targetServiceAccount",
    ]

    /// Import from Gemini CLI, whose untyped servers mean something else: `url` alone is an SSE endpoint and
    /// `httpUrl` a streamable-HTTP one. Both become explicit canonical servers (`type: sse` / `type: http`).
    static func fromGemini(_ servers: JSONObject) -> JSONObject {
        var out = JSONObject()
        for (name, server) in servers {
            guard var object = server.objectValue, object["type"] == nil, object["command"] == nil else {
                out[name] = server
                continue
            }
            if object["url"] != nil {
                object.insertFirst("type", "sse")
            } else if let http = object["httpUrl"] {
                object = object.renamingKey("httpUrl", to: "url")
                object["url"] = http
                object.insertFirst("type", "http")
            }
            out[name] = .object(object)
        }
        return out
    }

    /// Import: `disabled: true` restored for the names a tool lists as switched off.
    static func restoringDisabled(_ servers: JSONObject, disabled: [String]) -> JSONObject {
        var out = servers
        for name in disabled {
            guard var object = out[name]?.objectValue else { continue }
            object["disabled"] = true
            out[name] = .object(object)
        }
        return out
    }
}
