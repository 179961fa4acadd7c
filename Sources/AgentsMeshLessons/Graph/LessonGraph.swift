public import SharedCore

/// The project memory graph stored in `.agentsmesh/lessons/lessons.json` (§6.2).
public struct LessonGraph: Sendable, Equatable {
    /// The graph version this library writes.
    public static let currentVersion = 2
    /// The only accepted `scope` value.
    public static let alwaysScope = "always"

    /// Lessons by id.
    public var lessons: [String: Lesson]
    /// Topics by id.
    public var topics: [String: LessonTopic]
    /// Triggers by id.
    public var triggers: [String: LessonTrigger]
    /// The version the graph was read as (1 or 2); writes always produce version 2.
    public var sourceVersion: Int
    /// Top-level keys this version does not know, kept on rewrite.
    public var extra: JSONObject

    /// Creates a graph (empty by default).
    public init(
        lessons: [String: Lesson] = [:], topics: [String: LessonTopic] = [:],
        triggers: [String: LessonTrigger] = [:], sourceVersion: Int = LessonGraph.currentVersion,
        extra: JSONObject = JSONObject()
    ) {
        self.lessons = lessons
        self.topics = topics
        self.triggers = triggers
        self.sourceVersion = sourceVersion
        self.extra = extra
    }

    /// Whether `id` matches `^[a-z0-9-]+$`.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// The graph as a JSON value (version 2, keys sorted at every depth).
    public var json: JSONValue {
        var lessonsObject = JSONObject()
        for (id, lesson) in lessons { lessonsObject[id] = lesson.json }
        var topicsObject = JSONObject()
        for (id, topic) in topics { topicsObject[id] = topic.json }
        var triggersObject = JSONObject()
        for (id, trigger) in triggers { triggersObject[id] = trigger.json }
        var root = extra
        root["lessons"] = .object(lessonsObject)
        root["topics"] = .object(topicsObject)
        root["triggers"] = .object(triggersObject)
        root["version"] = .int(LessonGraph.currentVersion)
        return root.sortedDeep().json
    }

    /// The exact bytes written to `lessons.json`: §3.2 emitter, sorted keys, one trailing newline.
    public func serialized() -> String {
        JSONEmitter.pretty(json) + "\n"
    }

    /// Ids of lessons whose status is active.
    public var activeLessonIDs: [String] {
        lessons.values.filter { $0.status == .active }.map(\.id).sorted(by: FileSystem.byteOrder)
    }
}

extension JSONObject {
    fileprivate var json: JSONValue { .object(self) }
}
