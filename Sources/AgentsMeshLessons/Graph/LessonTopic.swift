public import SharedCore

/// A topic groups lessons and carries a one-line summary (§6.2).
public struct LessonTopic: Sendable, Equatable {
    /// The topic id (`^[a-z0-9-]+$`).
    public var id: String
    /// What the topic is about.
    public var summary: String
    /// Keys this version does not know, kept on rewrite.
    public var extra: JSONObject

    /// Creates a topic.
    public init(id: String, summary: String, extra: JSONObject = JSONObject()) {
        self.id = id
        self.summary = summary
        self.extra = extra
    }

    var json: JSONValue {
        var object = extra
        object["summary"] = .string(summary)
        return .object(object)
    }
}
