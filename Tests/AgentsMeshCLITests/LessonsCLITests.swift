import Foundation
import SharedCore
import Testing

/// Conformance C8 (lessons part) and the `lessons` verbs end to end.
@Suite struct LessonsCLITests {
    static let subverbs = ["query", "add", "topics", "show", "deprecate", "validate"]

    @Test(arguments: subverbs)
    func everyLessonsVerbHasHelp(verb: String) throws {
        let result = try CLI.run(["lessons", verb, "--help"], in: try CLITests.tempDir())
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: agentsmesh lessons \(verb)"))
    }

    @Test func conformanceC8Lessons() throws {
        let dir = try CLITests.tempDir()
        #expect(try CLI.run(["init", "--yes", "--targets", "claude-code", "--lessons"], in: dir).status == 0)
        let add = [
            "lessons", "add", "Run swift build before tests", "--topic", "build", "--new-topic", "--topic-summary", "Build",
            "--trigger-cmd", "^swift test",
        ]
        let first = try CLI.run(add + ["--json"], in: dir)
        #expect(first.status == 0)
        let firstData = try JSONParser.parse(first.stdout)
        #expect(firstData["command"]?.stringValue == "lessons add")
        #expect(firstData["data"]?["id"]?.stringValue == "build-run-swift-build-before-tests")
        #expect(firstData["data"]?["created"]?.boolValue == true)
        let graph = try #require(FileManager.default.contents(atPath: dir + "/.agentsmesh/lessons/lessons.json"))
        let graphText = String(decoding: graph, as: UTF8.self)
        #expect(graphText.range(of: #""t-cmd-[0-9a-f]{8}": \{"#, options: .regularExpression) != nil)
        #expect(graphText.hasSuffix("}\n") && !graphText.hasSuffix("\n\n"))
        #expect(try JSONParser.parse(graphText) == JSONParser.parse(JSONEmitter.pretty(try JSONParser.parse(graphText).sortedDeep())))

        let again = try CLI.run(add + ["--json"], in: dir)
        #expect(try JSONParser.parse(again.stdout)["data"]?["created"]?.boolValue == false)
        #expect(try JSONParser.parse(again.stdout)["data"]?["id"]?.stringValue == "build-run-swift-build-before-tests")

        let unrecallable = try CLI.run(["lessons", "add", "x", "--topic", "build", "--json"], in: dir)
        #expect(unrecallable.status == 2)
        #expect(try JSONParser.parse(unrecallable.stdout)["error"]?["code"]?.stringValue == "UNRECALLABLE_LESSON")

        let query = try CLI.run(["lessons", "query", "--cmd", "swift test"], in: dir)
        #expect(query.status == 0)
        #expect(query.stdout == "Run swift build before tests\n")
        let withIDs = try CLI.run(["lessons", "query", "--cmd", "swift test", "--ids"], in: dir)
        #expect(withIDs.stdout == "[build-run-swift-build-before-tests] Run swift build before tests\n")
        let markdown = try CLI.run(["lessons", "query", "--cmd", "swift test", "--format", "md"], in: dir)
        #expect(markdown.stdout == "- Run swift build before tests\n")
        let json = try CLI.run(["lessons", "query", "--cmd", "swift test", "--format", "json"], in: dir)
        #expect(
            json.stdout
                == "{\n  \"lessons\": [\n    {\n      \"id\": \"build-run-swift-build-before-tests\",\n      \"rule\": \"Run swift build before tests\"\n    }\n  ],\n  \"suppressed\": 0\n}\n"
        )

        let deprecate = try CLI.run(["lessons", "deprecate", "build-run-swift-build-before-tests"], in: dir)
        #expect(deprecate.status == 0)
        let after = try CLI.run(["lessons", "query", "--cmd", "swift test"], in: dir)
        #expect(after.status == 0)
        #expect(after.stdout.isEmpty)

        let topics = try CLI.run(["lessons", "topics", "--json"], in: dir)
        #expect(
            try JSONParser.parse(topics.stdout)["data"] == JSONParser.parse(#"{"topics":[{"id":"build","summary":"Build","lessons":0}]}"#))
        let validate = try CLI.run(["lessons", "validate"], in: dir)
        #expect(validate.status == 0)
        #expect(try CLI.run(["check"], in: dir).status == 0)
    }

    @Test func errorsAndUsage() throws {
        let dir = try CLITests.tempDir()
        #expect(try CLI.run(["init", "--yes", "--targets", "cursor", "--lessons"], in: dir).status == 0)
        let noPredicate = try CLI.run(["lessons", "query", "--json"], in: dir)
        #expect(noPredicate.status == 2)
        #expect(try JSONParser.parse(noPredicate.stdout)["error"]?["code"]?.stringValue == "USAGE")
        let badFlag = try CLI.run(["lessons", "query", "--bogus", "--json"], in: dir)
        #expect(badFlag.status == 2)
        #expect(try JSONParser.parse(badFlag.stdout)["command"]?.stringValue == "lessons query")
        let missing = try CLI.run(["lessons", "show", "nothing", "--json"], in: dir)
        #expect(missing.status == 1)
        #expect(try JSONParser.parse(missing.stdout)["error"]?["code"]?.stringValue == "NOT_FOUND")

        try Data("{\"version\": 7}\n".utf8).write(to: URL(fileURLWithPath: dir + "/.agentsmesh/lessons/lessons.json"))
        let newer = try CLI.run(["lessons", "topics", "--json"], in: dir)
        #expect(newer.status == 1)
        #expect(try JSONParser.parse(newer.stdout)["error"]?["code"]?.stringValue == "NEWER_GRAPH_VERSION")
        let check = try CLI.run(["check", "--json"], in: dir)
        #expect(check.status == 1)
        #expect(
            try JSONParser.parse(check.stdout)["error"]?["details"]?["lessonsGraphError"]?["code"]?.stringValue == "NEWER_GRAPH_VERSION")
        let validate = try CLI.run(["lessons", "validate", "--json"], in: dir)
        #expect(validate.status == 1)
        #expect(try JSONParser.parse(validate.stdout)["error"]?["code"]?.stringValue == "LINT_FAILED")

        // A sub-folder of the project finds the root; paths are relative to the current folder.
        try FileManager.default.removeItem(atPath: dir + "/.agentsmesh/lessons/lessons.json")
        try FileManager.default.createDirectory(atPath: dir + "/src/db", withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: dir + "/src/db/schema.sql"))
        let added = try CLI.run(
            [
                "lessons", "add", "Review schema changes", "--topic", "db", "--new-topic", "--topic-summary", "DB", "--trigger-file",
                "src/db/*.sql",
            ], in: dir)
        #expect(added.status == 0)
        let fromSub = try CLI.run(["lessons", "query", "--file", "schema.sql"], in: dir + "/src/db")
        #expect(fromSub.stdout == "Review schema changes\n")
    }
}
