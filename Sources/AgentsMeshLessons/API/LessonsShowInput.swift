public import SharedCore

/// Inputs of `lessons_show` (tool 49) and `agentsmesh lessons show`.
public struct LessonsShowInput: Sendable, Equatable {
    /// The MCP tool name.
    public static let toolName = "lessons_show"

    /// A topic id or a lesson id (a topic wins when both exist).
    public var topic: String

    /// Creates a show request.
    public init(topic: String) { self.topic = topic }

    /// Decodes tool arguments: **topic**; unknown properties → `VALIDATION_FAILED`.
    public static func fromToolArguments(_ arguments: JSONValue?) throws(ToolError) -> LessonsShowInput {
        var reader = ToolArguments(arguments)
        let topic = reader.string("topic", required: true)
        try reader.finish(tool: toolName)
        return LessonsShowInput(topic: topic ?? "")
    }
}
