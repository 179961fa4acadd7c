public import SharedCore

/// `.agentsmesh/lessons/config.json` with the defaults and environment overrides of §6.5.
public struct LessonsConfig: Sendable, Equatable {
    /// Default for `recallLimit`.
    public static let defaultRecallLimit = 10
    /// Default for `recallMaxTokens`.
    public static let defaultRecallMaxTokens = 1200
    /// `recallLimit` is clamped to this range.
    public static let recallLimitRange = 1...50
    /// `recallMaxTokens` is clamped to at most this.
    public static let maximumRecallTokens = 8000

    /// Later-phase pruning switch.
    public var autoPrune = false
    /// Whether outcomes are logged to `outcome-log.jsonl` (later-phase hooks).
    public var outcomeLog = true
    /// Number of lessons a query returns.
    public var recallLimit = LessonsConfig.defaultRecallLimit
    /// Token budget of a query result.
    public var recallMaxTokens = LessonsConfig.defaultRecallMaxTokens
    /// Whether usage telemetry is recorded.
    public var telemetry = false

    /// The defaults.
    public init() {}

    /// The file written by `init --lessons`: `{"autoPrune": false, "outcomeLog": true, "recallLimit": 10,
    /// "recallMaxTokens": 1200, "telemetry": false}` pretty-printed with a trailing newline.
    public static var defaultFileText: String { LessonsConfig().serialized() }

    /// Sorted keys, §3.2 emitter, one trailing newline.
    public func serialized() -> String {
        var object = JSONObject()
        object["autoPrune"] = .bool(autoPrune)
        object["outcomeLog"] = .bool(outcomeLog)
        object["recallLimit"] = .int(recallLimit)
        object["recallMaxTokens"] = .int(recallMaxTokens)
        object["telemetry"] = .bool(telemetry)
        return JSONEmitter.pretty(.object(object.sortedDeep())) + "\n"
    }

    /// Reads the config (defaults when the file is missing), clamps the limits and applies
    /// `AGENTSMESH_LESSONS_TELEMETRY` / `AGENTSMESH_LESSONS_OUTCOME_LOG` (`0`/`1`).
    public static func load(root: String, environment: [String: String]) throws(ToolError) -> LessonsConfig {
        var config = LessonsConfig()
        let path = LessonsFiles.config
        if let bytes = try FileSystem.readIfExists(root + "/" + path, displayPath: path) {
            let value = try JSONParser.parse(bytes: bytes, path: path)
            guard let object = value.objectValue else {
                throw ToolError.syntax(path: path, line: nil, column: nil, message: "must be a JSON object")
            }
            config.autoPrune = try flag(object, "autoPrune", default: config.autoPrune)
            config.outcomeLog = try flag(object, "outcomeLog", default: config.outcomeLog)
            config.telemetry = try flag(object, "telemetry", default: config.telemetry)
            config.recallLimit = try number(object, "recallLimit", default: config.recallLimit)
            config.recallMaxTokens = try number(object, "recallMaxTokens", default: config.recallMaxTokens)
        }
        config.recallLimit = min(max(config.recallLimit, recallLimitRange.lowerBound), recallLimitRange.upperBound)
        config.recallMaxTokens = min(max(config.recallMaxTokens, 0), maximumRecallTokens)
        if let value = environment["AGENTSMESH_LESSONS_TELEMETRY"], let parsed = switchValue(value) {
            config.telemetry = parsed
        }
        if let value = environment["AGENTSMESH_LESSONS_OUTCOME_LOG"], let parsed = switchValue(value) {
            config.outcomeLog = parsed
        }
        return config
    }

    private static func switchValue(_ text: String) -> Bool? {
        switch text {
        case "1": return true
        case "0": return false
        default: return nil
        }
    }

    private static func flag(_ object: JSONObject, _ key: String, default fallback: Bool) throws(ToolError) -> Bool {
        guard let value = object[key] else { return fallback }
        guard let flag = value.boolValue else {
            throw ToolError.syntax(path: LessonsFiles.config, line: nil, column: nil, message: "\(key) must be true or false")
        }
        return flag
    }

    private static func number(_ object: JSONObject, _ key: String, default fallback: Int) throws(ToolError) -> Int {
        guard let value = object[key] else { return fallback }
        guard let number = value.intValue else {
            throw ToolError.syntax(path: LessonsFiles.config, line: nil, column: nil, message: "\(key) must be an integer")
        }
        return number
    }
}
