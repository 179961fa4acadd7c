internal import Dispatch
internal import Foundation
public import MeshesEngine
internal import SharedCore
internal import SharedPlatform

/// A process's delivery: the scheduler and the shared HTTP client, started and stopped together. `meshes serve`
/// runs one beside the API, the embedded verbs run one while they work, `meshes deliver` runs one alone.
public final class DeliveryEngine: Sendable {
    public let scheduler: DeliveryScheduler
    let runner: AttemptRunner
    let store: any MeshesStore

    public init(store: any MeshesStore, egress: EgressOptions, workers: Int = 32, schedulerOptions: DeliveryScheduler.Options? = nil) {
        var options = schedulerOptions ?? DeliveryScheduler.Options()
        options.workers = max(1, workers)
        let runner = AttemptRunner(egress: egress, clock: options.clock)
        self.runner = runner
        self.store = store
        scheduler = DeliveryScheduler(store: store, runner: runner, options: options)
    }

    /// `MESHES_DELIVERY=off` turns delivery off in embedded processes.
    public static func isTurnedOff(_ environment: [String: String]) -> Bool {
        ["off", "0", "false", "no"].contains(environment["MESHES_DELIVERY"]?.lowercased() ?? "")
    }

    public func start() async { await scheduler.start() }

    /// Stops claiming, lets in-flight attempts finish and be recorded, then closes the HTTP client.
    public func stop() async {
        await scheduler.stop()
        await runner.shutdown()
    }

    /// Waits until the event has no delivery left to start or running (every rule event is terminal, or
    /// retrying later), or until `timeout` seconds passed. Returns the event as it then stands.
    public func settle(orgID: String, eventID: String, timeout: Double) async throws -> Event? {
        let deadline = Clock.now() + timeout
        while true {
            scheduler.wake()
            let event = try await store.event(orgID: orgID, id: eventID, includePayload: false)
            guard let event else { return nil }
            let open = event.ruleEvents.contains { $0.status == .pending || $0.status == .processing }
            if !open || Clock.now() >= deadline { return event }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// Waits until nothing is running and nothing is due now (or `timeout` seconds passed).
    public func drain(timeout: Double) async throws {
        let deadline = Clock.now() + timeout
        while Clock.now() < deadline {
            scheduler.wake()
            let running = await scheduler.running
            let next = try await store.nextDueAt()
            let now = Int64(Clock.now() * 1000)
            if running == 0, next.map({ $0 > now }) ?? true { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Runs until SIGINT or SIGTERM, then stops gracefully.
    public func runUntilSignalled() async {
        await start()
        await Self.waitForTermination()
        await stop()
    }

    /// Returns on the first SIGINT or SIGTERM.
    static func waitForTermination() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let queue = DispatchQueue(label: "meshes.signals")
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = Once()
            let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
            for source in sources {
                source.setEventHandler {
                    guard once.first() else { return }
                    for source in sources { source.cancel() }
                    continuation.resume()
                }
                source.resume()
            }
        }
    }
}

/// True exactly once.
final class Once: @unchecked Sendable {
    // Only touched on the signal queue.
    private var done = false
    func first() -> Bool {
        if done { return false }
        done = true
        return true
    }
}
