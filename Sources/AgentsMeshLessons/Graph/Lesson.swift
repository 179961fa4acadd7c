public import SharedCore

/// The lifecycle state of a lesson (§6.2); only `active` lessons are ever recalled.
public enum LessonStatus: String, Sendable, Equatable, CaseIterable {
    case active
    case deprecated
    case superseded
}

/// One lesson of the project memory graph (§6.2).
public struct Lesson: Sendable, Equatable {
    /// The lesson id, `<topic>-<slug>` (§6.3).
    public var id: String
    /// The instruction recalled to agents.
    public var rule: String
    /// Local date `YYYY-MM-DD` (a full ISO datetime is accepted on read).
    public var createdAt: String
    /// References backing the lesson (PR numbers, issue links, commits).
    public var evidence: [String]
    /// Why the rule exists; optional.
    public var rationale: String?
    /// `always` makes the lesson recallable by `--always` without a trigger.
    public var scope: String?
    /// Active, deprecated or superseded.
    public var status: LessonStatus
    /// The lesson that replaces this one; present iff `status == .superseded`.
    public var supersededBy: String?
    /// Topic ids the lesson belongs to.
    public var topics: [String]
    /// Trigger ids that recall the lesson.
    public var triggers: [String]
    /// Keys this version does not know, kept so a rewrite never drops data.
    public var extra: JSONObject

    /// Creates a lesson.
    public init(
        id: String, rule: String, createdAt: String, evidence: [String] = [], rationale: String? = nil,
        scope: String? = nil, status: LessonStatus = .active, supersededBy: String? = nil, topics: [String],
        triggers: [String], extra: JSONObject = JSONObject()
    ) {
        self.id = id
        self.rule = rule
        self.createdAt = createdAt
        self.evidence = evidence
        self.rationale = rationale
        self.scope = scope
        self.status = status
        self.supersededBy = supersededBy
        self.topics = topics
        self.triggers = triggers
        self.extra = extra
    }

    /// Whether `scope` is `always`.
    public var isAlwaysScoped: Bool { scope == LessonGraph.alwaysScope }

    /// The stored form: optional fields omitted when absent (keys are sorted when the graph is written).
    var json: JSONValue {
        var object = extra
        object["createdAt"] = .string(createdAt)
        object["evidence"] = .strings(evidence)
        if let rationale { object["rationale"] = .string(rationale) }
        object["rule"] = .string(rule)
        if let scope { object["scope"] = .string(scope) }
        object["status"] = .string(status.rawValue)
        if let supersededBy { object["supersededBy"] = .string(supersededBy) }
        object["topics"] = .strings(topics)
        object["triggers"] = .strings(triggers)
        return .object(object)
    }
}
