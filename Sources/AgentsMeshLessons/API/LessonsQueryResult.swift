public import SharedCore

/// Output of `lessons_query`: `{lessons:[{id, rule}], suppressed}`; verbose adds
/// `topics, triggers, evidence, score, lexical?`; `warnings` appears only when non-empty.
public struct LessonsQueryResult: Sendable, Equatable {
    /// One recalled lesson.
    public struct Item: Sendable, Equatable {
        /// Lesson id.
        public var id: String
        /// Rule text (cut in text and MCP output modes).
        public var rule: String
        /// Topic ids.
        public var topics: [String]
        /// The lesson's triggers.
        public var triggers: [LessonTrigger]
        /// Evidence references.
        public var evidence: [String]
        /// Fused rank score (§6.5).
        public var score: Double
        /// A BM25-only extra of a keyword-only query.
        public var lexical: Bool
        /// Trigger ids that matched this query.
        public var matchedTriggers: [String]
    }

    /// Recalled lessons, best first.
    public var lessons: [Item]
    /// Lessons left out because the session already saw them.
    public var suppressed: Int
    /// Whether `json` carries the verbose fields.
    public var verbose: Bool
    /// Non-fatal findings (regex budget exhaustion).
    public var warnings: [LessonsWarning]

    /// The tool output object.
    public var json: JSONValue {
        var object = JSONObject()
        object["lessons"] = .array(lessons.map(itemJSON))
        object["suppressed"] = .int(suppressed)
        if !warnings.isEmpty { object["warnings"] = .array(warnings.map(\.json)) }
        return .object(object)
    }

    private func itemJSON(_ item: Item) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(item.id)
        object["rule"] = .string(item.rule)
        guard verbose else { return .object(object) }
        object["topics"] = .strings(item.topics)
        object["triggers"] = .array(item.triggers.map(\.outputJSON))
        object["evidence"] = .strings(item.evidence)
        object["score"] = .double((item.score * 1_000_000).rounded() / 1_000_000)
        if item.lexical { object["lexical"] = true }
        return .object(object)
    }
}
