import Foundation
import SharedCore
import TestSupport
import Testing

@testable import AgentsMeshLessons

/// The fast decoder of `lessons.json` must yield exactly what the generic path (`JSONParser` + reader)
/// yields: the same graph, byte for byte, when it accepts a document, and — because it then steps aside —
/// the same graph, issues or error for everything else.
@Suite struct FastDecoderTests {
    /// A small, well-formed version-2 graph as this library writes it.
    static let clean = #"""
        {
          "lessons": {
            "ci-pin-node": {
              "createdAt": "2026-01-02",
              "evidence": [
                "PR #12"
              ],
              "rationale": "Node 22 broke the build",
              "rule": "Pin node to 20 in CI.",
              "status": "active",
              "topics": [
                "ci"
              ],
              "triggers": [
                "t-cmd-1",
                "t-kw-1"
              ]
            },
            "ci-old": {
              "createdAt": "2025-12-31T23:59:59Z",
              "evidence": [],
              "rule": "Use node 18.",
              "status": "superseded",
              "supersededBy": "ci-pin-node",
              "topics": [
                "ci"
              ],
              "triggers": [
                "t-kw-1"
              ]
            },
            "docs-always": {
              "createdAt": "2026-02-03",
              "rule": "Keep the changelog current.",
              "scope": "always",
              "status": "deprecated",
              "topics": [
                "ci",
                "docs"
              ],
              "triggers": []
            }
          },
          "topics": {
            "ci": {
              "summary": "Continuous integration"
            },
            "docs": {
              "summary": ""
            }
          },
          "triggers": {
            "t-cmd-1": {
              "kind": "command_pattern",
              "pattern": "^npm (run )?test"
            },
            "t-glob-1": {
              "kind": "file_glob",
              "pattern": "src/**/*.ts"
            },
            "t-kw-1": {
              "kind": "keyword",
              "pattern": "node version"
            }
          },
          "version": 2
        }

        """#

    // MARK: Documents the fast path reads

    @Test func readsTheCleanGraphExactlyAsTheGenericPath() throws {
        let fast = try #require(LessonGraphFastDecoder.decode(Array(FastDecoderTests.clean.utf8)))
        try expectSameAsGeneric(FastDecoderTests.clean, accepted: true)
        // The file lists `ci-pin-node` before `ci-old`: not in id order.
        #expect(!fast.lessonsSorted)
        #expect(fast.lessons.map(\.id) == ["ci-pin-node", "ci-old", "docs-always"])
        #expect(fast.trigger("t-kw-1")?.pattern == "node version")
        #expect(fast.trigger("t-kw-2") == nil)
        let sorted = FastDecoderTests.clean.replacingOccurrences(of: "ci-pin-node", with: "ci-a-pin-node")
        let ordered = try #require(LessonGraphFastDecoder.decode(Array(sorted.utf8)))
        #expect(ordered.lessonsSorted)
        #expect(ordered.lessons.map(\.id) == ["ci-a-pin-node", "ci-old", "docs-always"])
        try expectSameAsGeneric(sorted, accepted: true)
    }

    @Test func readsWhatTheLibraryWritesForManyGeneratedGraphs() throws {
        var random = SplitMix(seed: 7)
        for round in 0..<40 {
            let graph = FastDecoderTests.randomGraph(&random, lessons: round * 3)
            let text = graph.serialized()
            let fast = try #require(LessonGraphFastDecoder.decode(Array(text.utf8)), "round \(round)")
            #expect(fast.graph == graph)
            #expect(FastDecoderTests.fingerprint(fast.graph) == FastDecoderTests.fingerprint(graph))
            #expect(fast.lessonsSorted)
            #expect(fast.lessons.map(\.id) == graph.lessons.keys.sorted())
            for (id, trigger) in graph.triggers { #expect(fast.trigger(id) == trigger) }
            try expectSameAsGeneric(text, accepted: true)
            // Compact (one-line) JSON too.
            let compact = JSONEmitter.compact(graph.json)
            try expectSameAsGeneric(compact, accepted: true)
        }
    }

    @Test func escapesAndUnicodeDecodeToTheSameBytes() throws {
        let rules = [
            #"Quote \"this\" and back\\slash, a \/ slash"#,
            #"Controls \b\f\n\r\t end"#,
            #"Escaped \u00e9 and \u00C9, \u65e5\u672c, NUL \u0000 here"#,
            #"Pair \ud83d\ude00 emoji"#,
            "Raw é, 日本語, 😀 and e\u{301} (decomposed)",
            "Mixed raw ü and escaped \\u00fc",
            "Hangul 한국어 and Kelvin \u{212A}",
        ]
        for rule in rules {
            let text = FastDecoderTests.oneLesson(rule: rule)
            try expectSameAsGeneric(text, accepted: true)
        }
        // Escapes and unicode in every kind of string.
        let text = #"""
            {"lessons":{"a-b":{"createdAt":"2026-01-01","evidence":["PR \"7\"","ü\u00fc"],"rationale":"line\nbreak",
            "rule":"R\u00e9gle","status":"active","topics":["t"],"triggers":["t-kw-1"]}},
            "topics":{"t":{"summary":"Sum\tmary 😀"}},"triggers":{"t-kw-1":{"kind":"keyword","pattern":"caf\u00e9 ☕"}},
            "version":2}
            """#
        try expectSameAsGeneric(text, accepted: true)
    }

    @Test func byteOrderMarkAndWhitespaceAreAccepted() throws {
        let text = "\u{FEFF} \r\n\t" + FastDecoderTests.oneLesson(rule: "R") + " \n\n"
        try expectSameAsGeneric(text, accepted: true)
    }

    // MARK: Documents left to the generic path

    @Test func versionOneGraphsFallBack() throws {
        let cases = [
            #"{"lessons": [{"id": "ci-pin-node", "rule": "Pin node", "topics": ["ci"], "triggers": ["t1"]}], "topics": [{"id": "ci"}], "triggers": [{"id": "t1", "kind": "kw", "pattern": "node"}]}"#,
            #"{"version": 1, "lessons": {"a": {"rule": "R", "topics": [], "triggers": []}}, "topics": {}, "triggers": {}}"#,
            #"{"lessons": {}, "topics": {}, "triggers": {"t": {"kind": "glob", "pattern": "*.ts"}}}"#,
            #"{"lessons": [{"rule": "no id"}], "topics": [], "triggers": []}"#,
            #"{}"#,
        ]
        for text in cases { try expectSameAsGeneric(text, accepted: false) }
    }

    @Test func unknownKeysFallBackAndSurvive() throws {
        let cases = [
            FastDecoderTests.clean.replacingOccurrences(of: "\"version\": 2", with: "\"meta\": {\"z\": 1}, \"version\": 2"),
            FastDecoderTests.clean.replacingOccurrences(
                of: "\"rule\": \"Use node 18.\",", with: "\"custom\": [1, true, null], \"rule\": \"Use node 18.\","),
            FastDecoderTests.clean.replacingOccurrences(
                of: "\"summary\": \"\"", with: "\"summary\": \"\", \"owner\": \"docs-team\""),
            FastDecoderTests.clean.replacingOccurrences(
                of: "\"pattern\": \"node version\"", with: "\"pattern\": \"node version\", \"note\": 1.5e3"),
        ]
        for text in cases {
            try expectSameAsGeneric(text, accepted: false)
            let generic = try LessonGraphCodec.decodeGenerically(bytes: Array(text.utf8), displayPath: "g")
            #expect(generic.issues.isEmpty)
        }
    }

    @Test func unusualButValidSpellingsFallBackToTheSameGraph() throws {
        let cases = [
            FastDecoderTests.clean.replacingOccurrences(of: "\"version\": 2", with: "\"version\": 2.0"),
            FastDecoderTests.clean.replacingOccurrences(of: "\"version\": 2", with: "\"version\": 20e-1"),
            // A repeated key: the generic parser keeps the last value.
            FastDecoderTests.clean.replacingOccurrences(
                of: "\"rule\": \"Use node 18.\",", with: "\"rule\": \"first\", \"rule\": \"Use node 18.\","),
            // A repeated lesson id.
            FastDecoderTests.clean.replacingOccurrences(
                of: "\"docs-always\": {", with: "\"ci-old\": {\"rule\": \"dup\"}, \"docs-always\": {"),
            // An escaped key.
            FastDecoderTests.clean.replacingOccurrences(
                of: "\"summary\": \"Continuous integration\"", with: "\"summar\\u0079\": \"Continuous integration\""),
        ]
        for text in cases { try expectSameAsGeneric(text, accepted: false) }
    }

    @Test func invalidGraphsKeepTheirErrorCodesAndIssues() throws {
        let lesson = #""a":{"rule":"R","status":"active","createdAt":"2026-01-01","topics":["t"],"triggers":["k"]}"#
        let rest = #""topics":{"t":{"summary":"T"}},"triggers":{"k":{"kind":"keyword","pattern":"kw"}},"version":2}"#
        let cases: [(String, String?)] = [
            ("{\"lessons\":{\(lesson)},\(rest)", nil),
            ("{\"lessons\":{\(lesson)},\(rest.replacingOccurrences(of: "\"version\":2", with: "\"version\":3"))", "NEWER_GRAPH_VERSION"),
            ("{\"lessons\":{\(lesson)},\(rest.replacingOccurrences(of: "\"version\":2", with: "\"version\":\"2\""))", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson)},\(rest.replacingOccurrences(of: "\"version\":2", with: "\"version\":0"))", "SCHEMA_INVALID"),
            ("<<<<<<< HEAD\n{\"version\":2}\n=======\n{}\n>>>>>>> theirs\n", "MERGE_CONFLICT"),
            ("{\"lessons\":{\(lesson)},\(rest)\n=======\n", "MERGE_CONFLICT"),
            ("{\"lessons\": {", "CORRUPT_GRAPH"),
            ("{\"lessons\":{\(lesson)},\(rest)x", "CORRUPT_GRAPH"),
            ("{\"lessons\":{\(lesson)},\(rest),", "CORRUPT_GRAPH"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"R\"", with: "\"\\ud800\""))},\(rest)", "CORRUPT_GRAPH"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"R\"", with: "\"\\udc00x\""))},\(rest)", "CORRUPT_GRAPH"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"R\"", with: "\"\\x\""))},\(rest)", "CORRUPT_GRAPH"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"R\"", with: "\"a\tb\""))},\(rest)", "CORRUPT_GRAPH"),
            ("[]", "SCHEMA_INVALID"),
            ("\"text\"", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"R\"", with: "\"  \\n \""))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"R\"", with: "null"))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"active\"", with: "\"retired\""))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"active\"", with: "\"superseded\""))},\(rest)", "SCHEMA_INVALID"),
            (
                "{\"lessons\":{\(lesson.replacingOccurrences(of: "\"status\":\"active\"", with: "\"status\":\"superseded\",\"supersededBy\":\"a\""))},\(rest)",
                "SCHEMA_INVALID"
            ),
            (
                "{\"lessons\":{\(lesson.replacingOccurrences(of: "\"status\":\"active\"", with: "\"status\":\"active\",\"supersededBy\":\"a\""))},\(rest)",
                "SCHEMA_INVALID"
            ),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"2026-01-01\"", with: "\"2026-1-1\""))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"2026-01-01\"", with: "\"2026-01-01 10:00\""))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "[\"t\"]", with: "[\"t\",\"t\"]"))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "[\"k\"]", with: "[\"k\",\"k\"]"))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "[\"k\"]", with: "[\"nope\"]"))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "[\"t\"]", with: "[\"t\", 1]"))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "[\"t\"]", with: "\"t\""))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: ",\"topics\":[\"t\"]", with: ""))},\(rest)", "SCHEMA_INVALID"),
            (
                "{\"lessons\":{\(lesson.replacingOccurrences(of: "\"rule\"", with: "\"scope\":\"team\",\"rule\""))},\(rest)",
                "SCHEMA_INVALID"
            ),
            ("{\"lessons\":{\(lesson.replacingOccurrences(of: "\"a\":", with: "\"Bad_ID\":"))},\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson)},\(rest.replacingOccurrences(of: "\"keyword\"", with: "\"kw\""))", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson)},\(rest.replacingOccurrences(of: "\"kw\"", with: "\"\""))", "SCHEMA_INVALID"),
            ("{\"lessons\":{\(lesson)},\(rest.replacingOccurrences(of: "\"T\"", with: "7"))", "SCHEMA_INVALID"),
            (
                "{\"lessons\":{\(lesson)},\(rest.replacingOccurrences(of: "\"topics\":{\"t\":{\"summary\":\"T\"}},", with: ""))",
                "SCHEMA_INVALID"
            ),
            ("{\"lessons\":[],\(rest)", "SCHEMA_INVALID"),
            ("{\"lessons\":{\"a\":[]},\(rest)", "SCHEMA_INVALID"),
        ]
        for (text, code) in cases {
            let accepted = LessonGraphFastDecoder.decode(Array(text.utf8)) != nil
            #expect(accepted == (code == nil), "\(text)")
            try expectSameAsGeneric(text, accepted: code == nil)
            let outcome = Outcome(text)
            if let code {
                let strict = Result { () throws(ToolError) in try LessonGraphCodec.decode(bytes: Array(text.utf8), displayPath: "g") }
                if case .failure(let error) = strict {
                    #expect(error.code == code, "\(text)")
                } else {
                    Issue.record("expected \(code) for \(text)")
                }
            } else {
                #expect(outcome.issues == [])
            }
        }
        // Invalid UTF-8, raw.
        var bytes = Array(("{\"lessons\":{\(lesson)},\(rest)").utf8)
        let at = try #require(bytes.firstIndex(of: UInt8(ascii: "R")))
        for bad: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
            var mutated = bytes
            mutated.replaceSubrange(at...at, with: bad)
            #expect(LessonGraphFastDecoder.decode(mutated) == nil)
            #expect(Outcome(bytes: mutated) == Outcome(generic: mutated))
            #expect(Outcome(bytes: mutated).error?.code == "CORRUPT_GRAPH")
        }
        bytes.removeLast()
        #expect(Outcome(bytes: bytes) == Outcome(generic: bytes))
    }

    /// Random edits of a valid document: whatever the fast path accepts must equal the generic result, and
    /// the overall outcome (graph, issues or error) never depends on which path ran.
    @Test func mutatedDocumentsAgreeWithTheGenericPath() throws {
        var random = SplitMix(seed: 99)
        let sources = [
            Array(FastDecoderTests.clean.utf8),
            Array(JSONEmitter.compact(FastDecoderTests.randomGraph(&random, lessons: 6).json).utf8),
        ]
        let alphabet = Array("{}[],:\"\\ 0129aeltnuUfr-\n\t/é".utf8)
        var accepted = 0
        for round in 0..<3000 {
            var bytes = sources[round % sources.count]
            for _ in 0...(random.next() % 3) {
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes.remove(at: position)
                case 1: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
                default: bytes[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                }
            }
            let generic = Outcome(generic: bytes)
            #expect(Outcome(bytes: bytes) == generic, "\(String(decoding: bytes, as: UTF8.self))")
            if let fast = LessonGraphFastDecoder.decode(bytes) {
                accepted += 1
                #expect(generic.issues == [])
                #expect(generic.graph.map(FastDecoderTests.fingerprint) == FastDecoderTests.fingerprint(fast.graph))
            }
        }
        #expect(accepted > 0)
    }

    @Test func dateAndRuleChecksMatchTheirDefinitions() {
        for text in [
            "2026-01-01", "2026-01-01T", "2026-01-01Tx", "2026-01-01x", "2026-01-0", "", "20260-1-01", "2026/01/01", "2026-01-01T10:00:00Z",
        ] {
            let bytes = Array(text.utf8)
            var expected = bytes.count >= 10
            if expected {
                for (index, byte) in bytes.prefix(10).enumerated() {
                    if index == 4 || index == 7 ? byte != 0x2D : (byte < 0x30 || byte > 0x39) { expected = false }
                }
                expected = expected && (bytes.count == 10 || bytes[10] == 0x54)
            }
            #expect(LessonGraphCodec.isDate(text) == expected, "\(text)")
        }
        for text in ["", " ", "\n\t", "\u{2003}", "x", " x ", "\u{00A0}", "\u{200B}"] {
            #expect(LessonGraphCodec.hasVisibleText(text) == !text.trimmingWhitespace.isEmpty, "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test func neighbouringLessonsWithEqualArraysDecodeLikeTheGenericPath() throws {
        // Equal, prefix-equal, escaped and differently spaced arrays in consecutive lessons.
        let arrays = [
            #"["t-kw-1"]"#, #"["t-kw-1"]"#, #"["t-kw-1","t-kw-2"]"#, #"["t-kw-1","t-kw-2"]"#, #"["t-kw-1"]"#,
            #"["t-kw-\u0031"]"#, #"[ "t-kw-1" ]"#, #"[]"#, #"[]"#, #"["t-kw-2","t-kw-1"]"#,
        ]
        var lessons: [String] = []
        for (n, triggers) in arrays.enumerated() {
            let evidence = n % 3 == 0 ? #"["PR \"1\""]"# : #"["PR \"1\"", "x"]"#
            lessons.append(
                #""l-\#(n)":{"createdAt":"2026-01-01","evidence":\#(evidence),"rule":"R\#(n)","status":"active","topics":["t"],"triggers":\#(triggers)}"#
            )
        }
        let text =
            #"{"lessons":{"# + lessons.joined(separator: ",")
            + #"},"topics":{"t":{"summary":"T"}},"triggers":{"t-kw-1":{"kind":"keyword","pattern":"a"},"t-kw-2":{"kind":"keyword","pattern":"b"}},"version":2}"#
        try expectSameAsGeneric(text, accepted: true)
        let fast = try #require(LessonGraphFastDecoder.decode(Array(text.utf8)))
        #expect(
            fast.lessons.map(\.triggers) == [
                ["t-kw-1"], ["t-kw-1"], ["t-kw-1", "t-kw-2"], ["t-kw-1", "t-kw-2"], ["t-kw-1"], ["t-kw-1"], ["t-kw-1"], [], [],
                ["t-kw-2", "t-kw-1"],
            ])
        #expect(fast.lessons.map(\.evidence.count) == [1, 2, 2, 1, 2, 2, 1, 2, 2, 1])
    }

    @Test func idTablesFindEveryKeyAndRejectDuplicates() throws {
        let keys =
            (0..<3000).map { "t-glob-\(String($0 * 2_654_435_761 % 4_294_967_296, radix: 16))" } + [
                "a", "b-1", "lesson-with-a-much-longer-id-than-sixteen-bytes",
            ]
        let table = try #require(IDTable(keys))
        for (position, key) in keys.enumerated() { #expect(table.position(of: key) == position) }
        for missing in ["", "c", "t-glob-", "t-glob-zz", "A", "lesson-with-a-much-longer-id-than-sixteen-byte"] {
            #expect(table.position(of: missing) == nil)
        }
        #expect(IDTable(keys + ["b-1"]) == nil)
        #expect(IDTable([]) != nil)
        #expect(IDTable([])?.position(of: "x") == nil)
    }

    // MARK: Helpers

    /// The fast and generic paths agree on `text`; `accepted` says whether the fast path must take it.
    func expectSameAsGeneric(_ text: String, accepted: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = Array(text.utf8)
        let fast = LessonGraphFastDecoder.decode(bytes)
        #expect((fast != nil) == accepted, "\(text)", sourceLocation: sourceLocation)
        let generic = Outcome(generic: bytes)
        #expect(Outcome(bytes: bytes) == generic, sourceLocation: sourceLocation)
        if let fast {
            #expect(generic.issues == [], sourceLocation: sourceLocation)
            let graph = try #require(generic.graph, sourceLocation: sourceLocation)
            #expect(fast.graph == graph, sourceLocation: sourceLocation)
            #expect(FastDecoderTests.fingerprint(fast.graph) == FastDecoderTests.fingerprint(graph), sourceLocation: sourceLocation)
            #expect(fast.graph.serialized() == graph.serialized(), sourceLocation: sourceLocation)
        }
    }

    /// What decoding produced: a graph and issues, or an error.
    struct Outcome: Equatable {
        var graph: LessonGraph?
        var fingerprint: [[UInt8]]?
        var issues: [LessonGraphCodec.Issue]?
        var error: ToolError?

        init(_ text: String) { self.init(bytes: Array(text.utf8)) }

        /// Through `decodeLeniently` (fast path first).
        init(bytes: [UInt8]) {
            self.init { () throws(ToolError) in try LessonGraphCodec.decodeLeniently(bytes: bytes, displayPath: "g") }
        }

        /// Through the generic path only.
        init(generic bytes: [UInt8]) {
            self.init { () throws(ToolError) in try LessonGraphCodec.decodeGenerically(bytes: bytes, displayPath: "g") }
        }

        init(_ decode: () throws(ToolError) -> LessonGraphCodec.Decoded) {
            do {
                let decoded = try decode()
                graph = decoded.graph
                fingerprint = FastDecoderTests.fingerprint(decoded.graph)
                issues = decoded.issues
            } catch {
                self.error = error
            }
        }
    }

    /// Every string of the graph as bytes, in a fixed order (`String ==` ignores canonical equivalence).
    static func fingerprint(_ graph: LessonGraph) -> [[UInt8]] {
        var out: [[UInt8]] = [Array("v\(graph.sourceVersion) extra \(graph.extra.count)".utf8)]
        func add(_ text: String?) { out.append(text.map { Array($0.utf8) } ?? [0xFF]) }
        for id in graph.lessons.keys.sorted(by: FileSystem.byteOrder) {
            guard let lesson = graph.lessons[id] else { continue }
            for text in [id, lesson.id, lesson.rule, lesson.createdAt, lesson.status.rawValue] { add(text) }
            for text in [lesson.rationale, lesson.scope, lesson.supersededBy] { add(text) }
            for list in [lesson.evidence, lesson.topics, lesson.triggers] {
                add("\(list.count)")
                for text in list { add(text) }
            }
            add("extra \(lesson.extra.count)")
        }
        for id in graph.topics.keys.sorted(by: FileSystem.byteOrder) {
            guard let topic = graph.topics[id] else { continue }
            for text in [id, topic.id, topic.summary, "extra \(topic.extra.count)"] { add(text) }
        }
        for id in graph.triggers.keys.sorted(by: FileSystem.byteOrder) {
            guard let trigger = graph.triggers[id] else { continue }
            for text in [id, trigger.id, trigger.kind.rawValue, trigger.pattern, "extra \(trigger.extra.count)"] { add(text) }
        }
        return out
    }

    /// A one-lesson version-2 document whose rule is the given JSON string content (escapes allowed).
    static func oneLesson(rule: String) -> String {
        #"{"lessons":{"a-b":{"createdAt":"2026-01-01","evidence":[],"rule":"\#(rule)","status":"active","topics":["t"],"triggers":["t-kw-1"]}},"topics":{"t":{"summary":"T"}},"triggers":{"t-kw-1":{"kind":"keyword","pattern":"alpha"}},"version":2}"#
    }

    /// A valid graph with varied content (unicode, quotes, every optional field).
    static func randomGraph(_ random: inout SplitMix, lessons count: Int) -> LessonGraph {
        let words = ["cache", "Schema", "déjà", "vu", "日本", "\"quoted\"", "back\\slash", "tab\there", "line\nbreak", "😀", "e\u{301}"]
        var graph = LessonGraph()
        let topicIDs = ["alpha", "beta-2", "g"]
        for id in topicIDs { graph.topics[id] = LessonTopic(id: id, summary: "About " + words[Int(random.next() % UInt64(words.count))]) }
        let patterns: [(TriggerKind, String)] = [
            (.fileGlob, "src/a.ts"), (.fileGlob, "*.swift"), (.fileGlob, "docs/**"), (.commandPattern, "^npm (run )?test"),
            (.keyword, "deploy"), (.keyword, "café au lait"),
        ]
        for (kind, pattern) in patterns {
            let trigger = LessonTrigger(kind: kind, pattern: pattern)
            graph.triggers[trigger.id] = trigger
        }
        let triggerIDs = graph.triggers.keys.sorted()
        var ids: [String] = []
        for n in 0..<count {
            let id = "\(topicIDs[n % topicIDs.count])-lesson-\(n)"
            var rule = "Rule \(n):"
            for _ in 0..<(1 + random.next() % 6) { rule += " " + words[Int(random.next() % UInt64(words.count))] }
            let status: LessonStatus = random.next() % 5 == 0 ? .deprecated : .active
            var lesson = Lesson(
                id: id, rule: rule, createdAt: random.next() % 2 == 0 ? "2026-03-0\(1 + n % 9)" : "2026-03-01T10:00:00Z",
                evidence: random.next() % 2 == 0 ? [] : ["PR #\(n)", "see \"notes\""],
                rationale: random.next() % 3 == 0 ? "Because ü \(n)" : nil,
                scope: random.next() % 4 == 0 ? LessonGraph.alwaysScope : nil, status: status,
                topics: random.next() % 3 == 0 ? [topicIDs[0], topicIDs[1]] : [topicIDs[n % topicIDs.count]],
                triggers: Array(Set((0..<(random.next() % 3)).map { _ in triggerIDs[Int(random.next() % UInt64(triggerIDs.count))] }))
                    .sorted())
            if let previous = ids.last, random.next() % 6 == 0 {
                lesson.status = .superseded
                lesson.supersededBy = previous
            }
            graph.lessons[id] = lesson
            ids.append(id)
        }
        return graph
    }
}
