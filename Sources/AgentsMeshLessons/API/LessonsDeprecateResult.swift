public import SharedCore

/// Output of `lessons_deprecate`: `{id, status}`.
public struct LessonsDeprecateResult: Sendable, Equatable {
    /// The lesson id.
    public var id: String
    /// `deprecated` or `superseded`.
    public var status: LessonStatus

    /// The tool output object.
    public var json: JSONValue { ["id": .string(id), "status": .string(status.rawValue)] }
}
