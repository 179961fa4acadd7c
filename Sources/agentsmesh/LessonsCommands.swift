internal import AgentsMeshGeneration
internal import AgentsMeshLessons
internal import ArgumentParser
internal import SharedCore

/// `agentsmesh lessons <sub>` (§6.6): thin wrappers over `LessonsService`.
struct LessonsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lessons",
        abstract: "Recall and record project lessons (.agentsmesh/lessons/lessons.json).",
        subcommands: [
            LessonsQueryCommand.self, LessonsAddCommand.self, LessonsTopicsCommand.self, LessonsShowCommand.self,
            LessonsDeprecateCommand.self, LessonsValidateCommand.self,
        ]
    )
}

/// The service for the lessons root above the current directory.
func lessonsService() throws(ToolError) -> LessonsService {
    LessonsService(root: try LessonsRoot.require(from: FileSystem.currentDirectory()))
}

enum LessonsFormat: String, ExpressibleByArgument, CaseIterable {
    case plain
    case md
    case json
}

struct LessonsQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Lessons relevant to files, a command or keywords, best first.")

    @Option(help: "A file about to be edited (repeatable).")
    var file: [String] = []
    @Option(help: "A command about to be run.")
    var cmd: String?
    @Option(help: "A keyword (repeatable).")
    var keyword: [String] = []
    @Flag(help: "Also recall lessons with scope \"always\".")
    var always = false
    @Option(help: "Output format: plain (one rule per line), md (bullets) or json.")
    var format: LessonsFormat = .plain
    @Option(help: "Return at most this many lessons (1-50; default recallLimit).")
    var top: Int?
    @Flag(help: "Lift the count and token caps.")
    var all = false
    @Option(help: "Token budget of the result (default recallMaxTokens, at most 8000).")
    var maxTokens: Int?
    @Option(help: "Session id for de-duplication, or auto (AGENTSMESH_SESSION_ID, else the parent process).")
    var session: String?
    @Flag(help: "Return lessons this session has already seen.")
    var noDedup = false
    @Flag(help: "Prefix each plain line with [id].")
    var ids = false
    @Flag(help: "Add topics, triggers, evidence and score to JSON output.")
    var verbose = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("lessons query", json: output.json) { () throws(ToolError) in
            let service = try lessonsService()
            let cwd = FileSystem.currentDirectory()
            let input = LessonsQueryInput(
                file: file.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 }, command: cmd, keyword: keyword, limit: top,
                maxTokens: maxTokens, verbose: verbose, always: always, session: session, noDedup: noDedup, all: all)
            let asJSON = output.json || format == .json
            let result = try await service.query(input, mode: asJSON ? .json : .text)
            let text: String
            switch format {
            case .json: text = JSONEmitter.pretty(result.json)
            case .md: text = result.lessons.map { "- " + $0.rule.replacingNewlines + "\n" }.joined()
            case .plain:
                text = result.lessons.map { (ids ? "[\($0.id)] " : "") + $0.rule.replacingNewlines + "\n" }.joined()
            }
            for warning in result.warnings where !output.json { Output.stderr("warning: \(warning.code): \(warning.message)\n") }
            return VerbOutput(result.json, text)
        }
    }
}

struct LessonsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Record a lesson; the same rule in the same topic is not added twice.")

    @Argument(help: "The rule, one short imperative sentence.")
    var rule: String
    @Option(help: "Topic id (see `agentsmesh lessons topics`).")
    var topic: String
    @Option(help: "File glob that recalls the lesson (repeatable; safe subset).")
    var triggerFile: [String] = []
    @Option(help: "Command regex that recalls the lesson (repeatable; linear-time subset).")
    var triggerCmd: [String] = []
    @Option(help: "Keyword that recalls the lesson (repeatable).")
    var triggerKw: [String] = []
    @Option(help: "Reference backing the lesson, e.g. \"PR #12\" (repeatable).")
    var evidence: [String] = []
    @Option(help: "Why the rule exists.")
    var rationale: String?
    @Flag(help: "Create the topic (needs --topic-summary).")
    var newTopic = false
    @Option(help: "Summary of a new topic.")
    var topicSummary: String?
    @Option(help: "\"always\": recalled by `query --always` even without triggers.")
    var scope: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("lessons add", json: output.json) { () throws(ToolError) in
            let service = try lessonsService()
            let input = LessonsAddInput(
                rule: rule, topic: topic, triggerFiles: triggerFile, triggerCommands: triggerCmd, triggerKeywords: triggerKw,
                evidence: evidence, rationale: rationale, newTopic: newTopic, topicSummary: topicSummary, scope: scope)
            let result = try await service.add(input)
            var text = result.created ? "Added \(result.id)" : "Already recorded as \(result.id)"
            for warning in result.warnings { text += "\nwarning: \(warning.code): \(warning.message)" }
            return VerbOutput(result.json, text)
        }
    }
}

struct LessonsTopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topics", abstract: "List topics with their active lesson counts.")

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("lessons topics", json: output.json) { () throws(ToolError) in
            let result = try await lessonsService().topics()
            let text =
                result.topics.isEmpty
                ? "No topics yet."
                : result.topics.map { "\($0.id) (\($0.lessons)): \($0.summary)" }.joined(separator: "\n")
            return VerbOutput(result.json, text)
        }
    }
}

struct LessonsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a topic's lessons (inactive included) or one lesson.")

    @Argument(help: "A topic id or a lesson id.")
    var id: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("lessons show", json: output.json) { () throws(ToolError) in
            let result = try await lessonsService().show(LessonsShowInput(topic: id))
            var lines: [String] = []
            for entry in result.lessons {
                let lesson = entry.lesson
                lines.append("\(lesson.id) [\(lesson.status.rawValue), \(lesson.createdAt)]")
                lines.append("  " + lesson.rule.replacingNewlines)
                for trigger in entry.triggers { lines.append("  \(trigger.kind.rawValue): \(trigger.pattern)") }
                if let replacement = lesson.supersededBy { lines.append("  superseded by \(replacement)") }
            }
            if result.omitted > 0 { lines.append("… \(result.omitted) more") }
            return VerbOutput(result.json, lines.joined(separator: "\n"))
        }
    }
}

struct LessonsDeprecateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deprecate", abstract: "Retire a lesson, optionally naming the lesson that supersedes it.")

    @Argument(help: "The lesson id.")
    var id: String
    @Option(help: "The lesson that replaces it.")
    var supersededBy: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("lessons deprecate", json: output.json) { () throws(ToolError) in
            let result = try await lessonsService().deprecate(LessonsDeprecateInput(id: id, supersededBy: supersededBy))
            return VerbOutput(result.json, "\(result.id) is now \(result.status.rawValue)")
        }
    }
}

struct LessonsValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check the lessons graph and the lessons contract; exit 1 on errors.")

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("lessons validate", json: output.json) { () throws(ToolError) in
            let result = try await lessonsService().validate()
            if let failure = result.failure {
                if !output.json {
                    for diagnostic in result.diagnostics {
                        Output.stderr(
                            "\(diagnostic.severity.rawValue): \(diagnostic.code): \(diagnostic.path.map { $0 + ": " } ?? "")\(diagnostic.message)\n"
                        )
                    }
                }
                throw failure
            }
            var lines = result.diagnostics.map { "\($0.severity.rawValue): \($0.code): \($0.path.map { $0 + ": " } ?? "")\($0.message)" }
            lines.append("Lessons graph is valid (\(result.warningCount) warning(s)).")
            return VerbOutput(result.json, lines.joined(separator: "\n"))
        }
    }
}

extension String {
    /// The text on one line: newlines become spaces.
    fileprivate var replacingNewlines: String {
        String(map { $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }
}
