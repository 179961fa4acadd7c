public import SharedCore

/// Inputs of `lessons_query` (tool 46) and `agentsmesh lessons query`.
public struct LessonsQueryInput: Sendable, Equatable {
    /// The MCP tool name.
    public static let toolName = "lessons_query"

    /// Files about to be edited (project-relative, or absolute inside the project).
    public var file: [String]
    /// A command about to be run.
    public var command: String?
    /// Free keywords.
    public var keyword: [String]
    /// Result count cap (`--top`); defaults to `recallLimit`, clamped 1–50.
    public var limit: Int?
    /// Token budget; defaults to `recallMaxTokens`, clamped to at most 8,000.
    public var maxTokens: Int?
    /// Adds `topics`, `triggers`, `evidence`, `score` and `lexical` to each lesson.
    public var verbose: Bool
    /// Also recall active lessons with `scope: always`.
    public var always: Bool
    /// Session id for de-duplication, or `auto`.
    public var session: String?
    /// Returns lessons already shown to the session again.
    public var noDedup: Bool
    /// CLI `--all`: lifts the count and token caps.
    public var all: Bool

    /// Creates a query.
    public init(
        file: [String] = [], command: String? = nil, keyword: [String] = [], limit: Int? = nil,
        maxTokens: Int? = nil, verbose: Bool = false, always: Bool = false, session: String? = nil,
        noDedup: Bool = false, all: Bool = false
    ) {
        self.file = file
        self.command = command
        self.keyword = keyword
        self.limit = limit
        self.maxTokens = maxTokens
        self.verbose = verbose
        self.always = always
        self.session = session
        self.noDedup = noDedup
        self.all = all
    }

    /// Whether at least one predicate (`file`, `command`, `keyword`) is given.
    public var hasPredicate: Bool {
        file.contains { !$0.isEmpty } || !(command ?? "").isEmpty || keyword.contains { !$0.isEmpty }
    }

    /// Decodes tool arguments: `file`, `command|cmd`, `keyword`, `limit`, `max_tokens|max-tokens`, `verbose`,
    /// `always`, `session`, `no_dedup|no-dedup`; unknown properties → `VALIDATION_FAILED`.
    public static func fromToolArguments(_ arguments: JSONValue?) throws(ToolError) -> LessonsQueryInput {
        var reader = ToolArguments(arguments)
        var input = LessonsQueryInput()
        input.file = reader.strings("file")
        input.command = reader.string("command", "cmd")
        input.keyword = reader.strings("keyword")
        input.limit = reader.integer("limit")
        input.maxTokens = reader.integer("max_tokens", "max-tokens")
        input.verbose = reader.bool("verbose")
        input.always = reader.bool("always")
        input.session = reader.string("session")
        input.noDedup = reader.bool("no_dedup", "no-dedup")
        try reader.finish(tool: toolName)
        return input
    }

}
