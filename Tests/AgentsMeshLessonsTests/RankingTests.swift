import Foundation
import SharedCore
import Testing

@testable import AgentsMeshLessons

/// Recall order (§6.5): exact expected orders for constructed graphs.
@Suite struct RankingTests {
    func ids(_ project: LessonsProject, _ input: LessonsQueryInput, mode: LessonsOutputMode = .json) async throws -> [String] {
        try await project.service().query(input, mode: mode).lessons.map(\.id)
    }

    @Test func specificityOrdersExactPathThenFileClassThenSubtreeThenRepoWide() async throws {
        let project = try LessonsProject()
        try project.seed([
            .glob("d-repo", "**"), .glob("b-class", "*.sql"), .glob("a-exact", "src/db/schema.sql"), .glob("c-tree", "src/db/**"),
            .glob("e-miss", "docs/**"),
        ])
        #expect(try await ids(project, LessonsQueryInput(file: ["src/db/schema.sql"])) == ["a-exact", "b-class", "c-tree", "d-repo"])
    }

    @Test func fanOutDividesSpecificity() async throws {
        let project = try LessonsProject()
        // `*.sql` is shared by two lessons: 4 / 2 = 2 < 3 of the subtree glob.
        try project.seed([
            LessonSpec(
                id: "shared-one", rule: "First shared lesson", createdAt: "2026-01-01", topics: ["x1"], triggers: [(.fileGlob, "*.sql")]),
            LessonSpec(
                id: "shared-two", rule: "Second shared lesson", createdAt: "2026-03-01", topics: ["x2"], triggers: [(.fileGlob, "*.sql")]),
            .glob("tree", "src/db/**"),
        ])
        // The two shared lessons tie on every ranking: the newer one comes first.
        #expect(try await ids(project, LessonsQueryInput(file: ["src/db/schema.sql"])) == ["tree", "shared-two", "shared-one"])
    }

    @Test func topicCoherenceLiftsLessonsThatShareATopic() async throws {
        let project = try LessonsProject()
        try project.seed([
            .keyword("alone", "deploy", topic: "misc"),
            .keyword("ops-a", "deploy", topic: "ops", createdAt: "2025-01-01"),
            .keyword("ops-b", "release", topic: "ops", createdAt: "2025-01-01"),
        ])
        // `deploy` is shared by two lessons (specificity 1), `release` by one (2); coherence: ops-a and ops-b
        // share a topic. ops-b: spec rank 1, coh rank 1; ops-a: spec 2, coh 1; alone: spec 2, coh 3.
        let order = try await ids(project, LessonsQueryInput(keyword: ["deploy release"]))
        #expect(order == ["ops-b", "ops-a", "alone"])
    }

    @Test func bm25BreaksTiesOnRuleText() async throws {
        let project = try LessonsProject()
        try project.seed([
            .keyword("plain", "migration", rule: "Keep the seed data small"),
            .keyword("wordy", "migrations", rule: "Every migration needs a down migration"),
        ])
        let order = try await ids(project, LessonsQueryInput(keyword: ["migration", "migrations"]))
        #expect(order == ["wordy", "plain"])
    }

    @Test func fullTiesGoToTheNewerLessonThenToTheSmallerID() async throws {
        let project = try LessonsProject()
        try project.seed([
            .glob("b-old", "src/a.txt", createdAt: "2026-01-01"), .glob("c-new", "src/a.txt", createdAt: "2026-02-01"),
            .glob("a-old", "src/a.txt", createdAt: "2026-01-01"),
        ])
        #expect(try await ids(project, LessonsQueryInput(file: ["src/a.txt"])) == ["c-new", "a-old", "b-old"])
    }

    @Test func keywordsMatchWholeTokenRunsCaseInsensitivelyAndThroughPathsAndCommands() async throws {
        let project = try LessonsProject()
        try project.seed([
            .keyword("phrase", "Feature Flags"), .keyword("partial", "flag"), .keyword("pathword", "billing"),
            .keyword("cmdword", "terraform"),
        ])
        #expect(try await ids(project, LessonsQueryInput(keyword: ["toggle feature-flags now"])) == ["phrase"])
        #expect(try await ids(project, LessonsQueryInput(keyword: ["flags feature"])).isEmpty)
        #expect(try await ids(project, LessonsQueryInput(file: ["services/billing/api.ts"])) == ["pathword"])
        #expect(try await ids(project, LessonsQueryInput(command: "terraform apply -auto-approve")) == ["cmdword"])
    }

    @Test func keywordOnlyQueriesAddAtMostThreeLexicalMatches() async throws {
        let project = try LessonsProject()
        var specs: [LessonSpec] = [.keyword("hit", "webhook", rule: "Sign webhook payloads")]
        for index in 1...5 {
            specs.append(
                LessonSpec(
                    id: "lex-\(index)", rule: "Retry webhook signature verification \(String(repeating: "again ", count: index))",
                    createdAt: "2026-01-0\(index)", topics: ["lex"], triggers: [(.keyword, "unrelated\(index)")]))
        }
        for index in 1...6 {
            specs.append(
                LessonSpec(id: "filler-\(index)", rule: "Filler rule number \(index)", topics: ["fill"], triggers: [(.keyword, "filler")]))
        }
        try project.seed(specs)
        let result = try await project.service().query(
            LessonsQueryInput(keyword: ["webhook signature verification"], verbose: true), mode: .json)
        #expect(result.lessons.map(\.id) == ["hit", "lex-1", "lex-2", "lex-3"])
        #expect(result.lessons.map(\.lexical) == [false, true, true, true])
        let json = JSONEmitter.compact(result.json)
        #expect(json.contains("\"lexical\":true"))
        // With a file predicate the query is not keyword-only: no lexical extras.
        let mixed = try await ids(project, LessonsQueryInput(file: ["README.md"], keyword: ["webhook signature verification"]))
        #expect(mixed == ["hit"])
    }

    @Test func inactiveLessonsAreNeverRecalled() async throws {
        let project = try LessonsProject()
        try project.seed([
            .glob("live", "src/**"),
            LessonSpec(id: "old", rule: "Old rule", topics: ["t"], triggers: [(.fileGlob, "src/**")], status: .deprecated),
            LessonSpec(
                id: "gone", rule: "Gone rule", topics: ["t"], triggers: [(.fileGlob, "src/**")], status: .superseded, supersededBy: "live"),
        ])
        #expect(try await ids(project, LessonsQueryInput(file: ["src/x.swift"])) == ["live"])
    }

    @Test func alwaysScopedLessonsNeedTheAlwaysFlag() async throws {
        let project = try LessonsProject()
        try project.seed([
            LessonSpec(id: "baseline", rule: "Always run the linter", topics: ["t"], triggers: [], scope: "always"),
            .glob("scoped", "src/**"),
        ])
        #expect(try await ids(project, LessonsQueryInput(file: ["src/a"])) == ["scoped"])
        #expect(try await ids(project, LessonsQueryInput(always: true)) == ["baseline"])
        #expect(try await ids(project, LessonsQueryInput(file: ["src/a"], always: true)) == ["scoped", "baseline"])
    }

    @Test func negatedGlobsMatchEverythingElse() async throws {
        let project = try LessonsProject()
        try project.seed([.glob("not-tests", "!tests/**")])
        #expect(try await ids(project, LessonsQueryInput(file: ["src/a.swift"])) == ["not-tests"])
        #expect(try await ids(project, LessonsQueryInput(file: ["tests/a.swift"])).isEmpty)
    }

    @Test func absoluteQueryPathsInsideTheProjectAreMadeRelative() async throws {
        let project = try LessonsProject()
        try project.seed([.glob("exact", "src/main.swift")])
        #expect(try await ids(project, LessonsQueryInput(file: [project.root + "/src/./main.swift"])) == ["exact"])
        #expect(try await ids(project, LessonsQueryInput(file: ["./src/main.swift"])) == ["exact"])
        #expect(try await ids(project, LessonsQueryInput(file: ["/elsewhere/src/main.swift"])).isEmpty)
    }

    @Test func regexBudgetExhaustionStopsAndWarns() throws {
        var graph = LessonGraph()
        graph.topics["t"] = LessonTopic(id: "t", summary: "T")
        for index in 0..<3 {
            let trigger = LessonTrigger(kind: .commandPattern, pattern: "(a|aa)*b\(index)")
            graph.triggers[trigger.id] = trigger
            graph.lessons["l\(index)"] = Lesson(
                id: "l\(index)", rule: "Rule \(index)", createdAt: "2026-01-01", topics: ["t"], triggers: [trigger.id])
        }
        let recall = LessonRecall(index: GraphIndex(graph), stepBudget: 500)
        let outcome = recall.run(.init(files: [], command: String(repeating: "a", count: 400), keywords: [], always: false))
        #expect(outcome.ranked.isEmpty)
        #expect(outcome.warnings.map(\.code) == ["REGEX_BUDGET_EXHAUSTED"])
        let roomy = LessonRecall(index: GraphIndex(graph)).run(
            .init(files: [], command: String(repeating: "a", count: 400) + "b1", keywords: [], always: false))
        #expect(outcome.warnings.count == 1)
        #expect(roomy.ranked.map(\.lesson.id) == ["l1"])
        #expect(roomy.warnings.isEmpty)
    }
}
