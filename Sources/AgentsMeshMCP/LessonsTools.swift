internal import AgentsMeshLessons
internal import SharedCore
internal import SharedMCP

/// The lessons memory (§6, §7.4 rows 46-50), through the same `LessonsService` as `agentsmesh lessons`.
enum LessonsTools {
    static let text = InputSchema.string(maxLength: 4096)
    static let oneOrMany = InputSchema.anyOf([text, .array(text, maxItems: 50)], description: "A string or an array of strings")

    static func all(_ context: ToolContext) -> [MCPTool] {
        [
            MCPTool(
                "lessons_query", "Lessons recalled for a file, a command or keywords (at least one, or always)",
                input: .object([
                    ("file", oneOrMany), ("command", text), ("cmd", text), ("keyword", oneOrMany),
                    ("limit", .integer(minimum: 1, maximum: 100)), ("max_tokens", .integer(minimum: 1)),
                    ("max-tokens", .integer(minimum: 1)),
                    ("verbose", .boolean()), ("always", .boolean()), ("session", .string(maxLength: 256)), ("no_dedup", .boolean()),
                    ("no-dedup", .boolean()),
                ]), hints: .read
            ) { (arguments) throws(ToolError) in
                let input = try LessonsQueryInput.fromToolArguments(.object(arguments))
                return try await context.lessons().query(input, mode: .mcp).json
            },
            MCPTool(
                "lessons_add", "Record a lesson; the same rule in the same topic is not added twice",
                input: .object(
                    [
                        ("rule", .string("One short imperative sentence", minLength: 1, maxLength: 2000)),
                        ("topic", .string("Topic id", minLength: 1, maxLength: 64)), ("trigger_files", oneOrMany),
                        ("trigger_file", oneOrMany), ("trigger_commands", oneOrMany), ("trigger_cmd", oneOrMany),
                        ("trigger_keywords", oneOrMany), ("trigger_kw", oneOrMany), ("evidence", oneOrMany), ("rationale", text),
                        ("new_topic", .boolean()), ("topic_summary", text), ("scope", .oneOf(["always"])),
                    ], required: ["rule", "topic"]), hints: .idempotentWrite
            ) { (arguments) throws(ToolError) in
                let input = try LessonsAddInput.fromToolArguments(.object(arguments))
                return try await context.lessons().add(input).json
            },
            MCPTool("lessons_topics", "Every topic with its summary and lesson count", input: .object([]), hints: .read) {
                (_) throws(ToolError) in
                try await context.lessons().topics().json
            },
            MCPTool(
                "lessons_show", "A topic's lessons (inactive included), or one lesson",
                input: .object([("topic", .string("A topic id or a lesson id", minLength: 1, maxLength: 128))], required: ["topic"]),
                hints: .read
            ) { (arguments) throws(ToolError) in
                try await context.lessons().show(LessonsShowInput.fromToolArguments(.object(arguments))).json
            },
            MCPTool(
                "lessons_deprecate", "Deprecate a lesson, optionally naming the one that supersedes it",
                input: .object(
                    [("id", .string(minLength: 1, maxLength: 128)), ("superseded_by", .string(minLength: 1, maxLength: 128))],
                    required: ["id"]),
                hints: .idempotentWrite
            ) { (arguments) throws(ToolError) in
                try await context.lessons().deprecate(LessonsDeprecateInput.fromToolArguments(.object(arguments))).json
            },
        ]
    }
}
