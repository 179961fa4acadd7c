public import SharedCore

/// Output of `lessons_topics`: `{topics:[{id, summary, lessons}]}` sorted by id; `lessons` counts active lessons.
public struct LessonsTopicsResult: Sendable, Equatable {
    /// The MCP tool name.
    public static let toolName = "lessons_topics"

    /// One topic row.
    public struct Entry: Sendable, Equatable {
        /// Topic id.
        public var id: String
        /// Topic summary.
        public var summary: String
        /// Number of active lessons in the topic.
        public var lessons: Int
    }

    /// Topics sorted by id.
    public var topics: [Entry]

    /// The tool output object.
    public var json: JSONValue {
        ["topics": .array(topics.map { ["id": .string($0.id), "summary": .string($0.summary), "lessons": .int($0.lessons)] })]
    }

    /// Validates tool arguments (the tool takes none).
    public static func validateToolArguments(_ arguments: JSONValue?) throws(ToolError) {
        try ToolArguments(arguments).finish(tool: toolName)
    }

}
