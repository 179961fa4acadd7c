public import SharedCore

/// Output of `lessons_show`: `{lessons:[…incl. inactive], omitted}` (at most 50 lessons listed).
public struct LessonsShowResult: Sendable, Equatable {
    /// Lessons listed at most.
    public static let maximumListed = 50

    /// A lesson with its triggers resolved.
    public struct Entry: Sendable, Equatable {
        /// The lesson.
        public var lesson: Lesson
        /// Its triggers (unknown ids are left out).
        public var triggers: [LessonTrigger]

        /// `{id, rule, status, topics, triggers, evidence, createdAt, rationale?, scope?, supersededBy?}`.
        public var json: JSONValue {
            var object = JSONObject()
            object["id"] = .string(lesson.id)
            object["rule"] = .string(lesson.rule)
            object["status"] = .string(lesson.status.rawValue)
            object["topics"] = .strings(lesson.topics)
            object["triggers"] = .array(triggers.map(\.outputJSON))
            object["evidence"] = .strings(lesson.evidence)
            object["createdAt"] = .string(lesson.createdAt)
            if let rationale = lesson.rationale { object["rationale"] = .string(rationale) }
            if let scope = lesson.scope { object["scope"] = .string(scope) }
            if let replacement = lesson.supersededBy { object["supersededBy"] = .string(replacement) }
            return .object(object)
        }
    }

    /// Newest first, then id ascending.
    public var lessons: [Entry]
    /// Lessons beyond the first 50.
    public var omitted: Int

    /// The tool output object.
    public var json: JSONValue {
        ["lessons": .array(lessons.map(\.json)), "omitted": .int(omitted)]
    }
}
