public import SharedCore

/// A non-fatal finding attached to a result (`warnings` in the tool outputs).
public struct LessonsWarning: Sendable, Equatable {
    /// The warning code, e.g. `PENDING_GLOB`.
    public var code: String
    /// A human message (project-relative paths only).
    public var message: String
    /// The pattern the warning is about, when there is one.
    public var pattern: String?

    /// Creates a warning.
    public init(code: String, message: String, pattern: String? = nil) {
        self.code = code
        self.message = message
        self.pattern = pattern
    }

    /// `{code, message, pattern?}`.
    public var json: JSONValue {
        var object = JSONObject()
        object["code"] = .string(code)
        object["message"] = .string(message)
        if let pattern { object["pattern"] = .string(pattern) }
        return .object(object)
    }
}
