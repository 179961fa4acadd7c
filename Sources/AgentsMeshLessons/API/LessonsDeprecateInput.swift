public import SharedCore

/// Inputs of `lessons_deprecate` (tool 50) and `agentsmesh lessons deprecate`.
public struct LessonsDeprecateInput: Sendable, Equatable {
    /// The MCP tool name.
    public static let toolName = "lessons_deprecate"

    /// The lesson to retire.
    public var id: String
    /// The lesson that replaces it (status becomes `superseded`).
    public var supersededBy: String?

    /// Creates a deprecate request.
    public init(id: String, supersededBy: String? = nil) {
        self.id = id
        self.supersededBy = supersededBy
    }

    /// Decodes tool arguments: **id**, `superseded_by`; unknown properties → `VALIDATION_FAILED`.
    public static func fromToolArguments(_ arguments: JSONValue?) throws(ToolError) -> LessonsDeprecateInput {
        var reader = ToolArguments(arguments)
        let id = reader.string("id", required: true)
        let replacement = reader.string("superseded_by")
        try reader.finish(tool: toolName)
        return LessonsDeprecateInput(id: id ?? "", supersededBy: replacement)
    }

}
