import AgentsMeshKit
import Foundation
import Testing

/// Collects batches from a watcher stream on a background task so tests can wait with deadlines.
private actor WatcherBatchRecorder {
    private(set) var batches: [[String]] = []
    private(set) var finished = false

    func append(_ batch: [String]) { batches.append(batch) }
    func finish() { finished = true }

    /// Starts draining `stream`; the task ends when the stream finishes.
    nonisolated func drain(_ stream: AsyncStream<[String]>) -> Task<Void, Never> {
        Task {
            for await batch in stream { await append(batch) }
            await finish()
        }
    }
}

/// A temporary project with `agentsmesh.yaml` and `.agentsmesh/rules/`, removed by `cleanup()`.
private struct WatcherProject {
    let root: String

    init() throws {
        let path = FileManager.default.temporaryDirectory.path + "/fwatch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/.agentsmesh/rules", withIntermediateDirectories: true)
        root = path
        try write("agentsmesh.yaml", "version: 1\n")
    }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: root + "/" + relative, atomically: false, encoding: .utf8)
    }

    func makeFolder(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// The exclusions `agentsmesh watch` passes: `.lock`, `*.lock`, `*.tmp`, `packs/`, `lessons/`.
private let watcherIgnoreRule: @Sendable (String) -> Bool = { path in
    let name = path.split(separator: "/").last.map(String.init) ?? path
    if name == ".lock" || name.hasSuffix(".lock") || name.hasSuffix(".tmp") { return true }
    return path.hasPrefix(".agentsmesh/packs/") || path.hasPrefix(".agentsmesh/lessons/")
}

private func makeProjectWatcher(_ project: WatcherProject, forcePolling: Bool) -> FileWatcher {
    FileWatcher(
        root: project.root,
        watched: ["agentsmesh.yaml", "agentsmesh.local.yaml", ".agentsmesh"],
        ignore: watcherIgnoreRule,
        pollMilliseconds: 100,
        forcePolling: forcePolling
    )
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass; returns whether it held.
private func watcherEventually(within seconds: Double, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

@Suite("FileWatcher")
struct FileWatcherTests {
    @Test("backend selection", arguments: [false, true])
    func backendSelection(forcePolling: Bool) throws {
        let project = try WatcherProject()
        defer { project.cleanup() }
        let watcher = makeProjectWatcher(project, forcePolling: forcePolling)
        defer { watcher.stop() }
        #if os(Linux)
            #expect(watcher.backend == (forcePolling ? .polling : .inotify))
        #else
            #expect(watcher.backend == .polling)
        #endif
    }

    @Test("a quick burst of writes yields exactly one batch", arguments: [false, true])
    func burstIsDebounced(forcePolling: Bool) async throws {
        let project = try WatcherProject()
        defer { project.cleanup() }
        let watcher = makeProjectWatcher(project, forcePolling: forcePolling)
        let recorder = WatcherBatchRecorder()
        let task = recorder.drain(watcher.changes())
        defer {
            watcher.stop()
            task.cancel()
        }
        for round in 1...3 {
            try project.write(".agentsmesh/rules/a.md", "# rule \(round)\n")
        }
        #expect(await watcherEventually(within: 30) { await !recorder.batches.isEmpty })
        // Stay quiet for longer than the debounce window plus a poll: no second batch may follow.
        try await Task.sleep(for: .milliseconds(700))
        let batches = await recorder.batches
        #expect(batches == [[".agentsmesh/rules/a.md"]])
    }

    @Test("ignored paths produce no batch", arguments: [false, true])
    func ignoredPathsAreSilent(forcePolling: Bool) async throws {
        let project = try WatcherProject()
        defer { project.cleanup() }
        try project.makeFolder(".agentsmesh/packs")
        let watcher = makeProjectWatcher(project, forcePolling: forcePolling)
        let recorder = WatcherBatchRecorder()
        let task = recorder.drain(watcher.changes())
        defer {
            watcher.stop()
            task.cancel()
        }
        try project.write(".agentsmesh/.lock", "pid 1\n")
        try project.write(".agentsmesh/state.lock", "x\n")
        try project.write(".agentsmesh/rules/b.md.tmp", "partial\n")
        try project.write(".agentsmesh/packs/p.md", "pack\n")
        try project.write("unrelated.txt", "not watched\n")
        let sawBatch = await watcherEventually(within: 1) { await !recorder.batches.isEmpty }
        #expect(!sawBatch)
        // The watcher is still alive: a real change arrives alone, without the ignored paths.
        try project.write("agentsmesh.yaml", "version: 2\n")
        #expect(await watcherEventually(within: 30) { await !recorder.batches.isEmpty })
        #expect(await recorder.batches == [["agentsmesh.yaml"]])
    }

    @Test("files in newly created sub-folders are reported", arguments: [false, true])
    func newFoldersAreWatched(forcePolling: Bool) async throws {
        let project = try WatcherProject()
        defer { project.cleanup() }
        let watcher = makeProjectWatcher(project, forcePolling: forcePolling)
        let recorder = WatcherBatchRecorder()
        let task = recorder.drain(watcher.changes())
        defer {
            watcher.stop()
            task.cancel()
        }
        try project.makeFolder(".agentsmesh/commands/git")
        try await Task.sleep(for: .milliseconds(50))
        try project.write(".agentsmesh/commands/git/commit.md", "commit\n")
        // The folder creation may arrive as its own batch; wait until the file shows up in any batch.
        #expect(
            await watcherEventually(within: 30) { await recorder.batches.flatMap { $0 }.contains(".agentsmesh/commands/git/commit.md") })
        let before = await recorder.batches.count
        // A later write proves the new folder has its own watch (not just the creation-time scan).
        try project.write(".agentsmesh/commands/git/push.md", "push\n")
        #expect(
            await watcherEventually(within: 30) {
                await recorder.batches.dropFirst(before).flatMap { $0 }.contains(".agentsmesh/commands/git/push.md")
            })
        let second = await recorder.batches.dropFirst(before).flatMap { $0 }
        #expect(second.contains(".agentsmesh/commands/git/push.md"))
    }

    @Test("stop() finishes the stream", arguments: [false, true])
    func stopFinishesStream(forcePolling: Bool) async throws {
        let project = try WatcherProject()
        defer { project.cleanup() }
        let watcher = makeProjectWatcher(project, forcePolling: forcePolling)
        let recorder = WatcherBatchRecorder()
        let task = recorder.drain(watcher.changes())
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(50))
        watcher.stop()
        #expect(await watcherEventually(within: 30) { await recorder.finished })
        // A stream requested after stop() is already finished.
        let late = WatcherBatchRecorder()
        let lateTask = late.drain(watcher.changes())
        defer { lateTask.cancel() }
        #expect(await watcherEventually(within: 30) { await late.finished })
    }
}
