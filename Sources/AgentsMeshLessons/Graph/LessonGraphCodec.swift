internal import SharedCore

/// Reads `lessons.json` bytes into a graph, classifying every failure with the codes of §6.2.
enum LessonGraphCodec {
    /// One schema or invariant violation, located by a dotted path inside the document.
    struct Issue: Sendable, Equatable {
        var path: String
        var message: String

        var json: JSONValue { ["path": .string(path), "message": .string(message)] }
    }

    /// A graph decoded as far as possible plus everything wrong with it.
    struct Decoded: Sendable {
        var graph: LessonGraph
        var issues: [Issue]
    }

    /// Whether the text holds git conflict markers (lines starting `<<<<<<<`, `>>>>>>>` or equal to `=======`).
    static func hasConflictMarkers(_ bytes: [UInt8]) -> Bool {
        var lineStart = 0
        let count = bytes.count
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var end = lineEnd
            if end > lineStart && bytes[end - 1] == 0x0D { end -= 1 }
            let length = end - lineStart
            if length >= 7 {
                let first = bytes[lineStart]
                if first == 0x3C || first == 0x3E || first == 0x3D {
                    var run = 0
                    while run < 7 && bytes[lineStart + run] == first { run += 1 }
                    if run == 7 {
                        if first == 0x3D {
                            if length == 7 { return true }
                        } else if length == 7 || bytes[lineStart + 7] == 0x20 {
                            return true
                        }
                    }
                }
            }
            lineStart = lineEnd + 1
        }
        return false
    }

    /// Decodes and throws `SCHEMA_INVALID` when any issue was found.
    static func decode(bytes: [UInt8], displayPath: String) throws(ToolError) -> LessonGraph {
        let decoded = try decodeLeniently(bytes: bytes, displayPath: displayPath)
        if !decoded.issues.isEmpty { throw schemaError(decoded.issues, displayPath: displayPath) }
        return decoded.graph
    }

    /// `decode` for queries: the index of the graph, built straight from the fast decoder's sections when
    /// it reads the document (no graph dictionaries are built then), else from the decoded graph.
    static func decodeIndex(bytes: [UInt8], displayPath: String) throws(ToolError) -> GraphIndex {
        if let snapshot = LessonGraphFastDecoder.decode(bytes) { return GraphIndex(snapshot) }
        let decoded = try decodeGenerically(bytes: bytes, displayPath: displayPath)
        if !decoded.issues.isEmpty { throw schemaError(decoded.issues, displayPath: displayPath) }
        return GraphIndex(decoded.graph)
    }

    /// The `SCHEMA_INVALID` error listing the issues.
    static func schemaError(_ issues: [Issue], displayPath: String) -> ToolError {
        var message = "\(displayPath): \(issues[0].path): \(issues[0].message)"
        if issues.count > 1 { message += " (and \(issues.count - 1) more)" }
        return ToolError(
            LessonsErrorCode.schemaInvalid, message, details: ["issues": .array(issues.map(\.json))])
    }

    /// Decodes whatever is well-formed; throws only when nothing sensible can be read
    /// (`MERGE_CONFLICT`, `CORRUPT_GRAPH`, `NEWER_GRAPH_VERSION`, or a non-object document).
    ///
    /// A clean version-2 graph is read by `LessonGraphFastDecoder`; everything else (and every failure) takes
    /// the generic path below, so results and errors are the same either way.
    static func decodeLeniently(bytes: [UInt8], displayPath: String) throws(ToolError) -> Decoded {
        if let snapshot = LessonGraphFastDecoder.decode(bytes) { return Decoded(graph: snapshot.graph, issues: []) }
        return try decodeGenerically(bytes: bytes, displayPath: displayPath)
    }

    /// The generic path: `JSONParser` into a `JSONValue` tree, then the field-by-field reader.
    static func decodeGenerically(bytes: [UInt8], displayPath: String) throws(ToolError) -> Decoded {
        if hasConflictMarkers(bytes) {
            throw ToolError(
                LessonsErrorCode.mergeConflict,
                "\(displayPath) contains git conflict markers; resolve the conflict, then run agentsmesh lessons validate")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: bytes)
        } catch {
            throw ToolError(
                LessonsErrorCode.corruptGraph,
                "\(displayPath) is not valid JSON (line \(error.line), column \(error.column): \(error.message))",
                details: ["line": .int(error.line), "column": .int(error.column)])
        }
        guard let root = value.objectValue else {
            throw schemaError([Issue(path: "$", message: "the graph must be a JSON object")], displayPath: displayPath)
        }
        let version: Int
        if let raw = root["version"] {
            guard let number = raw.intValue, number >= 1 else {
                throw schemaError(
                    [Issue(path: "version", message: "must be a positive integer")], displayPath: displayPath)
            }
            version = number
        } else {
            version = 1
        }
        if version > LessonGraph.currentVersion {
            throw ToolError(
                LessonsErrorCode.newerGraphVersion,
                "\(displayPath) has graph version \(version); this agentsmesh reads up to version \(LessonGraph.currentVersion), upgrade agentsmesh",
                details: ["version": .int(version), "supported": .int(LessonGraph.currentVersion)])
        }
        var reader = Reader(version: version)
        let graph = reader.read(root)
        return Decoded(graph: graph, issues: reader.issues)
    }

    /// `YYYY-MM-DD`, optionally followed by `T…` (an ISO datetime).
    static func isDate(_ text: String) -> Bool {
        var count = 0
        var valid = true
        var followedByT = false
        for byte in text.utf8 {
            if count < 10 {
                if count == 4 || count == 7 {
                    if byte != 0x2D { valid = false }
                } else if byte < 0x30 || byte > 0x39 {
                    valid = false
                }
            } else if count == 10 {
                followedByT = byte == 0x54
            } else {
                break
            }
            if !valid { return false }
            count += 1
        }
        return count == 10 || (count > 10 && followedByT)
    }

    /// Whether `text` keeps something once leading and trailing whitespace is trimmed.
    static func hasVisibleText(_ text: String) -> Bool {
        // An ASCII byte is a whole scalar; the only ASCII whitespace is U+0009…U+000D and U+0020.
        for byte in text.utf8 where byte < 0x80 && byte != 0x20 && (byte < 0x09 || byte > 0x0D) { return true }
        return text.unicodeScalars.contains { !$0.properties.isWhitespace }
    }
}

/// The field-by-field reader; version 1 graphs get defaults for fields version 2 requires.
private struct Reader {
    let version: Int
    var issues: [LessonGraphCodec.Issue] = []

    var lenient: Bool { version < 2 }

    mutating func issue(_ path: String, _ message: String) {
        issues.append(LessonGraphCodec.Issue(path: path, message: message))
    }

    mutating func read(_ root: JSONObject) -> LessonGraph {
        var graph = LessonGraph(sourceVersion: version)
        var extra = root
        for key in ["lessons", "topics", "triggers", "version"] { extra[key] = nil }
        graph.extra = extra
        for (id, object) in entries(root["triggers"], section: "triggers") {
            if let trigger = readTrigger(id: id, object) { graph.triggers[id] = trigger }
        }
        for (id, object) in entries(root["topics"], section: "topics") {
            if let topic = readTopic(id: id, object) { graph.topics[id] = topic }
        }
        for (id, object) in entries(root["lessons"], section: "lessons") {
            if let lesson = readLesson(id: id, object) { graph.lessons[id] = lesson }
        }
        checkInvariants(graph)
        return graph
    }

    /// The `(id, object)` pairs of a section: an id-keyed object, or (version 1) an array of objects with `id`.
    mutating func entries(_ value: JSONValue?, section: String) -> [(String, JSONObject)] {
        guard let value else {
            if !lenient { issue(section, "missing") }
            return []
        }
        var out: [(String, JSONObject)] = []
        switch value {
        case .object(let object):
            for (id, item) in object {
                guard let fields = item.objectValue else {
                    issue("\(section).\(id)", "must be an object")
                    continue
                }
                out.append((id, fields))
            }
        case .array(let items) where lenient:
            for (index, item) in items.enumerated() {
                guard var fields = item.objectValue, let id = fields["id"]?.stringValue else {
                    issue("\(section)[\(index)]", "must be an object with a string id")
                    continue
                }
                fields["id"] = nil
                out.append((id, fields))
            }
        default:
            issue(section, "must be an object keyed by id")
        }
        for (id, _) in out where !LessonGraph.isValidID(id) {
            issue("\(section).\(id)", "id must match ^[a-z0-9-]+$")
        }
        return out
    }

    mutating func readTrigger(id: String, _ object: JSONObject) -> LessonTrigger? {
        let path = "triggers.\(id)"
        guard let kindText = object["kind"]?.stringValue else {
            issue(path + ".kind", "must be one of file_glob, command_pattern, keyword")
            return nil
        }
        let kind: TriggerKind
        if let known = TriggerKind(rawValue: kindText) {
            kind = known
        } else if lenient, let legacy = Self.legacyKinds[kindText] {
            kind = legacy
        } else {
            issue(path + ".kind", "unknown kind '\(kindText)'; must be one of file_glob, command_pattern, keyword")
            return nil
        }
        guard let pattern = object["pattern"]?.stringValue, !pattern.isEmpty else {
            issue(path + ".pattern", "must be a non-empty string")
            return nil
        }
        let extra = Self.unknownKeys(object, known: Self.triggerKeySet)
        return LessonTrigger(id: id, kind: kind, pattern: pattern, extra: extra)
    }

    static let legacyKinds: [String: TriggerKind] = [
        "file": .fileGlob, "glob": .fileGlob, "command": .commandPattern, "cmd": .commandPattern,
        "kw": .keyword,
    ]

    mutating func readTopic(id: String, _ object: JSONObject) -> LessonTopic? {
        let summary: String
        if let text = object["summary"]?.stringValue {
            summary = text
        } else if lenient && object["summary"] == nil {
            summary = ""
        } else {
            issue("topics.\(id).summary", "must be a string")
            return nil
        }
        let extra = Self.unknownKeys(object, known: Self.topicKeySet)
        return LessonTopic(id: id, summary: summary, extra: extra)
    }

    mutating func readLesson(id: String, _ object: JSONObject) -> Lesson? {
        let path = "lessons.\(id)"
        guard let rule = object["rule"]?.stringValue, LessonGraphCodec.hasVisibleText(rule) else {
            issue(path + ".rule", "must be a non-empty string")
            return nil
        }
        var status = LessonStatus.active
        if let raw = object["status"] {
            guard let text = raw.stringValue, let parsed = LessonStatus(rawValue: text) else {
                issue(path + ".status", "must be one of active, deprecated, superseded")
                return nil
            }
            status = parsed
        } else if !lenient {
            issue(path + ".status", "missing")
        }
        var createdAt = "1970-01-01"
        if let raw = object["createdAt"] {
            if let text = raw.stringValue, LessonGraphCodec.isDate(text) {
                createdAt = text
            } else {
                issue(path + ".createdAt", "must be a date YYYY-MM-DD or an ISO datetime")
            }
        } else if !lenient {
            issue(path + ".createdAt", "missing")
        }
        let evidence = stringList(object["evidence"], path: path + ".evidence", required: false)
        let topics = stringList(object["topics"], path: path + ".topics", required: !lenient)
        let triggers = stringList(object["triggers"], path: path + ".triggers", required: !lenient)
        let rationale = optionalString(object["rationale"], path: path + ".rationale")
        let scope = optionalString(object["scope"], path: path + ".scope")
        if let scope, scope != LessonGraph.alwaysScope { issue(path + ".scope", "the only scope is \"always\"") }
        let supersededBy = optionalString(object["supersededBy"], path: path + ".supersededBy")
        let extra = Self.unknownKeys(object, known: Self.lessonKeySet)
        return Lesson(
            id: id, rule: rule, createdAt: createdAt, evidence: evidence, rationale: rationale, scope: scope,
            status: status, supersededBy: supersededBy, topics: topics, triggers: triggers, extra: extra)
    }

    static let lessonKeys = [
        "createdAt", "evidence", "rationale", "rule", "scope", "status", "supersededBy", "topics", "triggers",
    ]
    static let lessonKeySet = Set(lessonKeys)
    static let triggerKeySet: Set<String> = ["kind", "pattern"]
    static let topicKeySet: Set<String> = ["summary"]

    /// The members of `object` whose keys are not in `known` (usually none, so no copy is made).
    static func unknownKeys(_ object: JSONObject, known: Set<String>) -> JSONObject {
        var extra = JSONObject()
        for key in object.keys where !known.contains(key) { extra[key] = object[key] }
        return extra
    }

    mutating func stringList(_ value: JSONValue?, path: String, required: Bool) -> [String] {
        guard let value else {
            if required { issue(path, "missing") }
            return []
        }
        guard value.arrayValue != nil, let strings = value.stringList else {
            issue(path, "must be an array of strings")
            return []
        }
        return strings
    }

    mutating func optionalString(_ value: JSONValue?, path: String) -> String? {
        guard let value else { return nil }
        guard let text = value.stringValue else {
            issue(path, "must be a string")
            return nil
        }
        return text
    }

    mutating func checkInvariants(_ graph: LessonGraph) {
        for id in graph.lessons.keys.sorted() {
            guard let lesson = graph.lessons[id] else { continue }
            let path = "lessons.\(id)"
            for (index, topic) in lesson.topics.enumerated() where graph.topics[topic] == nil {
                issue("\(path).topics[\(index)]", "unknown topic '\(topic)'")
            }
            for (index, trigger) in lesson.triggers.enumerated() where graph.triggers[trigger] == nil {
                issue("\(path).triggers[\(index)]", "unknown trigger '\(trigger)'")
            }
            if Set(lesson.topics).count != lesson.topics.count { issue(path + ".topics", "duplicate topic") }
            if Set(lesson.triggers).count != lesson.triggers.count { issue(path + ".triggers", "duplicate trigger") }
            switch (lesson.status, lesson.supersededBy) {
            case (.superseded, nil):
                issue(path + ".supersededBy", "required when status is superseded")
            case (.superseded, let replacement?):
                if graph.lessons[replacement] == nil {
                    issue(path + ".supersededBy", "unknown lesson '\(replacement)'")
                } else if replacement == id {
                    issue(path + ".supersededBy", "a lesson cannot supersede itself")
                }
            case (_, .some):
                issue(path + ".supersededBy", "only allowed when status is superseded")
            default:
                break
            }
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
