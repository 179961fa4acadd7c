public import SharedCore

/// What a trigger matches against (§6.4).
public enum TriggerKind: String, Sendable, Equatable, CaseIterable {
    case fileGlob = "file_glob"
    case commandPattern = "command_pattern"
    case keyword = "keyword"

    /// The trigger id prefix of this kind (§6.3).
    public var idPrefix: String {
        switch self {
        case .fileGlob: return "t-glob-"
        case .commandPattern: return "t-cmd-"
        case .keyword: return "t-kw-"
        }
    }
}

/// A trigger shared by every lesson that references it; identified by its content (§6.3).
public struct LessonTrigger: Sendable, Equatable {
    /// The content-addressed id, e.g. `t-cmd-1a2b3c4d`.
    public var id: String
    /// Glob, command regex or keyword.
    public var kind: TriggerKind
    /// The glob, regex or keyword text.
    public var pattern: String
    /// Keys this version does not know, kept on rewrite.
    public var extra: JSONObject

    /// Creates a trigger with an explicit id.
    public init(id: String, kind: TriggerKind, pattern: String, extra: JSONObject = JSONObject()) {
        self.id = id
        self.kind = kind
        self.pattern = pattern
        self.extra = extra
    }

    /// Creates a trigger whose id is derived from its kind and pattern.
    public init(kind: TriggerKind, pattern: String) {
        self.init(id: LessonTrigger.id(kind: kind, pattern: pattern), kind: kind, pattern: pattern)
    }

    /// `t-glob-`/`t-cmd-`/`t-kw-` + the first 8 hex digits of SHA-256(`<kind>\n<pattern>`).
    public static func id(kind: TriggerKind, pattern: String) -> String {
        kind.idPrefix + String(SHA256.hex(kind.rawValue + "\n" + pattern).prefix(8))
    }

    var json: JSONValue {
        var object = extra
        object["kind"] = .string(kind.rawValue)
        object["pattern"] = .string(pattern)
        return .object(object)
    }

    /// The `{id, kind, pattern}` object used in tool outputs.
    public var outputJSON: JSONValue {
        ["id": .string(id), "kind": .string(kind.rawValue), "pattern": .string(pattern)]
    }
}
