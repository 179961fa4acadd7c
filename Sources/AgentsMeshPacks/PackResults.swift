public import AgentsMeshCanonical
public import SharedCore

/// The data of `install` (MCP tool 42 / `install --json`).
public struct InstallData: Sendable {
    public var source: String
    public var mode: String
    public var name: String?
    public var installed: [(kind: String, name: String, path: String)] = []
    public var skipped: [(kind: String, name: String, reason: String)] = []
    public var dryRun: Bool
    public var brokenResources: [BrokenResource] = []
    public var warnings: [Diagnostic] = []
    /// Recorded as an `extends:` entry rather than installed as a pack.
    public var asExtends = false

    public var json: JSONValue {
        var object = JSONObject()
        object["source"] = .string(source)
        object["mode"] = .string(mode)
        object["installed"] = .array(installed.map { ["kind": .string($0.kind), "name": .string($0.name), "path": .string($0.path)] })
        object["skipped"] = .array(skipped.map { ["kind": .string($0.kind), "name": .string($0.name), "reason": .string($0.reason)] })
        object["dryRun"] = .bool(dryRun)
        if !brokenResources.isEmpty { object["brokenResources"] = .array(brokenResources.map(\.json)) }
        object["warnings"] = .array(warnings.map(\.json))
        return .object(object)
    }
}

/// The data of `uninstall`.
public struct UninstallData: Sendable {
    public var removed: [(name: String, packPath: String?, extendsRemoved: Bool)] = []
    public var failed: [(name: String, code: String, message: String)] = []
    public var dryRun: Bool

    public var json: JSONValue {
        [
            "removed": .array(
                removed.map {
                    [
                        "name": .string($0.name), "pack_path": $0.packPath.map(JSONValue.string) ?? .null,
                        "extends_removed": .bool($0.extendsRemoved),
                    ]
                }),
            "failed": .array(failed.map { ["name": .string($0.name), "code": .string($0.code), "message": .string($0.message)] }),
            "dryRun": .bool(dryRun),
        ]
    }

    /// The error the run ends with: the first failure's code, when nothing at all was removed.
    public var failure: ToolError? {
        guard !failed.isEmpty && removed.isEmpty else { return nil }
        return ToolError(failed[0].code, failed.map { "\($0.name): \($0.message)" }.joined(separator: "; "), details: json)
    }
}

/// The data of `refresh` (§5.6).
public struct RefreshData: Sendable {
    public var dryRun: Bool
    public var refreshed: [(name: String, from: String?, to: String?, changed: Bool)] = []
    public var failed: [(name: String, code: String, message: String)] = []

    public var json: JSONValue {
        [
            "dryRun": .bool(dryRun),
            "refreshed": .array(
                refreshed.map {
                    [
                        "name": .string($0.name), "from": $0.from.map(JSONValue.string) ?? .null,
                        "to": $0.to.map(JSONValue.string) ?? .null, "changed": .bool($0.changed),
                    ]
                }),
            "failed": .array(failed.map { ["name": .string($0.name), "code": .string($0.code), "message": .string($0.message)] }),
        ]
    }

    /// The error the run ends with when any pack failed: the first failure's code (§5.6).
    public var failure: ToolError? {
        guard !failed.isEmpty else { return nil }
        return ToolError(failed[0].code, failed.map { "\($0.name): \($0.message)" }.joined(separator: "; "), details: json)
    }
}

/// Options of `install` (§5.2).
public struct InstallOptions: Sendable {
    public var source: String?
    public var path: String?
    public var target: String?
    public var asKind: String?
    public var name: String?
    public var sync = false
    /// Record an `extends:` entry in agentsmesh.yaml instead of materialising a pack (§5.2).
    public var extends = false
    public var dryRun = false
    public var force = false
    /// `hooks`, `mcp`, `permissions` (from `--accept-*` flags).
    public var accept: Set<String> = []

    public init(source: String? = nil) { self.source = source }
}

/// Progress events for TTY rendering.
public enum PackProgress: Sendable {
    case fetching(name: String, objects: Int, total: Int, bytes: Int)
    case extracting(name: String, files: Int, bytes: Int)
    /// An https archive arriving (`total` 0 while unknown).
    case downloading(name: String, bytes: Int, total: Int)
}
