import MeshKit

/// `.agentsmesh/.lock` (§4.2).
public struct Lockfile: Equatable, Sendable {
    public static let path = ".agentsmesh/.lock"

    public var generatedAt: String = ""
    public var generatedBy: String = ""
    public var libVersion: String = ""
    public var checksums: [String: String] = [:]
    public var extends: [String: String] = [:]
    public var packs: [String: String] = [:]
    /// `nil` = old-format lock without `outputs`.
    public var outputs: [String: String]?
    public var staleTargets: [String] = []

    public init() {}

    /// Whether two locks differ in anything but the generation stamp.
    public func sameContent(as other: Lockfile) -> Bool {
        libVersion == other.libVersion && checksums == other.checksums && extends == other.extends
            && packs == other.packs && outputs == other.outputs && staleTargets == other.staleTargets
    }

    /// The exact text of §4.2.
    public func serialized() -> String {
        var text = "# Auto-generated. DO NOT EDIT MANUALLY.\n# Tracks the state of all config files for team conflict resolution.\n\n"
        text += "generated_at: \(YAMLEmitter.scalar(generatedAt))\n"
        text += "generated_by: \(YAMLEmitter.scalar(generatedBy))\n"
        text += "lib_version: \(YAMLEmitter.scalar(libVersion))\n"
        func map(_ name: String, _ values: [String: String]) {
            if values.isEmpty {
                text += "\(name): {}\n"
                return
            }
            text += "\(name):\n"
            for key in values.keys.sorted(by: FileSystem.byteOrder) {
                text += "  \(YAMLEmitter.scalar(key)): \(YAMLEmitter.scalar(values[key] ?? ""))\n"
            }
        }
        map("checksums", checksums)
        map("extends", extends)
        map("packs", packs)
        if let outputs { map("outputs", outputs) }
        if !staleTargets.isEmpty {
            text += "stale_targets:\n"
            for target in staleTargets { text += "  - \(YAMLEmitter.scalar(target))\n" }
        }
        return text
    }

    /// Whether a lock text holds git conflict markers.
    public static func hasConflictMarkers(_ text: String) -> Bool {
        text.split(separator: "\n").contains { $0.hasPrefix("<<<<<<< ") || $0 == "=======" || $0.hasPrefix(">>>>>>> ") }
    }

    /// Parses a lock; `VALIDATION_FAILED` when malformed.
    public static func parse(_ text: String) throws(ToolError) -> Lockfile {
        let value: JSONValue?
        do {
            value = try YAML.parse(text)
        } catch {
            throw ToolError.syntax(path: path, line: error.line, column: error.column, message: error.message)
        }
        guard let object = value?.objectValue else {
            throw ToolError.syntax(path: path, line: 1, column: 1, message: "expected a mapping")
        }
        var lock = Lockfile()
        lock.generatedAt = object["generated_at"]?.stringValue ?? ""
        lock.generatedBy = object["generated_by"]?.stringValue ?? ""
        lock.libVersion = object["lib_version"].map { SettingsValue.string($0) } ?? ""
        func map(_ key: String) -> [String: String] {
            var out: [String: String] = [:]
            for (k, v) in object[key]?.objectValue ?? JSONObject() { out[k] = SettingsValue.string(v) }
            return out
        }
        lock.checksums = map("checksums")
        lock.extends = map("extends")
        lock.packs = map("packs")
        if object["outputs"] != nil { lock.outputs = map("outputs") }
        lock.staleTargets = object["stale_targets"]?.stringList ?? []
        return lock
    }

    /// Reads the lock under `root`; nil when missing.
    public static func read(root: String) throws(ToolError) -> Lockfile? {
        guard let bytes = try FileSystem.readIfExists(root + "/" + path, displayPath: path) else { return nil }
        return try parse(String(decoding: bytes, as: UTF8.self))
    }
}

enum SettingsValue {
    static func string(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSONEmitter.compact(.double(d))
        case .bool(let b): return b ? "true" : "false"
        default: return ""
        }
    }
}

/// Version of this library, recorded in lockfiles.
public enum AgentsMeshVersion {
    public static let current = "0.1.0"
}
