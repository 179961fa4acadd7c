import AgentsMeshCanonical
import AgentsMeshKit
import Foundation
import SharedCore
import SharedPlatform
import Testing

@testable import AgentsMeshGeneration

#if canImport(Glibc)
#endif

/// The `.agentsmeshcache` accelerator: the fast no-op path and check must give exactly the results of
/// the full path, and any change to an input must be noticed.
@Suite struct StatCacheGenerateTests {
    static func text(_ result: GenerateResult) -> String { JSONEmitter.compact(result.json) }

    /// A FULL project, generated once, with an unmanaged file so the result carries warnings.
    static func generated(stray: Bool = true) async throws -> TestProject {
        let project = try TestProject(FullFixture.files())
        if stray { try project.write(".claude/rules/stray.md", "stray\n") }
        try await project.generate()
        return project
    }

    /// The full-path answer on the same state (cache removed, then rebuilt by that run).
    static func slowResult(_ project: TestProject) async throws -> String {
        StatCache.remove(root: project.root)
        return text(try await project.generate())
    }

    @Test func fastPathAnswersExactlyLikeTheFullPath() async throws {
        let project = try await Self.generated()
        #expect(project.exists(StatCache.fileName))
        let fast = try #require(GenerateCache.fastPath(root: project.root))
        #expect(fast.changes.isEmpty && fast.lockfileUpdated == false)
        #expect(fast.warnings.contains { $0.code == "UNMANAGED_FILE" && $0.path == ".claude/rules/stray.md" })
        let viaGenerator = Self.text(try await project.generate())
        let lock = project.bytes(".agentsmesh/.lock")
        let slow = try await Self.slowResult(project)
        #expect(Self.text(fast) == slow)
        #expect(viaGenerator == slow)
        #expect(project.bytes(".agentsmesh/.lock") == lock)
        // The no-op run re-recorded the cache: the fast path answers again, identically.
        #expect(GenerateCache.fastPath(root: project.root).map(Self.text) == slow)
    }

    /// A first run records what it built inside new folders from its writers (no second walk); a run that
    /// finds nothing to do records the same tree by walking the disk. Both caches must agree entry by entry
    /// on the output side (racy flags aside: they depend on when each run looked).
    @Test func whatAFirstRunBuiltIsRecordedAsTheDiskHasIt() async throws {
        let project = try TestProject(FullFixture.files())
        try await project.generate()
        let key = GenerateCache.key(root: project.root)
        let first = try #require(StatCache.load(root: project.root, key: key))
        // Every output of the first run sits in a folder it created, except those at the project root.
        let outputs = first.entries.filter { $0.tag != nil }
        #expect(outputs.count > 20)
        #expect(outputs.contains { $0.path.hasPrefix(".claude/skills/") })
        StatCache.remove(root: project.root)
        let again = try await project.generate()
        #expect(again.changes.isEmpty)
        let walked = try #require(StatCache.load(root: project.root, key: key))
        // The output side (the canonical side differs by design: the second run's own lock file touched
        // `.agentsmesh/`, and entries racy at the first run carry content hashes).
        func comparable(_ cache: StatCache) -> [String] {
            cache.entries.filter { !$0.path.hasPrefix(".agentsmesh") && !$0.path.hasPrefix("agentsmesh") }.map { entry in
                var entry = entry
                entry.racy = false
                return "\(entry)"
            }
        }
        let (a, b) = (comparable(first), comparable(walked))
        #expect(a.count == b.count && a.count >= 50, "\(a.count) entries")
        for (x, y) in zip(a, b) where x != y {
            Issue.record("recorded \(x)\nwalked   \(y)")
        }
        #expect(first.records == walked.records)
    }

    /// What a run wrote (outputs, folders, the lock) is recorded as settled: the record waits until the
    /// filesystem clock has passed every timestamp the run's writes got, fine-grained ones included, so the
    /// next no-op does not re-read them. (Whole-second timestamps would need a one-second wait: not judged.)
    @Test func whatARunWroteIsRecordedSettled() async throws {
        for _ in 0..<5 {
            let project = try TestProject(FullFixture.files())
            try await project.generate()
            let cache = try #require(StatCache.load(root: project.root, key: GenerateCache.key(root: project.root)))
            let racy = cache.entries.filter { entry in
                entry.racy && !entry.listing && !(entry.path.hasPrefix(".agentsmesh/") && entry.path != ".agentsmesh/.lock")
                    && !entry.path.hasPrefix("agentsmesh")
                    && !(entry.stat.mtime % 1_000_000_000 == 0 && entry.stat.ctime % 1_000_000_000 == 0)
            }
            #expect(racy.map(\.path) == [])
        }
    }

    @Test func sameSizeEditInTheSameSecondIsDetected() async throws {
        let project = try TestProject(FullFixture.files())
        let rule = ".agentsmesh/rules/typescript.md"
        let original = try #require(project.bytes(rule))
        try await project.generate()
        let before = FileStat.of(project.root + "/" + rule)
        // Same length, different bytes, immediately (same clock tick / second); mtime put back.
        var edited = original
        edited[edited.count - 2] = edited[edited.count - 2] == UInt8(ascii: "X") ? UInt8(ascii: "Y") : UInt8(ascii: "X")
        try project.write(rule, bytes: edited)
        var times = [timespec(tv_sec: Int(before.mtime / 1_000_000_000), tv_nsec: Int(before.mtime % 1_000_000_000))]
        times.append(times[0])
        _ = utimensat(AT_FDCWD, project.root + "/" + rule, times, AT_SYMLINK_NOFOLLOW)
        #expect(FileStat.of(project.root + "/" + rule).size == before.size)
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        #expect(try Checker.check(root: project.root).modified == ["rules/typescript.md"])
        let result = try await project.generate()
        #expect(!result.changes.isEmpty)
        #expect(try Checker.check(root: project.root).inSync)
    }

    @Test func racyEntriesAreReverifiedByContent() async throws {
        let project = try await Self.generated(stray: false)
        var cache = try #require(StatCache.load(root: project.root, key: GenerateCache.key(root: project.root)))
        // Mark every entry racy with a wrong hash for one output: the fast path must refuse.
        let index = try #require(cache.entries.firstIndex { $0.path == "CLAUDE.md" })
        for i in cache.entries.indices { cache.entries[i].racy = true }
        cache.entries[index].hash = SHA256.tagged(Array("other".utf8))
        cache.write(root: project.root)
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        #expect(try Checker.check(root: project.root).inSync)
    }

    @Test func touchedOutputIsDriftForCheckAndUpdatedByGenerate() async throws {
        let project = try await Self.generated(stray: false)
        let output = ".claude/rules/typescript.md"
        var bytes = try #require(project.bytes(output))
        bytes[0] = bytes[0] == UInt8(ascii: "#") ? UInt8(ascii: "=") : UInt8(ascii: "#")
        try project.write(output, bytes: bytes)
        let check = try Checker.check(root: project.root)
        #expect(check.outputsModified == [output] && !check.inSync)
        let drift = await project.errorCode { try await project.generate(check: true) }
        #expect(drift == ErrorCode.drift)
        let result = try await project.generate()
        #expect(result.changes.map(\.path) == [output])
        #expect(try Checker.check(root: project.root).inSync)
    }

    @Test func missingOrCorruptCacheGivesTheSameResults() async throws {
        let project = try await Self.generated()
        let reference = Self.text(try await project.generate())
        let referenceCheck = try Checker.check(root: project.root)
        let cachePath = project.root + "/" + StatCache.fileName
        let good = try #require(project.bytes(StatCache.fileName))
        let corruptions: [[UInt8]] = [
            [], Array("garbage\n".utf8), Array(good.prefix(good.count / 2)), Array(good.dropLast(1)),
            Array(
                String(decoding: good, as: UTF8.self).replacingOccurrences(of: "agentsmesh-stat-cache 1", with: "agentsmesh-stat-cache 9")
                    .utf8),
            Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "lib=", with: "lib=0").utf8),
            Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\ne 1 ", with: "\ne 7 ").utf8),
        ]
        for corrupt in corruptions {
            try project.write(StatCache.fileName, bytes: corrupt)
            #expect(GenerateCache.fastPath(root: project.root) == nil)
            #expect(try Checker.check(root: project.root) == referenceCheck)
            #expect(Self.text(try await project.generate()) == reference)
        }
        unlink(cachePath)
        #expect(try Checker.check(root: project.root) == referenceCheck)
        #expect(Self.text(try await project.generate()) == reference)
        #expect(GenerateCache.fastPath(root: project.root).map(Self.text) == reference)
    }

    @Test func configChangesRegenerate() async throws {
        let project = try await Self.generated()
        #expect(GenerateCache.fastPath(root: project.root) != nil)
        try project.write(
            "agentsmesh.yaml",
            FullFixture.config.replacingOccurrences(of: "[claude-code, cursor, gemini-cli]", with: "[claude-code, cursor]"))
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        let narrowed = try await project.generate()
        #expect(narrowed.targets == ["claude-code", "cursor"])
        #expect(Self.text(try await project.generate()) == (try await Self.slowResult(project)))
        try project.write("agentsmesh.local.yaml", "targets: [claude-code]\n")
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        #expect(try await project.generate().targets == ["claude-code"])
    }

    @Test func canonicalAndPackChangesRegenerate() async throws {
        let project = try await Self.generated()
        try project.write(".agentsmesh/packs/extra/rules/from-pack.md", "---\ndescription: Pack\n---\nFrom the pack.\n")
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        let packed = try await project.generate()
        #expect(packed.changes.contains { $0.path == ".claude/rules/from-pack.md" && $0.status == .create })
        #expect(GenerateCache.fastPath(root: project.root) != nil)
        try project.write(".agentsmesh/packs/extra/rules/from-pack.md", "---\ndescription: Pack\n---\nFrom the pack, edited.\n")
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        #expect(try await project.generate().changes.contains { $0.path == ".claude/rules/from-pack.md" && $0.status == .update })
        // New top-level canonical file and a new rule.
        try project.write(".agentsmesh/rules/brand-new.md", "---\ndescription: New\n---\nNew.\n")
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        #expect(try await project.generate().changes.contains { $0.path == ".claude/rules/brand-new.md" })
        try project.remove(".agentsmesh/ignore")
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        try await project.generate()
        try project.write(".agentsmesh/ignore", "node_modules\n")
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        try await project.generate()
        // An unmanaged file dropped into a managed folder changes the warnings.
        try project.write(".cursor/rules/other-stray.mdc", "x\n")
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        let warned = try await project.generate()
        #expect(warned.warnings.contains { $0.path == ".cursor/rules/other-stray.mdc" })
        #expect(Self.text(try await project.generate()) == (try await Self.slowResult(project)))
    }

    @Test func deletedOutputIsRecreated() async throws {
        let project = try await Self.generated()
        try project.remove("GEMINI.md")
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        #expect(try Checker.check(root: project.root).outputsRemoved == ["GEMINI.md"])
        #expect(try await project.generate().changes.map(\.path) == ["GEMINI.md"])
    }

    @Test func partialRunsDoNotUseOrKeepTheFastPath() async throws {
        let project = try await Self.generated()
        let partial = try await project.generate(["claude-code"])
        #expect(partial.targets == ["claude-code"])
        try project.write(".agentsmesh/rules/typescript.md", "---\ndescription: TS\n---\nChanged.\n")
        _ = try await project.generate(["claude-code"])
        #expect(GenerateCache.fastPath(root: project.root) == nil)
        #expect(try await project.generate().changes.isEmpty == false)
        #expect(Self.text(try await project.generate()) == (try await Self.slowResult(project)))
    }

    // MARK: - check's clean record

    static func checkText(_ result: CheckResult) -> String { JSONEmitter.compact(result.json) }

    /// `check` (which may answer from the clean record) and the full check agree, for both output modes.
    static func expectCheckAgrees(_ project: TestProject, clean: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for verify in [true, false] {
            let answered = try Checker.check(root: project.root, verifyOutputs: verify)
            let full = try Checker.fullCheck(root: project.root, verifyOutputs: verify, environment: ProcessEnvironment.current)
            #expect(Self.checkText(answered) == Self.checkText(full), sourceLocation: sourceLocation)
            #expect((Checker.cachedClean(root: project.root, verifyOutputs: verify) != nil) == clean, sourceLocation: sourceLocation)
        }
    }

    @Test func cleanGenerateRecordsACleanCheck() async throws {
        let project = try await Self.generated(stray: false)
        try Self.expectCheckAgrees(project, clean: true)
        let answered = try #require(Checker.cachedClean(root: project.root, verifyOutputs: true))
        #expect(answered.inSync && answered.outputsChecked)
        #expect(Checker.cachedClean(root: project.root, verifyOutputs: false)?.outputsChecked == false)
    }

    @Test func unmanagedFileMeansNoCleanRecord() async throws {
        let project = try await Self.generated(stray: true)
        try Self.expectCheckAgrees(project, clean: false)
        #expect(try Checker.check(root: project.root).outputsStale == [".claude/rules/stray.md"])
    }

    @Test func anyEditAfterGenerateFallsBackToTheFullCheck() async throws {
        let edits: [(String, (TestProject) throws -> Void)] = [
            ("output edited", { try $0.write(".claude/rules/typescript.md", "changed\n") }),
            ("output removed", { try $0.remove(".cursor/rules/typescript.mdc") }),
            ("canonical edited", { try $0.write(".agentsmesh/rules/typescript.md", "---\ndescription: x\n---\nnew body\n") }),
            ("canonical added", { try $0.write(".agentsmesh/rules/extra.md", "extra\n") }),
            ("stray added", { try $0.write(".gemini/commands/stray.toml", "prompt = \"x\"\n") }),
            ("lock edited", { try $0.write(".agentsmesh/.lock", "<<<<<<< ours\n=======\n>>>>>>> theirs\n") }),
        ]
        for (name, edit) in edits {
            let project = try await Self.generated(stray: false)
            try edit(project)
            try Self.expectCheckAgrees(project, clean: false)
            #expect(!(try Checker.check(root: project.root).inSync), "\(name)")
        }
    }

    @Test func checkNeverWritesTheCache() async throws {
        let project = try await Self.generated(stray: false)
        let before = project.bytes(StatCache.fileName)
        _ = try Checker.check(root: project.root)
        try project.write(".claude/rules/typescript.md", "changed\n")
        _ = try Checker.check(root: project.root)
        #expect(project.bytes(StatCache.fileName) == before)
    }
}
