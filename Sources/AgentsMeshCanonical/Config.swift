internal import AgentsMeshKit
public import SharedCore

/// The merged project configuration (`agentsmesh.yaml` + `agentsmesh.local.yaml`, §2.1–2.2).
public struct ProjectConfig: Equatable, Sendable {
    public var version: Int = 1
    public var targets: [String] = TargetID.firstClass
    public var features: [Feature] = Feature.all
    public var extends: [JSONValue] = []
    /// `extends` validated (§2.1): project entries, then local ones.
    public var extendEntries: [ExtendEntry] = []
    /// targetId → features narrowing.
    public var overrides: [String: [Feature]] = [:]
    public var overridesRaw: JSONObject = JSONObject()
    public var collaborationStrategy: String = "merge"
    public var lockFeatures: [Feature] = []
    public var agentsToSkills: [String: Bool] = [:]
    public var conversionsRaw: JSONObject = JSONObject()
    public var generationContract: Bool = true
    /// The project file as parsed (for `get_config`).
    public var projectRaw: JSONObject = JSONObject()
    /// The local override as parsed, when present.
    public var localRaw: JSONObject?

    public init() {}

    /// Features enabled for one target: config features ∩ `overrides.<t>.features`.
    public func features(for target: String) -> [Feature] {
        guard let narrowed = overrides[target] else { return features }
        return features.filter { narrowed.contains($0) }
    }

    /// The merged configuration as a JSON object (for `get_config`).
    public var mergedJSON: JSONValue {
        var object = JSONObject()
        object["version"] = .int(version)
        object["targets"] = .strings(targets)
        object["features"] = .strings(features.map(\.rawValue))
        object["extends"] = .array(extends)
        object["overrides"] = .object(overridesRaw)
        object["collaboration"] = [
            "strategy": .string(collaborationStrategy), "lock_features": .strings(lockFeatures.map(\.rawValue)),
        ]
        object["conversions"] = .object(conversionsRaw)
        object["generation_contract"] = .bool(generationContract)
        return .object(object)
    }
}

/// Loading of `agentsmesh.yaml` and `agentsmesh.local.yaml`.
public enum ConfigLoader {
    public static let projectFile = "agentsmesh.yaml"
    public static let localFile = "agentsmesh.local.yaml"

    /// Reads and merges both files under `root`; a missing project file is `NO_PROJECT`.
    public static func load(root: String) throws(ToolError) -> ProjectConfig {
        guard
            let projectBytes = try FileSystem.readIfExists(root + "/" + projectFile, displayPath: projectFile)
        else {
            throw ToolError(ErrorCode.noProject, "no \(projectFile) found; run `agentsmesh init`")
        }
        let project = try parseMapping(projectBytes, path: projectFile) ?? JSONObject()
        var config = ProjectConfig()
        config.projectRaw = project
        try apply(project, to: &config, path: projectFile, isLocal: false)
        if let localBytes = try FileSystem.readIfExists(root + "/" + localFile, displayPath: localFile) {
            let local = try parseMapping(localBytes, path: localFile) ?? JSONObject()
            config.localRaw = local
            try apply(local, to: &config, path: localFile, isLocal: true)
        }
        return config
    }

    /// Parses a YAML mapping file; `nil` for an empty or comment-only file.
    public static func parseMapping(_ bytes: [UInt8], path: String) throws(ToolError) -> JSONObject? {
        let text = String(decoding: bytes, as: UTF8.self)
        let value = try YAML.parse(text, path: path)
        switch value {
        case nil, .null?: return nil
        case .object(let object)?: return object
        default: throw ToolError.syntax(path: path, line: 1, column: 1, message: "expected a mapping at the top level")
        }
    }

    private static func invalid(_ path: String, _ message: String) -> ToolError {
        ToolError(
            ErrorCode.validationFailed, "\(path): \(message)",
            details: ["issues": [["path": .string(path), "message": .string(message)]]])
    }

    private static func featureList(_ value: JSONValue, key: String, path: String) throws(ToolError) -> [Feature] {
        guard let names = value.stringList else { throw invalid(path, "`\(key)` must be a list of feature names") }
        var out: [Feature] = []
        for name in names {
            guard let feature = Feature(rawValue: name) else {
                throw invalid(path, "unknown feature '\(name)' in `\(key)`")
            }
            if !out.contains(feature) { out.append(feature) }
        }
        return out
    }

    private static func apply(
        _ object: JSONObject, to config: inout ProjectConfig, path: String, isLocal: Bool
    ) throws(ToolError) {
        if !isLocal {
            guard let version = object["version"]?.intValue, version == 1 else {
                throw invalid(path, "`version` must be 1")
            }
            config.version = version
        }
        if let value = object["targets"], !value.isNull {
            guard let targets = value.stringList else { throw invalid(path, "`targets` must be a list of target ids") }
            if !(isLocal && targets.isEmpty) {
                var unique: [String] = []
                for target in targets where !unique.contains(target) { unique.append(target) }
                config.targets = unique
            }
        }
        if let value = object["features"], !value.isNull {
            let features = try featureList(value, key: "features", path: path)
            if !(isLocal && features.isEmpty) { config.features = features }
        }
        if let value = object["extends"], !value.isNull {
            guard let entries = value.arrayValue else { throw invalid(path, "`extends` must be a list") }
            let parsed = try ExtendEntry.parse(entries, path: path)
            for entry in parsed where config.extendEntries.contains(where: { $0.name == entry.name }) {
                throw invalid(path, "extends entry '\(entry.name)' is already defined in \(projectFile)")
            }
            config.extends = isLocal ? config.extends + entries : entries
            config.extendEntries = isLocal ? config.extendEntries + parsed : parsed
        }
        if let value = object["overrides"], !value.isNull {
            guard let overrides = value.objectValue else { throw invalid(path, "`overrides` must be a mapping") }
            for (target, entry) in overrides {
                var merged = config.overridesRaw[target]?.objectValue ?? JSONObject()
                for (key, leaf) in entry.objectValue ?? JSONObject() { merged[key] = leaf }
                config.overridesRaw[target] = .object(merged)
                if let features = entry["features"] {
                    config.overrides[target] = try featureList(features, key: "overrides.\(target).features", path: path)
                }
            }
        }
        if !isLocal, let value = object["collaboration"], !value.isNull {
            guard let collaboration = value.objectValue else { throw invalid(path, "`collaboration` must be a mapping") }
            if let strategy = collaboration["strategy"] {
                guard let s = strategy.stringValue, ["merge", "lock", "last-wins"].contains(s) else {
                    throw invalid(path, "`collaboration.strategy` must be merge, lock or last-wins")
                }
                config.collaborationStrategy = s
            }
            if let features = collaboration["lock_features"] {
                config.lockFeatures = try featureList(features, key: "collaboration.lock_features", path: path)
            }
        }
        if let value = object["conversions"], !value.isNull {
            guard let conversions = value.objectValue else { throw invalid(path, "`conversions` must be a mapping") }
            for (key, inner) in conversions {
                var merged = config.conversionsRaw[key]?.objectValue ?? JSONObject()
                for (leafKey, leaf) in inner.objectValue ?? JSONObject() { merged[leafKey] = leaf }
                config.conversionsRaw[key] = .object(merged)
            }
            for (target, flag) in config.conversionsRaw["agents_to_skills"]?.objectValue ?? JSONObject() {
                config.agentsToSkills[target] = flag.boolValue ?? false
            }
        }
        if !isLocal, let value = object["generation_contract"], !value.isNull {
            guard let flag = value.boolValue else { throw invalid(path, "`generation_contract` must be true or false") }
            config.generationContract = flag
        }
    }
}
