import AgentsMeshCanonical
import AgentsMeshKit
import Foundation
import SharedCore
import Testing

@testable import AgentsMeshGeneration

/// A run killed while writing leaves temps behind (never a half-written output); the next run removes them.
@Suite struct InterruptedRunTests {
    /// Every entry below the project root, relative, sorted (symlinks not followed).
    static func tree(_ root: String) -> [String] {
        var out: [String] = []
        func visit(_ rel: String) {
            for name in FileSystem.list(rel.isEmpty ? root : root + "/" + rel) {
                let child = rel.isEmpty ? name : rel + "/" + name
                out.append(child)
                if FileSystem.kind(root + "/" + child) == .directory { visit(child) }
            }
        }
        visit("")
        return out.sorted()
    }

    @Test func theNextGenerateRemovesWhatAnInterruptedOneLeft() async throws {
        let clean = try TestProject(FullFixture.files())
        try await clean.generate()
        let project = try TestProject(FullFixture.files())
        // What a run killed between staging and commit leaves: the journal, a new folder's temp, file temps.
        let plan = try Planner.plan(root: project.root, targets: nil, force: false)
        try project.write(".claude/rules/existing.md", "made by hand\n")
        var batch = AtomicFile.Batch(journal: project.root + "/" + Generator.stagingJournal)
        try batch.stageAll(
            plan.files.map { (bytes: $0.bytes, path: project.root + "/" + $0.path, displayPath: $0.path, durable: false) },
            root: project.root)
        #expect(project.exists(Generator.stagingJournal))
        #expect(Self.tree(project.root).contains { $0.hasPrefix("..cursor.agentsmesh-") && $0.hasSuffix(".tmp") })
        #expect(Self.tree(project.root).contains { $0.hasPrefix(".claude/rules/.typescript.md.agentsmesh-") })
        #expect(!project.exists(".cursor"))

        let result = try await project.generate()
        // The file made by hand is the only unmanaged file left: the temps are gone.
        #expect(result.warnings.filter { $0.code == "UNMANAGED_FILE" }.map(\.path) == [".claude/rules/existing.md"])
        try project.remove(".claude/rules/existing.md")
        #expect(Self.tree(project.root).filter { $0 != ".agentsmeshcache" } == Self.tree(clean.root).filter { $0 != ".agentsmeshcache" })
        for path in Self.tree(clean.root)
        where FileSystem.kind(clean.root + "/" + path) == .file && !path.hasSuffix(".lock") && path != ".agentsmeshcache" {
            #expect(project.bytes(path) == clean.bytes(path), "\(path)")
        }
    }
}
