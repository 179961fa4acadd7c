import Foundation
import SharedCore
import TestSupport
import Testing

@testable import AgentsMeshGeneration
@testable import AgentsMeshLessons

/// Reading, upgrading, validating and seeding the graph files (§6.2, §6.6, §6.7).
@Suite struct GraphFileTests {
    @Test func readErrorsHaveTheirCodes() async throws {
        let cases: [(String, String)] = [
            ("{\"lessons\":{},\"topics\":{},\"triggers\":{},\"version\":3}\n", "NEWER_GRAPH_VERSION"),
            ("<<<<<<< HEAD\n{\"version\":2}\n=======\n{}\n>>>>>>> theirs\n", "MERGE_CONFLICT"),
            ("{\"lessons\": {", "CORRUPT_GRAPH"),
            ("[]", "SCHEMA_INVALID"),
            (
                "{\"lessons\":{\"a\":{\"rule\":\"R\",\"status\":\"active\",\"createdAt\":\"2026-01-01\",\"topics\":[\"nope\"],\"triggers\":[]}},\"topics\":{},\"triggers\":{},\"version\":2}",
                "SCHEMA_INVALID"
            ),
            (
                "{\"lessons\":{\"Bad_ID\":{\"rule\":\"R\",\"status\":\"active\",\"createdAt\":\"2026-01-01\",\"topics\":[],\"triggers\":[]}},\"topics\":{},\"triggers\":{},\"version\":2}",
                "SCHEMA_INVALID"
            ),
            (
                "{\"lessons\":{\"a\":{\"rule\":\"R\",\"status\":\"superseded\",\"createdAt\":\"2026-01-01\",\"topics\":[],\"triggers\":[]}},\"topics\":{},\"triggers\":{},\"version\":2}",
                "SCHEMA_INVALID"
            ),
        ]
        for (text, code) in cases {
            let project = try LessonsProject(files: [LessonsFiles.graph: text])
            #expect(await errorCode { _ = try await project.service().topics() } == code, "\(text)")
            #expect(
                await errorCode {
                    _ = try await project.service().add(
                        LessonsAddInput(rule: "R", topic: "t", triggerKeywords: ["k1"], newTopic: true, topicSummary: "T"))
                } == code)
            #expect(project.read(LessonsFiles.graph) == text)
            #expect(LessonsService.graphReadError(root: project.root)?.code == code)
            let validation = LessonsService.validate(root: project.root)
            #expect(validation.diagnostics.first?.code == code)
            #expect(!validation.isValid)
        }
    }

    @Test func versionOneGraphsAreReadAndWrittenBackAsVersionTwo() async throws {
        let v1 = """
            {"lessons": [{"id": "ci-pin-node", "rule": "Pin node", "topics": ["ci"], "triggers": ["t1"]}],
             "topics": [{"id": "ci"}], "triggers": [{"id": "t1", "kind": "kw", "pattern": "node"}]}
            """
        let project = try LessonsProject(files: [LessonsFiles.graph: v1])
        let service = project.service()
        #expect(try await service.query(LessonsQueryInput(keyword: ["node"]), mode: .json).lessons.map(\.id) == ["ci-pin-node"])
        #expect(project.read(LessonsFiles.graph) == v1)  // reads never rewrite
        _ = try await service.deprecate(LessonsDeprecateInput(id: "ci-pin-node"))
        let expected = """
            {
              "lessons": {
                "ci-pin-node": {
                  "createdAt": "1970-01-01",
                  "evidence": [],
                  "rule": "Pin node",
                  "status": "deprecated",
                  "topics": [
                    "ci"
                  ],
                  "triggers": [
                    "t1"
                  ]
                }
              },
              "topics": {
                "ci": {
                  "summary": ""
                }
              },
              "triggers": {
                "t1": {
                  "kind": "keyword",
                  "pattern": "node"
                }
              },
              "version": 2
            }

            """
        #expect(project.read(LessonsFiles.graph) == expected)
    }

    @Test func unknownKeysSurviveARewrite() async throws {
        let text =
            #"{"lessons":{"a-b":{"createdAt":"2026-01-01T10:00:00Z","custom":{"z":1,"a":2},"evidence":[],"rule":"R","status":"active","topics":["a"],"triggers":["t-kw-1"]}},"meta":"keep","topics":{"a":{"summary":"A"}},"triggers":{"t-kw-1":{"kind":"keyword","pattern":"alpha"}},"version":2}"#
        let project = try LessonsProject(files: [LessonsFiles.graph: text])
        _ = try await project.service().deprecate(LessonsDeprecateInput(id: "a-b"))
        let written = try #require(project.read(LessonsFiles.graph))
        #expect(written.contains("\"custom\": {\n        \"a\": 2,\n        \"z\": 1\n      }"))
        #expect(written.contains("\"meta\": \"keep\""))
        #expect(written.contains("\"createdAt\": \"2026-01-01T10:00:00Z\""))
        #expect(written.hasSuffix("}\n") && !written.hasSuffix("\n\n"))
    }

    @Test func validateReportsErrorsAndWarnings() async throws {
        let project = try LessonsProject(files: [LessonsFiles.rootRule: "---\nroot: true\n---\n# Root\n"])
        try project.seed([
            .glob("one", "src/**", topic: "t", rule: "Same rule"),
            .glob("two", "lib/**", topic: "t", rule: "Same rule"),
            LessonSpec(id: "bare", rule: "No trigger", topics: ["t"], triggers: []),
            LessonSpec(id: "unsafe", rule: "Unsafe", topics: ["t"], triggers: [(.fileGlob, "a/../b"), (.commandPattern, "(a)\\1")]),
        ])
        var graph = try await project.service().graph()
        graph.topics["lonely"] = LessonTopic(id: "lonely", summary: "Nobody")
        let orphan = LessonTrigger(kind: .keyword, pattern: "orphan")
        graph.triggers[orphan.id] = orphan
        try project.write(LessonsFiles.graph, graph.serialized())
        let result = try await project.service().validate()
        #expect(
            result.diagnostics.map(\.code) == [
                "UNRECALLABLE_LESSON", "DUPLICATE_RULE", "UNSAFE_COMMAND_PATTERN", "UNSAFE_GLOB_PATTERN", "LESSONS_CONTRACT_MISSING",
                "ORPHAN_TOPIC", "ORPHAN_TRIGGER",
            ])
        #expect(result.errorCount == 5)
        #expect(result.warningCount == 2)
        #expect(result.failure?.code == "LINT_FAILED")
        // lint carries the lessons errors (not the warnings) when the graph exists.
        let lint = try Linter.lint(root: project.root, targets: nil).filter {
            $0.path?.contains("lessons") == true || $0.code == "LESSONS_CONTRACT_MISSING"
        }
        #expect(
            lint.map(\.code) == [
                "UNRECALLABLE_LESSON", "DUPLICATE_RULE", "UNSAFE_COMMAND_PATTERN", "UNSAFE_GLOB_PATTERN", "LESSONS_CONTRACT_MISSING",
            ])
    }

    @Test func initLessonsSeedsExactFilesAndIsIdempotent() async throws {
        let project = try LessonsProject()
        try FileManager.default.removeItem(atPath: project.root + "/agentsmesh.yaml")
        let data = try await Initializer.run(root: project.root, options: .init(targets: ["claude-code"], lessons: true))
        let created = data["created"]?.stringList ?? []
        for path in [LessonsFiles.graph, LessonsFiles.config, LessonsFiles.skill, ".gitattributes"] {
            #expect(created.contains(path), "\(path)")
        }
        #expect(project.read(LessonsFiles.graph) == "{\n  \"lessons\": {},\n  \"topics\": {},\n  \"triggers\": {},\n  \"version\": 2\n}\n")
        #expect(
            project.read(LessonsFiles.config)
                == "{\n  \"autoPrune\": false,\n  \"outcomeLog\": true,\n  \"recallLimit\": 10,\n  \"recallMaxTokens\": 1200,\n  \"telemetry\": false\n}\n"
        )
        #expect(project.read(".gitattributes") == ".agentsmesh/lessons/lessons.json merge=agentsmesh-lessons\n")
        let gitignore = try #require(project.read(".gitignore"))
        #expect(
            gitignore.hasSuffix(
                ".agentsmesh/lessons/recall-log.jsonl\n.agentsmesh/lessons/capture-log.jsonl\n.agentsmesh/lessons/outcome-log.jsonl\n.agentsmesh/lessons/.lessons.lock/\n.agentsmesh/lessons/*.tmp\n"
            ))
        let root = try #require(project.read(LessonsFiles.rootRule))
        #expect(
            root.hasSuffix(
                "\n\n<!-- agentsmesh:lessons-contract:start -->\n## Lessons (project memory)\nBefore editing a file run `agentsmesh lessons query --file <path>`; after solving a non-obvious problem record it with `agentsmesh lessons add`.\n<!-- agentsmesh:lessons-contract:end -->\n"
            ))
        #expect(project.exists(".claude/skills/lessons/SKILL.md"))
        #expect(try await project.service().validate().isValid)

        // Retrofit on an initialised project: nothing to add, nothing changes.
        let snapshot = [LessonsFiles.rootRule, ".gitignore", ".gitattributes", LessonsFiles.graph].map(project.read)
        let again = try await Initializer.run(root: project.root, options: .init(lessons: true))
        #expect(again["created"]?.stringList == [])
        #expect([LessonsFiles.rootRule, ".gitignore", ".gitattributes", LessonsFiles.graph].map(project.read) == snapshot)
        // Without --lessons an initialised project is refused.
        #expect(await errorCode { _ = try await Initializer.run(root: project.root, options: .init()) } == "ALREADY_EXISTS")
    }

    @Test func checkAndGenerateCheckFailOnAnUnreadableGraph() async throws {
        let project = try LessonsProject()
        try FileManager.default.removeItem(atPath: project.root + "/agentsmesh.yaml")
        _ = try await Initializer.run(root: project.root, options: .init(targets: ["claude-code"], lessons: true))
        #expect(try Checker.check(root: project.root).inSync)
        try project.write(LessonsFiles.graph, "{\"version\": 9}\n")
        let result = try Checker.check(root: project.root)
        #expect(!result.inSync)
        #expect(result.lessonsGraphError?.code == "NEWER_GRAPH_VERSION")
        let generateCheck = await errorCode { _ = try await Generator(root: project.root).generate(GenerateOptions(check: true)) }
        #expect(generateCheck == "DRIFT")
    }
}
