import SharedCore
import TestSupport
import Testing

@testable import AgentsMeshLessons

/// The lazy index (per-query glob compilation, trigger membership and BM25 statistics) must rank exactly as
/// the eager index it replaced (`ReferenceRecall`): same lessons, same order, bit-identical scores, same
/// matched triggers and warnings.
@Suite struct RecallEquivalenceTests {
    static let globs = [
        "src/a.ts", "./src/a.ts", "!src/a.ts", "src/*.ts", "src/**", "*.ts", "**/*.md", "docs/{a,b}.md", "src/[ab].ts",
        "src/?.ts", "../etc/passwd", "/abs/path", "src/é.ts", "src/e\u{301}.ts", "SRC/A.TS", "src/", "**", "!*.md",
        "src/a.t?", "a{b", "src/x/**/y.ts", "docs/**/*.{md,txt}", "!./docs/**", "src/module17/file3.ts", "src/module17/**",
        "src/module1/**", "*", "src/*", "+(a).ts", "src/a.ts.bak", "src/a", "s*", "src/{a,é}.ts",
    ]
    static let commands = [
        "^npm (run )?test", "^make( |$)", "git push", "(a+)+b", "a{2,3}", "\\d+", "[", "^cargo (build|test)",
        "(a|aa)*c", "^npm", "test$", "x\\by", "(", "^git (push|pull)", "é+",
    ]
    static let keywords = [
        "deploy", "cache schema", "Webhook Signature", "café", "naïve approach", "the", "a b", "module17", "ts", "src",
        "run test", "npm", "CACHE", "e\u{301}t\u{e9}", "push origin", "x",
    ]
    static let words = [
        "cache", "schema", "Deploy", "webhook", "signature", "the", "a", "and", "run", "test", "npm", "café", "naïve",
        "approach", "module17", "ts", "src", "x", "Push", "origin", "été", "e\u{301}t\u{e9}", "CACHE", "is", "should",
        "rollback", "retry", "docs", "md", "file3", "(12)", "—", "can't", "2026",
    ]

    @Test func randomGraphsAndQueriesRankIdentically() {
        var random = SplitMix(seed: 2026)
        let files = [
            "src/a.ts", "src/b.ts", "docs/a.md", "src/é.ts", "src/e\u{301}.ts", "README.md", "src/x/y.ts", "src/x/z/y.ts",
            "../etc/passwd", "SRC/A.TS", "src/a.ts.bak", "src/module17/file3.ts", "docs/sub/c.txt", "a", "src/a",
        ]
        let commandTexts = [
            "npm run test -- --watch", "make", "git push origin main", String(repeating: "a", count: 60) + "c",
            "cargo build", "xyz", "npm test", "git pull", "x y", "été", "a1234",
        ]
        let keywordTexts = [
            "webhook signature", "cache", "deploy now", "café", "the and", "Cache schema rollback", "run test npm",
            "e\u{301}t\u{e9}", "module17 src ts", "zzz", "naïve approach",
        ]
        var nonEmpty = 0
        var lexicalExtras = 0
        var exhausted = 0
        var multiTopic = 0
        for round in 0..<60 {
            let graph = RecallEquivalenceTests.randomGraph(&random, lessons: 5 + round * 2)
            let reference = ReferenceGraphIndex(graph)
            let indexes = [
                GraphIndex(graph), GraphIndex(RecallEquivalenceTests.snapshot(graph, sorted: true, &random)),
                GraphIndex(RecallEquivalenceTests.snapshot(graph, sorted: false, &random)),
            ]
            for index in indexes {
                #expect(Array(index.lessons) == reference.lessons)
                #expect(index.alwaysScoped == reference.alwaysScoped)
                for id in graph.triggers.keys { #expect(index.trigger(id) == graph.triggers[id]) }
                #expect(index.trigger("t-glob-missing") == nil)
            }
            for _ in 0..<25 {
                var query = LessonRecall.Query(files: [], command: nil, keywords: [], always: random.next() % 4 == 0)
                for _ in 0..<(random.next() % 3) { query.files.append(files[Int(random.next() % UInt64(files.count))]) }
                if random.next() % 2 == 0 { query.command = commandTexts[Int(random.next() % UInt64(commandTexts.count))] }
                for _ in 0..<(random.next() % 3) {
                    query.keywords.append(keywordTexts[Int(random.next() % UInt64(keywordTexts.count))])
                }
                let budget = random.next() % 3 == 0 ? 200 : LessonRecall.defaultStepBudget
                let expected = ReferenceRecall(index: reference, stepBudget: budget).run(
                    .init(files: query.files, command: query.command, keywords: query.keywords, always: query.always))
                if !expected.ranked.isEmpty { nonEmpty += 1 }
                if expected.ranked.contains(where: \.lexical) { lexicalExtras += 1 }
                if !expected.warnings.isEmpty { exhausted += 1 }
                if expected.ranked.contains(where: { Set($0.lesson.topics).count > 1 }) { multiTopic += 1 }
                for index in indexes {
                    let actual = LessonRecall(index: index, stepBudget: budget).run(query)
                    #expect(RecallEquivalenceTests.summary(actual) == RecallEquivalenceTests.summary(expected), "\(query)")
                    #expect(actual.warnings == expected.warnings, "\(query)")
                    #expect(actual.ranked.map(\.lesson) == expected.ranked.map(\.lesson))
                }
            }
        }
        // The random queries reach every branch that matters.
        #expect(nonEmpty > 500)
        #expect(lexicalExtras > 10)
        #expect(exhausted > 10)
        #expect(multiTopic > 100)
    }

    @Test func statisticsAndMembershipMatchTheEagerIndex() {
        var random = SplitMix(seed: 11)
        for round in 0..<20 {
            let graph = RecallEquivalenceTests.randomGraph(&random, lessons: 10 + round * 5)
            let reference = ReferenceGraphIndex(graph)
            let index = GraphIndex(graph)
            var terms: [String] = []
            for _ in 0..<(1 + random.next() % 6) {
                terms += Tokenizer.tokens(RecallEquivalenceTests.words[Int(random.next() % UInt64(RecallEquivalenceTests.words.count))])
            }
            terms += ["zzz", "schema"]
            let statistics = index.lexicalStatistics(terms)
            for position in index.lessons.indices {
                #expect(statistics.bm25(position) == reference.bm25(position, terms: terms), "\(terms)")
            }
            let ids = Array(graph.triggers.keys) + ["t-missing"]
            let members = index.members(of: ids)
            for (slot, id) in ids.enumerated() {
                #expect(members[slot] == (reference.lessonsByTrigger[id] ?? []), "\(id)")
                #expect(index.members(of: [id]) == [reference.lessonsByTrigger[id] ?? []])
                #expect(index.fanout(id) == reference.fanout(id))
            }
        }
    }

    @Test func theByteScanCountsTokensLikeTheTokenizer() {
        let rules = [
            "", "a", "ab", "The a of AN to", "UPPER lower MiXeD 42 x9 9x", "should shoulder shoulds", "tab\tnew\nline",
            "punctuation!!!(and)[brackets]{braces}--dashes__under", "averyveryverylongtokenindeed and another-one",
            "12345678 123456789 abcdefgh abcdefghi", "café naïve", "e\u{301}t\u{e9}", "\u{212A}elvin", "end.",
            "Webhook SIGNATURE webhook-signature webhooksignature",
        ]
        var lessons: [Lesson] = []
        for (n, rule) in rules.enumerated() {
            lessons.append(Lesson(id: "l-\(n)", rule: rule, createdAt: "2026-01-01", topics: [], triggers: []))
        }
        let active = ActiveLessons(filtering: lessons)
        for terms in [[], ["webhook", "signature", "abcdefghi", "12345678", "ab", "shoulder"], ["café", "webhook"], ["kelvin", "été"]] {
            let statistics = LexicalStatistics(lessons: active, terms: terms)
            for (n, rule) in rules.enumerated() {
                let tokens = Tokenizer.tokens(rule)
                #expect(Int(statistics.lengths[n]) == tokens.count, "\(rule)")
                for (slot, term) in terms.enumerated() {
                    let expected = tokens.filter { $0 == term }.count
                    #expect((statistics.termFrequency(slot, in: n) ?? 0) == expected, "\(rule) \(term)")
                }
            }
        }
    }

    @Test func nearDuplicateWarningsMatchTheEagerIndex() {
        var random = SplitMix(seed: 5)
        for round in 0..<15 {
            let graph = RecallEquivalenceTests.randomGraph(&random, lessons: 8 + round * 4)
            for topic in ["ops", "web", "data"] {
                var rule = ""
                for _ in 0..<(2 + random.next() % 5) {
                    rule += RecallEquivalenceTests.words[Int(random.next() % UInt64(RecallEquivalenceTests.words.count))] + " "
                }
                #expect(
                    LessonsService.nearDuplicates(of: rule, topic: topic, in: graph)
                        == RecallEquivalenceTests.referenceNearDuplicates(of: rule, topic: topic, in: graph), "\(rule)")
            }
        }
    }

    // MARK: Helpers

    struct Line: Equatable {
        var id: String
        var score: Double
        var matched: [String]
        var lexical: Bool
    }

    static func summary(_ outcome: LessonRecall.Outcome) -> [Line] {
        outcome.ranked.map { Line(id: $0.lesson.id, score: $0.score, matched: $0.matchedTriggers, lexical: $0.lexical) }
    }

    static func summary(_ outcome: ReferenceRecall.Outcome) -> [Line] {
        outcome.ranked.map { Line(id: $0.lesson.id, score: $0.score, matched: $0.matchedTriggers, lexical: $0.lexical) }
    }

    /// The graph's sections as the fast decoder would hand them over, lessons sorted by id or shuffled.
    static func snapshot(_ graph: LessonGraph, sorted: Bool, _ random: inout SplitMix) -> GraphSnapshot {
        var lessons = graph.lessons.keys.sorted().compactMap { graph.lessons[$0] }
        if !sorted {
            for position in lessons.indices.reversed() {
                lessons.swapAt(position, Int(random.next() % UInt64(position + 1)))
            }
        }
        let triggers = Array(graph.triggers.values)
        return GraphSnapshot(
            lessons: lessons, lessonsSorted: sorted, topics: Array(graph.topics.values), triggers: triggers,
            triggerTable: IDTable(triggers.map(\.id))!)
    }

    /// The previous `nearDuplicates`, over the eager index.
    static func referenceNearDuplicates(of rule: String, topic: String, in graph: LessonGraph) -> [LessonsWarning] {
        let terms = Array(Set(Tokenizer.tokens(rule))).sorted()
        guard !terms.isEmpty else { return [] }
        var probe = graph
        let probeID = "~probe"
        probe.lessons[probeID] = Lesson(id: probeID, rule: rule, createdAt: "9999-12-31", topics: [topic], triggers: [])
        let index = ReferenceGraphIndex(probe)
        guard let own = index.position[probeID] else { return [] }
        let ceiling = index.bm25(own, terms: terms)
        guard ceiling > 0 else { return [] }
        var out: [LessonsWarning] = []
        for (position, lesson) in index.lessons.enumerated() where position != own && lesson.topics.contains(topic) {
            let score = index.bm25(position, terms: terms)
            if score >= 0.6 * ceiling {
                out.append(
                    LessonsWarning(
                        code: LessonsErrorCode.nearDuplicateLesson,
                        message: "a similar lesson exists in topic '\(topic)': \(lesson.id)", pattern: lesson.id))
            }
        }
        return out
    }

    /// A graph over the trigger pools above, with shared triggers, topic overlap, `createdAt` ties,
    /// inactive and always-scoped lessons, and unicode or mixed-case rules.
    static func randomGraph(_ random: inout SplitMix, lessons count: Int) -> LessonGraph {
        var graph = LessonGraph()
        let topics = ["ops", "web", "data", "misc"]
        for topic in topics { graph.topics[topic] = LessonTopic(id: topic, summary: topic) }
        var pool: [String] = []
        func add(_ kind: TriggerKind, _ pattern: String) {
            let trigger = LessonTrigger(kind: kind, pattern: pattern)
            graph.triggers[trigger.id] = trigger
            pool.append(trigger.id)
        }
        for pattern in globs where random.next() % 4 != 0 { add(.fileGlob, pattern) }
        for pattern in commands where random.next() % 4 != 0 { add(.commandPattern, pattern) }
        for pattern in keywords where random.next() % 4 != 0 { add(.keyword, pattern) }
        // A trigger no lesson references, and a lesson referencing a trigger the graph lacks.
        add(.fileGlob, "src/unused/**")
        pool.removeLast()
        let dates = ["2026-01-01", "2026-02-01", "2026-02-01T10:00:00Z", "2025-12-31"]
        for n in 0..<count {
            let id = "l-\(String(n * 7919 % 1000, radix: 36))-\(n)"
            var rule = ""
            for _ in 0..<(2 + random.next() % 9) { rule += words[Int(random.next() % UInt64(words.count))] + " " }
            var lessonTriggers: [String] = []
            for _ in 0..<(random.next() % 4) where !pool.isEmpty { lessonTriggers.append(pool[Int(random.next() % UInt64(pool.count))]) }
            if random.next() % 15 == 0 { lessonTriggers.append("t-glob-missing") }
            var lessonTopics = [topics[Int(random.next() % UInt64(topics.count))]]
            if random.next() % 3 == 0 { lessonTopics.append(topics[Int(random.next() % UInt64(topics.count))]) }
            let status: LessonStatus = random.next() % 8 == 0 ? .deprecated : .active
            graph.lessons[id] = Lesson(
                id: id, rule: rule, createdAt: dates[Int(random.next() % UInt64(dates.count))],
                scope: random.next() % 6 == 0 ? LessonGraph.alwaysScope : nil, status: status, topics: lessonTopics,
                triggers: lessonTriggers)
        }
        return graph
    }
}
