public import SharedCore

/// Output of `lessons_add`: `{id, created, warnings}`.
public struct LessonsAddResult: Sendable, Equatable {
    /// The new or existing lesson id.
    public var id: String
    /// False when the same rule already existed in the topic (idempotent add).
    public var created: Bool
    /// Capture warnings (`DEAD_GLOB`, `PENDING_GLOB`, `NEAR_DUPLICATE_LESSON`, `DEAD_COMMAND_PATTERN`).
    public var warnings: [LessonsWarning]

    /// Creates a result.
    public init(id: String, created: Bool, warnings: [LessonsWarning]) {
        self.id = id
        self.created = created
        self.warnings = warnings
    }

    /// The tool output object.
    public var json: JSONValue {
        ["id": .string(id), "created": .bool(created), "warnings": .array(warnings.map(\.json))]
    }
}
