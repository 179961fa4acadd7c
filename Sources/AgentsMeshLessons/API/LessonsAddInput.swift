public import SharedCore

/// Inputs of `lessons_add` (tool 47) and `agentsmesh lessons add`.
public struct LessonsAddInput: Sendable, Equatable {
    /// The MCP tool name.
    public static let toolName = "lessons_add"

    /// The instruction to remember.
    public var rule: String
    /// The topic id.
    public var topic: String
    /// File globs (safe subset) that recall the lesson.
    public var triggerFiles: [String]
    /// Command regexes (linear-time subset) that recall the lesson.
    public var triggerCommands: [String]
    /// Keywords that recall the lesson.
    public var triggerKeywords: [String]
    /// References backing the lesson.
    public var evidence: [String]
    /// Why the rule exists.
    public var rationale: String?
    /// Creates the topic when it does not exist (needs `topicSummary`).
    public var newTopic: Bool
    /// Summary for a new topic.
    public var topicSummary: String?
    /// `always` to make the lesson recallable without triggers.
    public var scope: String?

    /// Creates an add request.
    public init(
        rule: String, topic: String, triggerFiles: [String] = [], triggerCommands: [String] = [],
        triggerKeywords: [String] = [], evidence: [String] = [], rationale: String? = nil, newTopic: Bool = false,
        topicSummary: String? = nil, scope: String? = nil
    ) {
        self.rule = rule
        self.topic = topic
        self.triggerFiles = triggerFiles
        self.triggerCommands = triggerCommands
        self.triggerKeywords = triggerKeywords
        self.evidence = evidence
        self.rationale = rationale
        self.newTopic = newTopic
        self.topicSummary = topicSummary
        self.scope = scope
    }

    /// Decodes tool arguments: **rule, topic**, `trigger_files|trigger_file`, `trigger_commands|trigger_cmd`,
    /// `trigger_keywords|trigger_kw` (string or array), `evidence`, `rationale`, `new_topic`, `topic_summary`,
    /// `scope`; unknown properties → `VALIDATION_FAILED`.
    public static func fromToolArguments(_ arguments: JSONValue?) throws(ToolError) -> LessonsAddInput {
        var reader = ToolArguments(arguments)
        let rule = reader.string("rule", required: true)
        let topic = reader.string("topic", required: true)
        var input = LessonsAddInput(rule: rule ?? "", topic: topic ?? "")
        input.triggerFiles = reader.strings("trigger_files", "trigger_file")
        input.triggerCommands = reader.strings("trigger_commands", "trigger_cmd")
        input.triggerKeywords = reader.strings("trigger_keywords", "trigger_kw")
        input.evidence = reader.strings("evidence")
        input.rationale = reader.string("rationale")
        input.newTopic = reader.bool("new_topic")
        input.topicSummary = reader.string("topic_summary")
        input.scope = reader.string("scope")
        try reader.finish(tool: toolName)
        return input
    }

}
