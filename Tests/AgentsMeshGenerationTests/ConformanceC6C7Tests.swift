import AgentsMeshCanonical
import AgentsMeshGeneration
import Foundation
import SharedCore
import Testing

/// Spec §8 C6: the lockfile.
@Suite struct ConformanceC6Tests {
    @Test func exactLockAfterC1ForClaude() async throws {
        let project = try ConformanceC1Tests.c1(targets: "[claude-code]")
        let first = try await project.generate()
        #expect(first.lockfileUpdated)
        let text = try #require(project.read(".agentsmesh/.lock"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[3].hasPrefix("generated_at: ") && lines[3].hasSuffix("Z"))
        #expect(lines[4].hasPrefix("generated_by: "))
        let stable = lines.enumerated().filter { ![3, 4].contains($0.offset) }.map(\.element).joined(separator: "\n")
        #expect(
            stable
                == "# Auto-generated. DO NOT EDIT MANUALLY.\n# Tracks the state of all config files for team conflict resolution.\n\nlib_version: 0.1.0\nchecksums:\n  rules/_root.md: sha256:6ded3d15624c00b33f8dac58f7cfcee863179d66de7e4fec4173c20e712e0794\n  rules/src.md: sha256:fd00f78973aa44cc5b847fa7367e73a3139d90dbf080249c364a0db631b74d34\nextends: {}\npacks: {}\noutputs:\n  .claude/rules/src.md: sha256:01841794ef3a82ef34726e7c11b66d32912e452f9a707d87c836b05cad3e1909\n  CLAUDE.md: sha256:2b33c74567f0f3ec135a87b2cbecee8a2137f989f0bab223e5e1dcd93437d153\n"
        )

        // A second run is a no-op: every file unchanged, lock byte-identical.
        let second = try await project.generate()
        #expect(!second.lockfileUpdated)
        #expect(second.files.allSatisfy { $0.status == .unchanged })
        #expect(project.read(".agentsmesh/.lock") == text)
    }

    @Test func partialRunMarksStaleTargets() async throws {
        let project = try ConformanceC1Tests.c1(targets: "[claude-code, cursor]")
        try await project.generate()
        let checksumsBefore = try #require(try Lockfile.read(root: project.root)).checksums
        try project.write(".agentsmesh/rules/_root.md", "---\nroot: true\n---\n# Root rules v2\n")
        try await project.generate(["cursor"])
        let lock = try #require(try Lockfile.read(root: project.root))
        #expect(lock.checksums == checksumsBefore)
        #expect(lock.staleTargets == ["claude-code"])
        #expect(try Checker.check(root: project.root).inSync == false)
        try await project.generate()
        #expect(try Lockfile.read(root: project.root)?.staleTargets == [])
        #expect(try Checker.check(root: project.root).inSync)
    }

    @Test func deletedRuleRemovesItsOutput() async throws {
        let project = try ConformanceC1Tests.c1(targets: "[claude-code]")
        try await project.generate()
        try project.remove(".agentsmesh/rules/src.md")
        let result = try await project.generate()
        #expect(result.files.contains { $0.path == ".claude/rules/src.md" && $0.status == .delete })
        #expect(!project.exists(".claude/rules/src.md"))
        #expect(!project.exists(".claude/rules"))
        #expect(try Lockfile.read(root: project.root)?.outputs?[".claude/rules/src.md"] == nil)
    }

    @Test func handEditsAndUnmanagedFilesAreDrift() async throws {
        let project = try ConformanceC1Tests.c1(targets: "[claude-code]")
        try await project.generate()
        try project.write("CLAUDE.md", "# edited")
        let check = try Checker.check(root: project.root)
        #expect(!check.inSync)
        #expect(check.outputsModified == ["CLAUDE.md"])
        try await project.generate()
        try project.write(".claude/commands/mine.md", "mine")
        let stale = try Checker.check(root: project.root)
        #expect(stale.outputsStale == [".claude/commands/mine.md"])
        let result = try await project.generate()
        #expect(result.warnings.contains { $0.code == "UNMANAGED_FILE" && $0.path == ".claude/commands/mine.md" })
        #expect(project.read(".claude/commands/mine.md") == "mine")
    }

    @Test func checkReportsCanonicalDriftAndMissingLock() async throws {
        let project = try ConformanceC1Tests.c1(targets: "[claude-code]")
        #expect(await project.errorCode { _ = try Checker.check(root: project.root) } == "NOT_FOUND")
        try await project.generate()
        try project.write(".agentsmesh/rules/new.md", "New\n")
        try project.write(".agentsmesh/rules/src.md", "changed\n")
        let check = try Checker.check(root: project.root)
        #expect(check.added == ["rules/new.md"])
        #expect(check.modified == ["rules/src.md"])
        #expect(check.canonicalDrift)
    }

    @Test func generateCheckReportsDrift() async throws {
        let project = try ConformanceC1Tests.c1(targets: "[claude-code]")
        #expect(await project.errorCode { try await project.generate(check: true) } == "DRIFT")
        try await project.generate()
        #expect(await project.errorCode { try await project.generate(check: true) } == nil)
        try project.write(".agentsmesh/rules/src.md", "changed\n")
        #expect(await project.errorCode { try await project.generate(check: true) } == "DRIFT")
    }

    @Test func mergeRebuildsAConflictedLock() async throws {
        let project = try ConformanceC1Tests.c1(targets: "[claude-code]")
        try await project.generate()
        let good = try #require(project.read(".agentsmesh/.lock"))
        let conflicted =
            good.replacingOccurrences(of: "outputs:\n", with: "<<<<<<< HEAD\noutputs:\n")
            + "=======\noutputs:\n  CLAUDE.md: sha256:00\n>>>>>>> theirs\n"
        try project.write(".agentsmesh/.lock", conflicted)
        let check = try Checker.check(root: project.root)
        #expect(check.lockConflict && !check.inSync)
        _ = try LockMerge.merge(root: project.root)
        let rebuilt = try #require(try Lockfile.read(root: project.root))
        #expect(rebuilt.outputs?.keys.sorted() == [".claude/rules/src.md", "CLAUDE.md"])
        #expect(try Checker.check(root: project.root).inSync)
    }
}

/// Spec §8 C7 (the generate part): process locks and symlink escapes.
@Suite struct ConformanceC7Tests {
    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func deadPidLockIsEvicted() async throws {
        let project = try ConformanceC1Tests.c1(targets: "[claude-code]")
        try project.write(
            ".agentsmesh/.generate.lock",
            "{\"pid\":999999,\"hostname\":\"\(Self.hostname())\",\"command\":\"generate\",\"acquiredAt\":\"\(Clock.isoNow())\"}")
        try await project.generate()
        #expect(project.exists("CLAUDE.md"))
        #expect(!project.exists(".agentsmesh/.generate.lock"))
    }

    @Test func liveLockGivesLockHeld() async throws {
        let project = try ConformanceC1Tests.c1(targets: "[claude-code]")
        try project.write(
            ".agentsmesh/.generate.lock",
            "{\"pid\":1,\"hostname\":\"\(Self.hostname())\",\"command\":\"generate\",\"acquiredAt\":\"\(Clock.isoNow())\"}")
        do {
            _ = try await Generator(root: project.root).generate(GenerateOptions(lockTimeout: 0))
            Issue.record("expected LOCK_HELD")
        } catch {
            #expect(error.code == "LOCK_HELD")
            #expect(error.details?["pid"] == 1)
            #expect(error.details?["command"] == "generate")
        }
        #expect(!project.exists("CLAUDE.md"))
    }

    @Test func symlinkedOutputFolderIsRejectedBeforeAnyWrite() async throws {
        let project = try FullFixture.make()
        let outside = try TestProject()
        try FileManager.default.createSymbolicLink(atPath: project.root + "/.claude", withDestinationPath: outside.root)
        #expect(await project.errorCode { try await project.generate(dryRun: true) } == "PATH_TRAVERSAL")
        #expect(await project.errorCode { try await project.generate() } == "PATH_TRAVERSAL")
        #expect(project.outputFiles().isEmpty)
        #expect(FileSystem.walkFiles(outside.root).isEmpty)
        #expect(!project.exists(".agentsmesh/.lock"))
    }
}
