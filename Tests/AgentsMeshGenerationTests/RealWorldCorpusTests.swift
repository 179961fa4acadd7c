import AgentsMeshGeneration
import AgentsMeshKit
import Foundation
import SharedCore
import Testing

/// The committed corpus `Tests/Fixtures/real-world/<project>/input` (hand-written projects in the forms real
/// repositories use) through `init --yes`: the exact tree of `expected`, nothing lost, `check` clean, a second
/// `generate` a no-op, and every settings file one the tools accept.
@Suite struct RealWorldCorpusTests {
    static let projects = ["big-claude", "gemini-cli-style", "hooks-zoo", "monorepo-nested", "task-manager-cursor", "template-repo"]

    /// Every file and link below `root` (relative), without the lock and the stat cache (times and stats).
    static func tree(_ root: String) throws -> [String: String] {
        var links: [String] = []
        var out: [String: String] = [:]
        for path in FileSystem.walkFiles(root, skipped: { links.append($0) })
        where path != ".agentsmesh/.lock" && path != StatCache.fileName {
            out[path] = SHA256.hex(try FileSystem.read(root + "/" + path, displayPath: path))
        }
        for link in links {
            out[link] = "link:" + (try FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + link))
        }
        return out
    }

    static func copy(_ name: String) throws -> TestProject {
        let project = try TestProject()
        try FileManager.default.removeItem(atPath: project.root)
        try FileManager.default.copyItem(atPath: Fixtures.path("real-world/\(name)/input"), toPath: project.root)
        return project
    }

    @Test(arguments: projects)
    func initGivesTheExpectedTreeAndLosesNothing(project name: String) async throws {
        let project = try Self.copy(name)
        let input = Fixtures.path("real-world/\(name)/input")
        let data = try await Initializer.run(root: project.root, options: .init(yes: true))
        let expected = try Self.tree(Fixtures.path("real-world/\(name)/expected"))
        let actual = try Self.tree(project.root)
        #expect(
            Set(actual.keys) == Set(expected.keys),
            "files differ: +\(Set(actual.keys).subtracting(expected.keys).sorted()) -\(Set(expected.keys).subtracting(actual.keys).sorted())"
        )
        for (path, hash) in expected.sorted(by: { $0.key < $1.key }) where actual[path] != nil {
            #expect(actual[path] == hash, "\(path) differs from the expected tree")
        }
        let losses = try NothingLost.losses(original: input, project: project.root)
        #expect(losses.isEmpty, "\(losses)")
        let problems = try ToolSchemaFacts.problems(root: project.root)
        #expect(problems.isEmpty, "\(problems)")
        let check = try Checker.check(root: project.root)
        #expect(check.inSync, "\(check.advice)")
        #expect(try await project.generate().files.allSatisfy { $0.status == .unchanged })
        #expect(!(try Linter.lint(root: project.root, targets: nil)).contains { $0.severity == "error" })
        #expect(data["removed"]?.arrayValue?.allSatisfy { $0["reason"]?.stringValue?.isEmpty == false } == true)
    }
}
