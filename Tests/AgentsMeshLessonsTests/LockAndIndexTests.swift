import AgentsMeshKit
import Foundation
import SharedCore
import TestSupport
import Testing

@testable import AgentsMeshLessons

/// `LOCK_HELD` from a live holder of `.lessons.lock/`, and `MERGE_CONFLICT` from an unmerged git index entry.
@Suite struct LockAndIndexTests {
    @discardableResult
    static func sh(_ command: String, in directory: String) throws -> (Int32, String) {
        try shell(command, in: directory)
    }

    @Test func aLiveHolderMakesWritesWaitThenFailWithLockHeld() async throws {
        let project = try LessonsProject()
        try project.seed([.glob("one", "src/**", topic: "t")])
        let before = project.read(LessonsFiles.graph)
        try project.makeFolder(LessonsFiles.lock)
        let owner: JSONValue = [
            "acquiredAt": .string(Clock.isoNow()), "command": "lessons add", "hostname": .string(ProcessLock.hostname),
            "pid": .int(Int(ProcessInfo.processInfo.processIdentifier)),
        ]
        try project.write(LessonsFiles.lock + "/owner.json", JSONEmitter.compact(owner) + "\n")
        let service = LessonsService(root: project.root, environment: [:], lockTimeout: 0.3)
        let code = await errorCode { _ = try await service.deprecate(LessonsDeprecateInput(id: "one")) }
        #expect(code == "LOCK_HELD")
        #expect(project.read(LessonsFiles.graph) == before)
        // A holder that died is evicted.
        let dead: JSONValue = [
            "acquiredAt": .string(Clock.isoNow()), "command": "lessons add", "hostname": .string(ProcessLock.hostname),
            "pid": 999_999_999,
        ]
        try project.write(LessonsFiles.lock + "/owner.json", JSONEmitter.compact(dead) + "\n")
        #expect(try await service.deprecate(LessonsDeprecateInput(id: "one")).status == .deprecated)
        #expect(!project.exists(LessonsFiles.lock))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "git is not installed"))
    func anUnmergedIndexEntryIsAMergeConflict() async throws {
        let project = try LessonsProject()
        let root = project.root
        try project.seed([.glob("one", "src/**", topic: "t", rule: "Base rule")])
        try Self.sh("git init -q -b main && git add -A && git commit -qm base", in: root)
        try project.seed([.glob("one", "src/**", topic: "t", rule: "Ours rule")])
        try Self.sh("git checkout -q -b other && git commit -qam ours", in: root)
        try Self.sh("git checkout -q main", in: root)
        try project.seed([.glob("one", "src/**", topic: "t", rule: "Theirs rule")])
        try Self.sh("git commit -qam theirs", in: root)
        let (status, _) = try Self.sh("git merge -q other", in: root)
        #expect(status != 0)
        // Markers present: MERGE_CONFLICT.
        #expect(await errorCode { _ = try await project.service().topics() } == "MERGE_CONFLICT")
        // Resolved by hand to valid JSON but not `git add`ed: still MERGE_CONFLICT, from the index.
        try project.seed([.glob("one", "src/**", topic: "t", rule: "Resolved rule")])
        #expect(await errorCode { _ = try await project.service().topics() } == "MERGE_CONFLICT")
        #expect(LessonsService.graphReadError(root: root)?.code == "MERGE_CONFLICT")
        try Self.sh("git add -A", in: root)
        #expect(try await project.service().topics().topics.map(\.id) == ["t"])
        // Glob liveness comes from the index: a tracked match is live, an untracked file does not count.
        try project.write("scratch/notes.txt", "untracked\n")
        let tracked = try await project.service().add(LessonsAddInput(rule: "Keep lessons sorted", topic: "t", triggerFiles: ["**/*.json"]))
        #expect(tracked.warnings.isEmpty)
        let untracked = try await project.service().add(
            LessonsAddInput(rule: "Notes are scratch", topic: "t", triggerFiles: ["scratch/*.txt"]))
        #expect(untracked.warnings.map(\.code) == ["PENDING_GLOB"])
    }
}
