import Foundation
import SharedCore
import TestSupport
import Testing

@testable import AgentsMeshLessons

/// `add`, `deprecate`, `topics`, `show`, caps and session de-duplication through the library API.
@Suite struct ServiceTests {
    @Test func addDerivesIDsAndIsIdempotent() async throws {
        let project = try LessonsProject()
        let service = project.service()
        let input = LessonsAddInput(
            rule: "Run swift build before tests", topic: "build", triggerCommands: ["^swift test"], newTopic: true,
            topicSummary: "Build")
        let first = try await service.add(input)
        #expect(first == LessonsAddResult(id: "build-run-swift-build-before-tests", created: true, warnings: []))
        let again = try await service.add(input)
        #expect(again == LessonsAddResult(id: "build-run-swift-build-before-tests", created: false, warnings: []))
        let triggerID = LessonTrigger.id(kind: .commandPattern, pattern: "^swift test")
        #expect(triggerID == "t-cmd-" + String(SHA256.hex("command_pattern\n^swift test").prefix(8)))
        let expected = """
            {
              "lessons": {
                "build-run-swift-build-before-tests": {
                  "createdAt": "\(LocalDate.today(now: 1_778_932_800))",
                  "evidence": [],
                  "rule": "Run swift build before tests",
                  "status": "active",
                  "topics": [
                    "build"
                  ],
                  "triggers": [
                    "\(triggerID)"
                  ]
                }
              },
              "topics": {
                "build": {
                  "summary": "Build"
                }
              },
              "triggers": {
                "\(triggerID)": {
                  "kind": "command_pattern",
                  "pattern": "^swift test"
                }
              },
              "version": 2
            }

            """
        #expect(project.read(LessonsFiles.graph) == expected)
        // A different rule whose slug collides gets a numeric suffix.
        let collision = try await service.add(
            LessonsAddInput(rule: "Run swift build before tests!", topic: "build", triggerKeywords: ["swiftpm"]))
        #expect(collision.id == "build-run-swift-build-before-tests-2")
        #expect(collision.created)
    }

    @Test func idsAreCutAtADashWithinSixtyFourCharacters() {
        #expect(LessonID.slug("  Don't  USE   rm -rf on / ever again") == "don-t-use-rm-rf-on")
        let id = LessonID.make(
            topic: "a-very-long-topic-name-for-infrastructure", rule: "Terraform workspaces isolate production state files")
        #expect(id == "a-very-long-topic-name-for-infrastructure-terraform-workspaces")
        #expect(id.count <= 64)
        #expect(LessonID.make(topic: "t", rule: "!!!") == "t-lesson")
        #expect(LessonID.make(topic: "db", rule: "Use migrations", attempt: 3) == "db-use-migrations-3")
    }

    @Test func repeatedAddMergesNewTriggersAndEvidence() async throws {
        let project = try LessonsProject()
        let service = project.service()
        _ = try await service.add(
            LessonsAddInput(
                rule: "Pin the node version", topic: "ci", triggerKeywords: ["node"], evidence: ["PR #1"], newTopic: true,
                topicSummary: "CI"))
        let again = try await service.add(
            LessonsAddInput(rule: "Pin the node version", topic: "ci", triggerKeywords: ["nvm"], evidence: ["PR #1", "PR #2"]))
        #expect(!again.created)
        let lesson = try #require(try await service.graph().lessons[again.id])
        #expect(lesson.evidence == ["PR #1", "PR #2"])
        #expect(lesson.triggers == [LessonTrigger.id(kind: .keyword, pattern: "node"), LessonTrigger.id(kind: .keyword, pattern: "nvm")])
    }

    @Test func captureErrorsHaveTheirCodesAndWriteNothing() async throws {
        let project = try LessonsProject()
        try project.makeFolder("src/db")
        try project.write("src/db/schema.sql", "create table t();\n")
        let service = project.service()
        _ = try await service.add(
            LessonsAddInput(rule: "Seed", topic: "db", triggerKeywords: ["schema"], newTopic: true, topicSummary: "Database"))
        let before = project.read(LessonsFiles.graph)
        let cases: [(LessonsAddInput, String)] = [
            (LessonsAddInput(rule: "r", topic: "Bad Topic", triggerKeywords: ["x1"]), "INVALID_TOPIC_ID"),
            (LessonsAddInput(rule: "r", topic: "unknown", triggerKeywords: ["word"]), "INVALID_TOPIC_ID"),
            (LessonsAddInput(rule: "r", topic: "new", triggerKeywords: ["word"], newTopic: true), "TOPIC_SUMMARY_REQUIRED"),
            (LessonsAddInput(rule: "r", topic: "db"), "UNRECALLABLE_LESSON"),
            (LessonsAddInput(rule: "r", topic: "db", triggerCommands: ["(?=x)"]), "UNRECALLABLE_LESSON"),
            (LessonsAddInput(rule: "r", topic: "db", triggerFiles: ["/etc/passwd"]), "TRIGGER_FILE_OUTSIDE_PROJECT"),
            (LessonsAddInput(rule: "r", topic: "db", triggerFiles: ["../other/**"]), "TRIGGER_FILE_OUTSIDE_PROJECT"),
            (LessonsAddInput(rule: "r", topic: "db", triggerFiles: ["."]), "TRIGGER_FILE_IS_PROJECT_ROOT"),
            (LessonsAddInput(rule: "r", topic: "db", triggerFiles: [project.root]), "TRIGGER_FILE_IS_PROJECT_ROOT"),
            (LessonsAddInput(rule: "r", topic: "db", triggerFiles: ["src/db"]), "TRIGGER_FILE_IS_DIRECTORY"),
            (LessonsAddInput(rule: "r", topic: "db", triggerFiles: ["src/+(a|b)"]), "UNSAFE_GLOB_PATTERN"),
            (LessonsAddInput(rule: "r", topic: "db", triggerFiles: ["src\\db"]), "UNSAFE_GLOB_PATTERN"),
            (LessonsAddInput(rule: "   ", topic: "db", triggerKeywords: ["x1"]), "VALIDATION_FAILED"),
            (LessonsAddInput(rule: "r", topic: "db", triggerKeywords: ["x1"], scope: "sometimes"), "VALIDATION_FAILED"),
        ]
        for (input, code) in cases {
            #expect(await errorCode { _ = try await service.add(input) } == code, "\(input)")
        }
        #expect(project.read(LessonsFiles.graph) == before)
    }

    @Test func captureWarningsForDeadPendingAndDuplicateTriggers() async throws {
        let project = try LessonsProject()
        try project.makeFolder("src/api")
        try project.write("src/db/schema.sql", "x\n")
        let service = project.service()
        let result = try await service.add(
            LessonsAddInput(
                rule: "Review schema changes with the DBA", topic: "db",
                triggerFiles: ["src/db/*.sql", "src/api/*.graphql", "nowhere/deep/*.txt"], triggerCommands: ["(abc"],
                newTopic: true, topicSummary: "Database"))
        #expect(result.warnings.map(\.code) == ["PENDING_GLOB", "DEAD_GLOB", "DEAD_COMMAND_PATTERN"])
        #expect(result.warnings.map(\.pattern) == ["src/api/*.graphql", "nowhere/deep/*.txt", "(abc"])
        let stored = try await service.graph().triggers.values.map(\.pattern).sorted()
        #expect(stored == ["nowhere/deep/*.txt", "src/api/*.graphql", "src/db/*.sql"])
        let near = try await service.add(
            LessonsAddInput(rule: "Review the schema changes with a DBA", topic: "db", triggerKeywords: ["dba"]))
        #expect(near.created)
        #expect(near.warnings.map(\.code) == ["NEAR_DUPLICATE_LESSON"])
        #expect(near.warnings.first?.pattern == "db-review-schema-changes-with-the")
        // Only dead triggers and no `always` scope: refused.
        let dead = await errorCode {
            _ = try await service.add(LessonsAddInput(rule: "Unreachable", topic: "db", triggerFiles: ["missing/dir/*.x"]))
        }
        #expect(dead == "UNRECALLABLE_LESSON")
        // ... but `scope: always` makes it recallable.
        let always = try await service.add(
            LessonsAddInput(rule: "Unreachable", topic: "db", triggerFiles: ["missing/dir/*.x"], scope: "always"))
        #expect(always.created)
    }

    @Test func deprecateAndSupersede() async throws {
        let project = try LessonsProject()
        try project.seed([.glob("one", "src/**", topic: "t"), .glob("two", "src/**", topic: "t")])
        let service = project.service()
        #expect(try await service.deprecate(LessonsDeprecateInput(id: "one")) == LessonsDeprecateResult(id: "one", status: .deprecated))
        #expect(
            try await service.deprecate(LessonsDeprecateInput(id: "two", supersededBy: "one"))
                == LessonsDeprecateResult(id: "two", status: .superseded))
        #expect(try await service.graph().lessons["two"]?.supersededBy == "one")
        #expect(await errorCode { _ = try await service.deprecate(LessonsDeprecateInput(id: "three")) } == "NOT_FOUND")
        #expect(await errorCode { _ = try await service.deprecate(LessonsDeprecateInput(id: "one", supersededBy: "zzz")) } == "NOT_FOUND")
        #expect(
            await errorCode { _ = try await service.deprecate(LessonsDeprecateInput(id: "one", supersededBy: "one")) }
                == "VALIDATION_FAILED")
        #expect(try await service.query(LessonsQueryInput(file: ["src/a"]), mode: .json).lessons.isEmpty)
    }

    @Test func topicsAndShow() async throws {
        let project = try LessonsProject()
        var specs: [LessonSpec] = [
            LessonSpec(
                id: "gone", rule: "Gone", createdAt: "2026-05-01", topics: ["db"], triggers: [(.keyword, "sql")], status: .deprecated),
            .keyword("other", "css", topic: "web"),
        ]
        for index in 1...52 {
            specs.append(.keyword("db-\(String(format: "%02d", index))", "postgres", topic: "db", createdAt: "2026-0\(index % 3 + 1)-01"))
        }
        try project.seed(specs, topics: ["db": "Database", "web": "Frontend"])
        let service = project.service()
        let topics = try await service.topics()
        #expect(
            JSONEmitter.compact(topics.json)
                == #"{"topics":[{"id":"db","summary":"Database","lessons":52},{"id":"web","summary":"Frontend","lessons":1}]}"#)
        let shown = try await service.show(LessonsShowInput(topic: "db"))
        #expect(shown.lessons.count == 50)
        #expect(shown.omitted == 3)
        #expect(shown.lessons.first?.lesson.id == "gone")
        #expect(shown.lessons[1].lesson.id == "db-02")
        let single = try await service.show(LessonsShowInput(topic: "other"))
        #expect(single.lessons.map(\.lesson.id) == ["other"])
        #expect(JSONEmitter.compact(single.json).contains(#""triggers":[{"id":"t-kw-"#))
        #expect(await errorCode { _ = try await service.show(LessonsShowInput(topic: "nope")) } == "NOT_FOUND")
    }

    @Test func capsLimitTokensAndPayload() async throws {
        let project = try LessonsProject()
        let long = String(repeating: "word ", count: 80)  // 400 characters = 100 tokens
        var specs: [LessonSpec] = []
        for index in 1...5 {
            specs.append(
                LessonSpec(
                    id: "l\(index)", rule: "\(index) \(long)", createdAt: "2026-01-0\(index)", topics: ["t\(index)"],
                    triggers: [(.fileGlob, "src/**")]))
        }
        specs.append(
            LessonSpec(
                id: "huge", rule: String(repeating: "x", count: 2500), createdAt: "2026-02-01", topics: ["h"],
                triggers: [(.fileGlob, "big/**")]))
        try project.seed(specs)
        let service = project.service()
        let query = LessonsQueryInput(file: ["src/a"])
        #expect(try await service.query(query, mode: .json).lessons.map(\.id) == ["l5", "l4", "l3", "l2", "l1"])
        var limited = query
        limited.limit = 2
        #expect(try await service.query(limited, mode: .json).lessons.map(\.id) == ["l5", "l4"])
        limited.limit = 0  // clamped to 1
        #expect(try await service.query(limited, mode: .json).lessons.map(\.id) == ["l5"])
        var budget = query
        budget.maxTokens = 250
        #expect(try await service.query(budget, mode: .json).lessons.map(\.id) == ["l5", "l4"])
        budget.maxTokens = 10  // the top result is always kept
        #expect(try await service.query(budget, mode: .json).lessons.map(\.id) == ["l5"])
        budget.all = true
        #expect(try await service.query(budget, mode: .json).lessons.count == 5)
        let huge = LessonsQueryInput(file: ["big/file"])
        let viaMCP = try await service.query(huge, mode: .mcp).lessons[0].rule
        #expect(viaMCP.count == 2000)
        #expect(viaMCP.hasSuffix("…"))
        #expect(try await service.query(huge, mode: .json).lessons[0].rule.count == 2500)
        try project.write(LessonsFiles.config, #"{"recallLimit": 3, "recallMaxTokens": 8000}"# + "\n")
        #expect(try await service.query(query, mode: .json).lessons.count == 3)
    }

    @Test func sessionDeduplication() async throws {
        let project = try LessonsProject()
        try project.seed([.glob("a", "src/**"), .glob("b", "*.swift")])
        let service = project.service(environment: ["AGENTSMESH_SESSION_ID": "agent-7"])
        let first = try await service.query(LessonsQueryInput(file: ["src/x.swift"], session: "auto"), mode: .json)
        #expect(first.lessons.map(\.id) == ["b", "a"])
        #expect(first.suppressed == 0)
        let second = try await service.query(LessonsQueryInput(file: ["src/x.swift"], session: "agent-7"), mode: .json)
        #expect(second.lessons.isEmpty)
        #expect(second.suppressed == 2)
        let other = try await service.query(LessonsQueryInput(file: ["src/x.swift"], session: "agent-8"), mode: .json)
        #expect(other.lessons.count == 2)
        let forced = try await service.query(LessonsQueryInput(file: ["src/x.swift"], session: "agent-7", noDedup: true), mode: .json)
        #expect(forced.lessons.count == 2)
        #expect(forced.suppressed == 0)
        let log = try #require(project.read(LessonsFiles.recallLog))
        #expect(log.split(separator: "\n").count == 2)
        #expect(log.hasPrefix(#"{"at":"2026-05-16T12:00:00.000Z","ids":["b","a"],"session":"agent-7"}"#))
    }

    @Test func queryWithoutPredicateIsAUsageError() async throws {
        let project = try LessonsProject()
        #expect(await errorCode { _ = try await project.service().query(LessonsQueryInput(), mode: .json) } == "USAGE")
        #expect(await errorCode { _ = try await project.service().query(LessonsQueryInput(file: [""]), mode: .json) } == "USAGE")
    }

    @Test func concurrentAddsFromTwoServicesAllLand() async throws {
        let project = try LessonsProject()
        _ = try await project.service().add(
            LessonsAddInput(rule: "Seed", topic: "load", triggerKeywords: ["seed"], newTopic: true, topicSummary: "Load"))
        let left = project.service()
        let right = project.service()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                let service = index % 2 == 0 ? left : right
                group.addTask {
                    _ = try await service.add(
                        LessonsAddInput(rule: "Concurrent lesson \(index)", topic: "load", triggerKeywords: ["kw\(index)"]))
                }
            }
            try await group.waitForAll()
        }
        let graph = try await left.graph()
        #expect(graph.lessons.count == 21)
        #expect(graph.triggers.count == 21)
        #expect(!project.exists(LessonsFiles.lock))
    }

    @Test func toolArgumentsAreStrict() throws {
        let add = try LessonsAddInput.fromToolArguments([
            "rule": "R", "topic": "t", "trigger_kw": "one", "trigger_files": ["a/**", "b/**"],
        ])
        #expect(add.triggerKeywords == ["one"])
        #expect(add.triggerFiles == ["a/**", "b/**"])
        #expect(throws: ToolError.self) { try LessonsAddInput.fromToolArguments(["rule": "R"]) }
        #expect(throws: ToolError.self) { try LessonsQueryInput.fromToolArguments(["file": "a", "bogus": 1]) }
        #expect(throws: ToolError.self) { try LessonsQueryInput.fromToolArguments(["max_tokens": 1, "max-tokens": 2]) }
        let query = try LessonsQueryInput.fromToolArguments(["cmd": "make", "no-dedup": true, "limit": 3])
        #expect(query == LessonsQueryInput(command: "make", limit: 3, noDedup: true))
        do {
            _ = try LessonsDeprecateInput.fromToolArguments(["id": 5])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "VALIDATION_FAILED")
            #expect(error.message == "lessons_deprecate: id: must be a string")
        }
    }
}

@Suite struct PayloadCapTests {
    @Test func textAndMCPPayloadsStayUnder32000CharactersButJSONIsNotCut() async throws {
        let project = try LessonsProject()
        var specs: [LessonSpec] = []
        for index in 1...20 {
            let rule = String(format: "%02d ", index) + String(repeating: "y", count: 2_497)  // 2,500 characters
            specs.append(
                LessonSpec(
                    id: "big-\(index)", rule: rule, createdAt: "2026-01-01", topics: ["t\(index)"], triggers: [(.fileGlob, "big/**")]))
        }
        try project.seed(specs)
        let service = project.service()
        let query = LessonsQueryInput(file: ["big/x"], all: true)
        let text = try await service.query(query, mode: .text).lessons
        #expect(text.count == 12)
        #expect(text.map(\.rule.count).reduce(0, +) == 30_000)
        let mcp = try await service.query(query, mode: .mcp).lessons
        // Each rule is first cut to 2,000 characters, so 16 fit in 32,000.
        #expect(mcp.count == 16)
        #expect(mcp.allSatisfy { $0.rule.count == 2_000 && $0.rule.hasSuffix("…") })
        #expect(mcp.map(\.rule.count).reduce(0, +) == 32_000)
        #expect(try await service.query(query, mode: .json).lessons.count == 20)
    }
}
