internal import SharedCore

/// `lessons validate` (§6.6). Never throws for graph problems: every finding becomes a diagnostic.
struct LessonsValidator {
    /// The heading the lessons contract puts into `_root.md`.
    static let contractHeading = "## Lessons ("

    let root: String

    func run() -> LessonsValidateResult {
        var out: [LessonsDiagnostic] = []
        func error(_ code: String, _ message: String, _ path: String?) {
            out.append(LessonsDiagnostic(severity: .error, code: code, message: message, path: path))
        }
        func warning(_ code: String, _ message: String, _ path: String?) {
            out.append(LessonsDiagnostic(severity: .warning, code: code, message: message, path: path))
        }
        let file = GraphFile(root: root)
        do {
            guard let bytes = try file.readBytes() else {
                error(ErrorCode.notFound, "\(LessonsFiles.graph) does not exist; run agentsmesh init --lessons", LessonsFiles.graph)
                return finish(out)
            }
            if file.isUnmergedInIndex() {
                error(
                    LessonsErrorCode.mergeConflict, "\(LessonsFiles.graph) is unmerged in the git index; resolve it and git add it",
                    LessonsFiles.graph)
            }
            let decoded = try LessonGraphCodec.decodeLeniently(bytes: bytes, displayPath: LessonsFiles.graph)
            for issue in decoded.issues { error(LessonsErrorCode.schemaInvalid, issue.message, issue.path) }
            check(decoded.graph, error: error, warning: warning)
        } catch let failure {
            error(failure.code, failure.message, LessonsFiles.graph)
        }
        checkContract(error: error)
        return finish(out)
    }

    private func check(
        _ graph: LessonGraph, error: (String, String, String?) -> Void, warning: (String, String, String?) -> Void
    ) {
        let lessonIDs = graph.lessons.keys.sorted(by: FileSystem.byteOrder)
        var firstWithRule: [String: String] = [:]
        for id in lessonIDs {
            guard let lesson = graph.lessons[id] else { continue }
            let rule = lesson.rule.trimmingWhitespace
            if let first = firstWithRule[rule] {
                error(LessonsErrorCode.duplicateRule, "lesson '\(id)' repeats the rule of '\(first)'", "lessons.\(id).rule")
            } else {
                firstWithRule[rule] = id
            }
            if lesson.status == .active && lesson.triggers.isEmpty && !lesson.isAlwaysScoped {
                error(
                    LessonsErrorCode.unrecallableLesson,
                    "lesson '\(id)' has no trigger and no scope \"always\", so it is never recalled", "lessons.\(id).triggers")
            }
        }
        for id in graph.triggers.keys.sorted(by: FileSystem.byteOrder) {
            guard let trigger = graph.triggers[id] else { continue }
            let path = "triggers.\(id).pattern"
            switch trigger.kind {
            case .fileGlob:
                do {
                    _ = try GlobPattern(trigger.pattern)
                } catch let failure {
                    error(LessonsErrorCode.unsafeGlobPattern, "'\(trigger.pattern)': \(failure.message)", path)
                }
            case .commandPattern:
                do {
                    _ = try CommandPattern(trigger.pattern)
                } catch let failure {
                    error(LessonsErrorCode.unsafeCommandPattern, "'\(trigger.pattern)': \(failure.message)", path)
                }
            case .keyword:
                if Tokenizer.tokens(trigger.pattern).isEmpty {
                    warning(LessonsErrorCode.deadKeyword, "keyword '\(trigger.pattern)' has no searchable word", path)
                }
            }
        }
        let usedTopics = Set(graph.lessons.values.flatMap(\.topics))
        let usedTriggers = Set(graph.lessons.values.flatMap(\.triggers))
        for id in graph.topics.keys.sorted(by: FileSystem.byteOrder) where !usedTopics.contains(id) {
            warning(LessonsErrorCode.orphanTopic, "topic '\(id)' has no lessons", "topics.\(id)")
        }
        for id in graph.triggers.keys.sorted(by: FileSystem.byteOrder) where !usedTriggers.contains(id) {
            warning(LessonsErrorCode.orphanTrigger, "trigger '\(id)' is not used by any lesson", "triggers.\(id)")
        }
    }

    private func checkContract(error: (String, String, String?) -> Void) {
        let path = LessonsFiles.rootRule
        let text = (try? FileSystem.readIfExists(root + "/" + path, displayPath: path)).flatMap { $0 }
            .map { String(decoding: $0, as: UTF8.self) }
        let hasHeading =
            text.map { body in
                body.split(separator: "\n", omittingEmptySubsequences: false).contains { $0.hasPrefix(LessonsValidator.contractHeading) }
            } ?? false
        if !hasHeading {
            error(
                LessonsErrorCode.lessonsContractMissing,
                "\(path) lacks the '## Lessons (project memory)' contract; run agentsmesh init --lessons to add it", path)
        }
    }

    private func finish(_ diagnostics: [LessonsDiagnostic]) -> LessonsValidateResult {
        let errors = diagnostics.filter { $0.severity == .error }
        let warnings = diagnostics.filter { $0.severity == .warning }
        return LessonsValidateResult(diagnostics: errors + warnings)
    }
}
