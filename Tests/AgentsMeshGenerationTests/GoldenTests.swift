import AgentsMeshGeneration
import Foundation
import SharedCore
import Testing

/// Byte comparison against the committed expected trees (`Scripts/regen-golden` rewrites them on purpose).
@Suite struct GoldenTests {
    @Test(arguments: ["claude-code", "cursor", "gemini-cli"])
    func outputsMatchTheCommittedTree(target: String) async throws {
        let project = try TestProject(fixture: "canonical-full")
        try await project.generate([target])
        let expectedRoot = Fixtures.path("expected/\(target)")
        let expected = FileSystem.walkFiles(expectedRoot)
        #expect(project.outputFiles() == expected)
        for path in expected {
            let want = try FileSystem.read(expectedRoot + "/" + path, displayPath: path)
            #expect(project.bytes(path) == want, "\(path) differs from Tests/Fixtures/expected/\(target)")
        }
    }

    @Test func allTargetsAtOnceIsTheUnionOfTheTrees() async throws {
        let project = try TestProject(fixture: "canonical-full")
        try await project.generate()
        var union: Set<String> = []
        for target in ["claude-code", "cursor", "gemini-cli"] {
            union.formUnion(FileSystem.walkFiles(Fixtures.path("expected/\(target)")))
        }
        #expect(project.outputFiles() == union.sorted(by: FileSystem.byteOrder))
        // AGENTS.md comes from cursor (first of cursor/gemini-cli in config order).
        #expect(project.bytes("AGENTS.md") == (try FileSystem.read(Fixtures.path("expected/cursor/AGENTS.md"), displayPath: "AGENTS.md")))
    }
}
