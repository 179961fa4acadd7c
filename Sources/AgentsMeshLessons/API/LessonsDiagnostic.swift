public import SharedCore

/// One finding of `lessons validate`.
public struct LessonsDiagnostic: Sendable, Equatable {
    /// Errors fail validation; warnings do not.
    public enum Severity: String, Sendable, Equatable {
        case error
        case warning
    }

    /// Error or warning.
    public var severity: Severity
    /// A stable code, e.g. `SCHEMA_INVALID` or `ORPHAN_TOPIC`.
    public var code: String
    /// Human message.
    public var message: String
    /// Location inside `lessons.json` (`lessons.<id>.topics[0]`) or a project-relative file.
    public var path: String?

    /// Creates a diagnostic.
    public init(severity: Severity, code: String, message: String, path: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.path = path
    }

    /// `{severity, code, message, path?}`.
    public var json: JSONValue {
        var object = JSONObject()
        object["severity"] = .string(severity.rawValue)
        object["code"] = .string(code)
        object["message"] = .string(message)
        if let path { object["path"] = .string(path) }
        return .object(object)
    }
}
