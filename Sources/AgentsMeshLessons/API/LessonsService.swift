internal import AgentsMeshKit
public import SharedCore
internal import SharedPlatform

/// The lessons library API for one project root: the five tools of §7 (`lessons_query`, `lessons_add`,
/// `lessons_topics`, `lessons_show`, `lessons_deprecate`) plus `validate`. The CLI verbs and the MCP server
/// both call it, so they cannot disagree.
///
/// The actor serialises in-process writers; `.lessons.lock/` serialises processes. Reads reuse a compiled
/// index while the graph bytes are unchanged.
public actor LessonsService {
    /// The project root (see `LessonsRoot`).
    public nonisolated let root: String
    private let environment: [String: String]
    private let lockTimeout: Double
    private let now: @Sendable () -> Double
    /// The index of the graph bytes last read, and the graph once built from it.
    private var cached: (bytes: [UInt8], index: GraphIndex, graph: LessonGraph?)?

    /// Creates the service. `environment` supplies `AGENTSMESH_SESSION_ID` and the config overrides;
    /// `now` is the clock used for `createdAt` and the recall log.
    public init(
        root: String, environment: [String: String] = ProcessEnvironment.current, lockTimeout: Double = 10,
        now: @escaping @Sendable () -> Double = { Clock.now() }
    ) {
        self.root = root
        self.environment = environment
        self.lockTimeout = lockTimeout
        self.now = now
    }

    private var file: GraphFile { GraphFile(root: root) }

    // MARK: - Reads

    /// The graph as stored (empty when `lessons.json` does not exist).
    public func graph() throws(ToolError) -> LessonGraph {
        let index = try index()
        if let graph = index.prebuiltGraph { return graph }
        // `index()` left the cache holding this index.
        if let graph = cached?.graph { return graph }
        let graph = index.makeGraph()
        cached?.graph = graph
        return graph
    }

    private func index() throws(ToolError) -> GraphIndex {
        guard let bytes = try file.readBytes() else {
            cached = nil
            return GraphIndex(LessonGraph())
        }
        if let cached, cached.bytes == bytes, !file.isUnmergedInIndex() { return cached.index }
        let index = try file.decodeIndex(bytes)
        cached = (bytes, index, nil)
        return index
    }

    /// `lessons_query` / `lessons query` (§6.4, §6.5).
    public func query(_ input: LessonsQueryInput, mode: LessonsOutputMode) throws(ToolError) -> LessonsQueryResult {
        guard input.hasPredicate || input.always else {
            throw ToolError(ErrorCode.usage, "lessons query needs --file, --cmd, --keyword or --always")
        }
        let config = try LessonsConfig.load(root: root, environment: environment)
        let index = try index()
        let files = input.file.compactMap(projectRelative)
        let command = input.command.flatMap { $0.isEmpty ? nil : $0 }
        let query = LessonRecall.Query(
            files: files, command: command, keywords: input.keyword.filter { !$0.isEmpty }, always: input.always)
        let outcome = LessonRecall(index: index).run(query)

        var ranked = outcome.ranked
        var suppressed = 0
        let session = input.noDedup ? nil : RecallLog.resolveSession(input.session, environment: environment)
        let log = RecallLog(root: root)
        if let session {
            let seen = log.returnedIDs(session: session)
            let before = ranked.count
            ranked.removeAll { seen.contains($0.lesson.id) }
            suppressed = before - ranked.count
        }
        let selected = LessonsService.applyCaps(
            ranked, limit: input.all ? nil : LessonsService.clampLimit(input.limit ?? config.recallLimit),
            maxTokens: input.all ? nil : LessonsService.clampTokens(input.maxTokens ?? config.recallMaxTokens),
            mode: mode)
        if let session, !selected.isEmpty {
            try log.record(session: session, ids: selected.map(\.id), at: Clock.iso(seconds: Int(now()), milliseconds: 0))
        }
        let items = selected.map { pick in
            LessonsQueryResult.Item(
                id: pick.ranked.lesson.id, rule: pick.rule, topics: pick.ranked.lesson.topics,
                triggers: pick.ranked.lesson.triggers.compactMap { index.trigger($0) },
                evidence: pick.ranked.lesson.evidence, score: pick.ranked.score, lexical: pick.ranked.lexical,
                matchedTriggers: pick.ranked.matchedTriggers)
        }
        return LessonsQueryResult(lessons: items, suppressed: suppressed, verbose: input.verbose, warnings: outcome.warnings)
    }

    static func clampLimit(_ value: Int) -> Int {
        min(max(value, LessonsConfig.recallLimitRange.lowerBound), LessonsConfig.recallLimitRange.upperBound)
    }

    static func clampTokens(_ value: Int) -> Int { min(max(value, 0), LessonsConfig.maximumRecallTokens) }

    struct Pick {
        var ranked: LessonRecall.Ranked
        var rule: String
        var id: String { ranked.lesson.id }
    }

    /// Count, token and payload caps of §6.5; the top result is always kept (cut to the payload cap).
    static func applyCaps(_ ranked: [LessonRecall.Ranked], limit: Int?, maxTokens: Int?, mode: LessonsOutputMode) -> [Pick] {
        var out: [Pick] = []
        var tokens = 0
        var characters = 0
        for item in ranked {
            if let limit, out.count >= limit { break }
            var rule = item.lesson.rule
            if let cap = mode.perRuleCharacterCap, rule.count > cap { rule = String(rule.prefix(cap - 1)) + "…" }
            let cost = (item.lesson.rule.count + 3) / 4
            if let maxTokens, !out.isEmpty, tokens + cost > maxTokens { break }
            if let cap = mode.totalCharacterCap {
                if !out.isEmpty && characters + rule.count > cap { break }
                if out.isEmpty && rule.count > cap { rule = String(rule.prefix(cap - 1)) + "…" }
            }
            tokens += cost
            characters += rule.count
            out.append(Pick(ranked: item, rule: rule))
        }
        return out
    }

    /// A query path made project-relative: absolute paths must lie inside the root (others match nothing);
    /// a leading `./` is dropped.
    private nonisolated func projectRelative(_ path: String) -> String? {
        var text = path
        if text.hasPrefix("/") {
            let base = FileSystem.realPath(root) ?? root
            let resolved = LessonsService.resolveLexically(text)
            if resolved.hasPrefix(base + "/") {
                text = String(resolved.dropFirst(base.count + 1))
            } else if resolved.hasPrefix(root + "/") {
                text = String(resolved.dropFirst(root.count + 1))
            } else {
                return nil
            }
        }
        while text.hasPrefix("./") { text.removeFirst(2) }
        return text.isEmpty ? nil : text
    }

    /// `path` with `.` and `..` segments removed (no filesystem access); `nil`-free: escapes stay at `/`.
    static func resolveLexically(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
            } else {
                parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `lessons_topics` / `lessons topics`.
    public func topics() throws(ToolError) -> LessonsTopicsResult {
        let graph = try graph()
        var counts: [String: Int] = [:]
        for lesson in graph.lessons.values where lesson.status == .active {
            for topic in Set(lesson.topics) { counts[topic, default: 0] += 1 }
        }
        let entries = graph.topics.values.sorted { FileSystem.byteOrder($0.id, $1.id) }.map {
            LessonsTopicsResult.Entry(id: $0.id, summary: $0.summary, lessons: counts[$0.id] ?? 0)
        }
        return LessonsTopicsResult(topics: entries)
    }

    /// `lessons_show` / `lessons show`: a topic's lessons (inactive included), or one lesson by id.
    public func show(_ input: LessonsShowInput) throws(ToolError) -> LessonsShowResult {
        let graph = try graph()
        let key = input.topic
        let members: [Lesson]
        if graph.topics[key] != nil {
            members = graph.lessons.values.filter { $0.topics.contains(key) }
        } else if let lesson = graph.lessons[key] {
            members = [lesson]
        } else {
            throw ToolError(ErrorCode.notFound, "no topic or lesson named '\(key)'", details: ["id": .string(key)])
        }
        let ordered = members.sorted { lhs, rhs in
            if lhs.createdAt != rhs.createdAt { return FileSystem.byteOrder(rhs.createdAt, lhs.createdAt) }
            return FileSystem.byteOrder(lhs.id, rhs.id)
        }
        let listed = ordered.prefix(LessonsShowResult.maximumListed).map { lesson in
            LessonsShowResult.Entry(lesson: lesson, triggers: lesson.triggers.compactMap { graph.triggers[$0] })
        }
        return LessonsShowResult(lessons: Array(listed), omitted: ordered.count - listed.count)
    }

    // MARK: - Writes

    /// Runs `body` on the freshest graph under the lessons lock and writes the result when it changed.
    private func mutate<T>(
        command: String, _ body: (inout LessonGraph) throws(ToolError) -> T
    ) throws(ToolError) -> T {
        let lock = LessonsLock.make(root: root)
        try lock.acquire(command: command, timeout: lockTimeout)
        defer { lock.release() }
        let existing = try file.readBytes()
        var graph = try existing.map { bytes throws(ToolError) in try file.decode(bytes) } ?? LessonGraph()
        let before = graph
        let result = try body(&graph)
        if graph != before {
            graph.sourceVersion = LessonGraph.currentVersion
            try file.write(graph)
            cached = nil
        }
        return result
    }

    /// `lessons_add` / `lessons add` (§6.3, §6.6). Idempotent: the same rule in the same topic returns the
    /// existing id with `created: false` (new triggers and evidence are merged into it).
    public func add(_ input: LessonsAddInput) throws(ToolError) -> LessonsAddResult {
        let rule = input.rule.trimmingWhitespace
        guard !rule.isEmpty else {
            throw ToolError(ErrorCode.validationFailed, "the rule text is empty", details: ["field": "rule"])
        }
        guard LessonGraph.isValidID(input.topic) else {
            throw ToolError(
                LessonsErrorCode.invalidTopicID, "topic id '\(input.topic)' must match ^[a-z0-9-]+$",
                details: ["topic": .string(input.topic)])
        }
        if let scope = input.scope, scope != LessonGraph.alwaysScope {
            throw ToolError(ErrorCode.validationFailed, "scope must be \"always\"", details: ["field": "scope"])
        }
        let summary = input.topicSummary?.trimmingWhitespace ?? ""
        if input.newTopic && summary.isEmpty {
            throw ToolError(
                LessonsErrorCode.topicSummaryRequired, "--new-topic needs --topic-summary \"…\" describing the topic",
                details: ["topic": .string(input.topic)])
        }
        var capture = TriggerCapture(root: root)
        try capture.run(input)
        let live = capture.triggers.contains { $0.live }
        if !live && input.scope != LessonGraph.alwaysScope {
            throw ToolError(
                LessonsErrorCode.unrecallableLesson,
                "the lesson has no live trigger, so it would never be recalled; add --trigger-file, --trigger-cmd or --trigger-kw, or --scope always",
                details: ["warnings": .array(capture.warnings.map(\.json))])
        }
        let today = LocalDate.today(now: now())
        return try mutate(command: "lessons add") { (graph: inout LessonGraph) throws(ToolError) -> LessonsAddResult in
            if graph.topics[input.topic] == nil {
                guard input.newTopic else {
                    throw ToolError(
                        LessonsErrorCode.invalidTopicID,
                        "unknown topic '\(input.topic)'; pick one from `agentsmesh lessons topics` or pass --new-topic --topic-summary \"…\"",
                        details: ["topic": .string(input.topic)])
                }
                graph.topics[input.topic] = LessonTopic(id: input.topic, summary: summary)
            }
            let stored = capture.triggers.filter(\.store).map(\.trigger)
            for trigger in stored where graph.triggers[trigger.id] == nil { graph.triggers[trigger.id] = trigger }
            var warnings = capture.warnings

            if let existing = graph.lessons.values.first(where: { $0.rule.trimmingWhitespace == rule && $0.topics.contains(input.topic) }) {
                var lesson = existing
                for trigger in stored where !lesson.triggers.contains(trigger.id) { lesson.triggers.append(trigger.id) }
                for reference in input.evidence where !lesson.evidence.contains(reference) { lesson.evidence.append(reference) }
                if lesson.rationale == nil, let rationale = input.rationale { lesson.rationale = rationale }
                if lesson.scope == nil, let scope = input.scope { lesson.scope = scope }
                graph.lessons[lesson.id] = lesson
                LessonsService.dropUnusedTriggers(&graph, candidates: stored.map(\.id))
                return LessonsAddResult(id: lesson.id, created: false, warnings: warnings)
            }
            warnings += LessonsService.nearDuplicates(of: rule, topic: input.topic, in: graph)
            var attempt = 1
            var id = LessonID.make(topic: input.topic, rule: rule)
            while graph.lessons[id] != nil {
                attempt += 1
                id = LessonID.make(topic: input.topic, rule: rule, attempt: attempt)
            }
            var unique: [String] = []
            for trigger in stored where !unique.contains(trigger.id) { unique.append(trigger.id) }
            var evidence: [String] = []
            for reference in input.evidence where !evidence.contains(reference) { evidence.append(reference) }
            graph.lessons[id] = Lesson(
                id: id, rule: rule, createdAt: today, evidence: evidence, rationale: input.rationale, scope: input.scope,
                topics: [input.topic], triggers: unique)
            return LessonsAddResult(id: id, created: true, warnings: warnings)
        }
    }

    /// Removes triggers that were added for this call but that no lesson references.
    private static func dropUnusedTriggers(_ graph: inout LessonGraph, candidates: [String]) {
        for id in candidates where !graph.lessons.values.contains(where: { $0.triggers.contains(id) }) {
            graph.triggers[id] = nil
        }
    }

    /// `NEAR_DUPLICATE_LESSON` warnings: active lessons of the same topic whose BM25 score against the new
    /// rule reaches 60 % of the score a verbatim copy would get.
    static func nearDuplicates(of rule: String, topic: String, in graph: LessonGraph) -> [LessonsWarning] {
        let terms = Array(Set(Tokenizer.tokens(rule))).sorted()
        guard !terms.isEmpty else { return [] }
        var probe = graph
        let probeID = "~probe"
        probe.lessons[probeID] = Lesson(id: probeID, rule: rule, createdAt: "9999-12-31", topics: [topic], triggers: [])
        let index = GraphIndex(probe)
        guard let own = index.position(of: probeID) else { return [] }
        let statistics = index.lexicalStatistics(terms)
        let ceiling = statistics.bm25(own)
        guard ceiling > 0 else { return [] }
        var out: [LessonsWarning] = []
        for (position, lesson) in index.lessons.enumerated() where position != own && lesson.topics.contains(topic) {
            let score = statistics.bm25(position)
            if score >= 0.6 * ceiling {
                out.append(
                    LessonsWarning(
                        code: LessonsErrorCode.nearDuplicateLesson,
                        message: "a similar lesson exists in topic '\(topic)': \(lesson.id)", pattern: lesson.id))
            }
        }
        return out
    }

    /// `lessons_deprecate` / `lessons deprecate`: status becomes `deprecated`, or `superseded` with a replacement.
    public func deprecate(_ input: LessonsDeprecateInput) throws(ToolError) -> LessonsDeprecateResult {
        try mutate(command: "lessons deprecate") { (graph: inout LessonGraph) throws(ToolError) -> LessonsDeprecateResult in
            guard var lesson = graph.lessons[input.id] else {
                throw ToolError(ErrorCode.notFound, "no lesson named '\(input.id)'", details: ["id": .string(input.id)])
            }
            if let replacement = input.supersededBy {
                guard replacement != input.id else {
                    throw ToolError(ErrorCode.validationFailed, "a lesson cannot supersede itself", details: ["id": .string(input.id)])
                }
                guard graph.lessons[replacement] != nil else {
                    throw ToolError(
                        ErrorCode.notFound, "no lesson named '\(replacement)' to supersede '\(input.id)'",
                        details: ["id": .string(replacement)])
                }
                lesson.status = .superseded
                lesson.supersededBy = replacement
            } else {
                lesson.status = .deprecated
                lesson.supersededBy = nil
            }
            graph.lessons[input.id] = lesson
            return LessonsDeprecateResult(id: lesson.id, status: lesson.status)
        }
    }

    // MARK: - Validate

    /// The §6.2 read error of the graph under `root` (`MERGE_CONFLICT`, `CORRUPT_GRAPH`, `SCHEMA_INVALID`,
    /// `NEWER_GRAPH_VERSION`), or `nil` when it is missing or reads cleanly. `check` and `generate --check` use it.
    public static func graphReadError(root: String) -> ToolError? {
        GraphFile.readError(root: root)
    }

    /// Whether `lessons.json` exists under `root`.
    public static func graphExists(root: String) -> Bool {
        FileSystem.kind(root + "/" + LessonsFiles.graph) != .missing
    }

    /// `lessons validate` (§6.6): schema and invariants, dangling references, duplicate rules and unsafe
    /// patterns (errors); orphan topics and triggers (warnings); the lessons contract in `_root.md` (error).
    public func validate() throws(ToolError) -> LessonsValidateResult {
        LessonsService.validate(root: root)
    }

    /// `validate` without an actor hop, for `lint`.
    public static func validate(root: String) -> LessonsValidateResult {
        LessonsValidator(root: root).run()
    }
}
