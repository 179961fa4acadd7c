internal import AgentsMeshKit
public import SharedCore

/// `watch` (§4.11): an initial generate, then a full generate after each debounced burst of edits.
public enum WatchLoop {
    /// Paths the watcher never reacts to (relative to the project root).
    public static func ignored(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name == ".lock" || name.hasSuffix(".lock") || name.hasSuffix(".tmp") { return true }
        return path.hasPrefix(".agentsmesh/packs") || path.hasPrefix(".agentsmesh/lessons")
    }

    /// Runs until the task is cancelled; `report` receives each run's result or error.
    public static func run(
        root: String, forcePolling: Bool = false,
        report: @escaping @Sendable (Result<GenerateResult, ToolError>) -> Void
    ) async {
        let generator = Generator(root: root)
        func once() async {
            do {
                report(.success(try await generator.generate(GenerateOptions(lockTimeout: 30))))
            } catch {
                report(.failure(error))
            }
        }
        await once()
        let watcher = FileWatcher(
            root: root, watched: ["agentsmesh.yaml", "agentsmesh.local.yaml", ".agentsmesh"], ignore: ignored,
            debounceMilliseconds: 300, pollMilliseconds: 500, forcePolling: forcePolling)
        await withTaskCancellationHandler {
            for await _ in watcher.changes() {
                if Task.isCancelled { break }
                await once()
            }
        } onCancel: {
            watcher.stop()
        }
    }
}
