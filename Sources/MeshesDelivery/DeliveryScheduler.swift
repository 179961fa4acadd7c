internal import Foundation
internal import MeshesCore
public import MeshesEngine
internal import SharedCore
internal import Synchronization

/// Claims due deliveries and runs their attempts (§5.3): wakes on every ingest (its own process's, and with a
/// PostgreSQL store every node's, through the store's `watchNewWork`), otherwise polls every second;
/// recovers expired leases at start and every 15 s; at most `workers` attempts in flight, and per connection
/// its `max_concurrency` and `rate_limit_per_second`. Everything it knows of the work lives in the store, so a
/// process that dies loses nothing but its leases, which the next recovery turns into retries.
public actor DeliveryScheduler: DeliveryControl {
    public struct Options: Sendable {
        /// Attempts in flight at once (`--workers`).
        public var workers = 32
        /// Seconds between polls when nothing wakes the scheduler.
        public var pollInterval = 1.0
        /// Seconds between lease recoveries.
        public var recoveryInterval = 15.0
        /// This process's lease owner id.
        public var owner = UUID().uuidString.lowercased()
        /// The jitter factor of each retry delay, from U(0.8, 1.2) (tests pin it).
        public var jitter: @Sendable () -> Double = { Double.random(in: 0.8...1.2) }
        /// Milliseconds since 1970 (tests pin it).
        public var clock: @Sendable () -> Int64 = { Int64(Clock.now() * 1000) }

        public init() {}
    }

    let store: any MeshesStore
    let runner: AttemptRunner
    let options: Options
    let wakeup = Wakeup()

    var loop: Task<Void, Never>?
    var watcher: Task<Void, Never>?
    var stopping = false
    var inFlight = 0
    var drained: [CheckedContinuation<Void, Never>] = []
    var lastRecovery: Int64?

    public init(store: any MeshesStore, runner: AttemptRunner, options: Options = Options()) {
        self.store = store
        self.runner = runner
        self.options = options
    }

    /// Starts the loop (lease recovery first). Calling it again does nothing.
    public func start() {
        guard loop == nil else { return }
        stopping = false
        let wakeup = self.wakeup
        watcher = store.watchNewWork { wakeup.signal() }
        loop = Task { await self.run() }
    }

    /// New work may be due: claim now instead of at the next poll. Safe from any context.
    public nonisolated func wake() { wakeup.signal() }

    /// Stops claiming and waits for the attempts in flight to finish and be recorded (each is bounded by its
    /// timeout). Nothing is left half-recorded; work not started stays due for the next process.
    public func stop() async {
        stopping = true
        wakeup.signal()
        watcher?.cancel()
        await watcher?.value
        watcher = nil
        await loop?.value
        loop = nil
        if inFlight > 0 { await withCheckedContinuation { drained.append($0) } }
    }

    /// How many attempts are running now.
    public var running: Int { inFlight }

    func run() async {
        while !stopping {
            let now = options.clock()
            if lastRecovery.map({ now - $0 >= Int64(options.recoveryInterval * 1000) }) ?? true {
                lastRecovery = now
                _ = try? await store.recoverExpiredLeases(now: now)
            }
            let free = options.workers - inFlight
            var claimed = 0
            // Under load, claims wait until a few workers are free: one transaction then leases a batch instead
            // of one delivery per finished attempt. An idle or lightly loaded engine claims at once.
            if free > 0, inFlight == 0 || free >= max(1, options.workers / 8) {
                if let jobs = try? await store.claimDue(owner: options.owner, now: now, limit: free) {
                    claimed = jobs.count
                    for job in jobs {
                        inFlight += 1
                        Task { await self.execute(job) }
                    }
                }
            }
            if stopping { break }
            // Claimed a full batch: more may be due at once. Otherwise wait for an ingest, a finished attempt
            // or the poll.
            if claimed > 0 && claimed == free { continue }
            // Sleep until the next retry falls due when that is sooner than the poll. Work due already but held
            // back by a connection's limits waits for a finished attempt (which wakes this loop) or the poll.
            var wait = options.pollInterval
            if free > claimed, let next = try? await store.nextDueAt(), next > options.clock() {
                wait = min(wait, max(0.001, Double(next - options.clock()) / 1000))
            }
            await wakeup.wait(seconds: wait)
        }
    }

    /// Runs one attempt; its record joins the next batch written to the store.
    func execute(_ job: DeliveryJob) async {
        let finished = await Self.run(job, store: store, runner: runner, jitter: options.jitter())
        pendingRecords.append(finished)
        guard !recording else { return }
        recording = true
        Task { await self.flushRecords() }
    }

    var pendingRecords: [FinishedAttempt] = []
    var recording = false

    /// Writes finished attempts in batches: whatever finished while the previous batch was written goes in one
    /// store call. A failed write leaves those leases to expire into retries.
    func flushRecords() async {
        while !pendingRecords.isEmpty {
            let batch = pendingRecords
            pendingRecords = []
            _ = try? await store.finishAttempts(batch)
            for _ in batch { finished() }
        }
        recording = false
    }

    func finished() {
        inFlight -= 1
        if inFlight == 0 {
            for continuation in drained { continuation.resume() }
            drained = []
        }
        wakeup.signal()
    }

    /// Runs and records one claimed attempt (a manual retry). A failure to record leaves the lease to expire:
    /// the recovery records the attempt as interrupted and retries it.
    static func attempt(_ job: DeliveryJob, store: any MeshesStore, runner: AttemptRunner, jitter: Double) async -> RuleEvent? {
        let finished = await run(job, store: store, runner: runner, jitter: jitter)
        return try? await store.finishAttempt(finished.job, report: finished.report, decision: finished.decision)
    }

    /// Runs one claimed attempt (mapping first for adapter types) and decides what follows it.
    static func run(_ job: DeliveryJob, store: any MeshesStore, runner: AttemptRunner, jitter: Double) async -> FinishedAttempt {
        var job = job
        let report: AttemptReport
        if DeliveryMapping.needsFields(job.connection.type) {
            switch try? await DeliveryMapping.fields(for: job, store: store) {
            case .success(let fields)?:
                job.fields = fields
                report = await runner.run(job)
            case .failure(let failure)?:
                let now = runner.clock()
                report = AttemptReport(
                    outcome: .mappingError, message: failure.message, requestMethod: "POST",
                    requestURL: job.connection.metadata["base_url"]?.stringValue ?? "", startedAt: now, endedAt: now)
            case nil:
                let now = runner.clock()
                report = AttemptReport(
                    outcome: .internalError, message: "the connection's mapping cannot be read", requestMethod: "POST",
                    requestURL: job.connection.metadata["base_url"]?.stringValue ?? "", startedAt: now, endedAt: now)
            }
        } else {
            report = await runner.run(job)
        }
        return FinishedAttempt(job: job, report: report, decision: AttemptDecision.decide(job, report, jitter: jitter))
    }

    /// A manual retry (§5.6): one `manual` attempt, inline, under a lease like any other.
    public func retryNow(orgID: String, eventID: String, ruleID: String) async throws -> Result<RuleEvent, ManualRetryRefusal> {
        let claimed = try await store.claimManual(
            orgID: orgID, eventID: eventID, ruleID: ruleID, owner: options.owner, now: options.clock())
        switch claimed {
        case .failure(let refusal): return .failure(refusal)
        case .success(let job):
            inFlight += 1
            defer { finished() }
            guard let after = await Self.attempt(job, store: store, runner: runner, jitter: options.jitter()) else {
                throw StoreError.unavailable("the manual attempt could not be recorded")
            }
            return .success(after)
        }
    }
}

/// A wake-up signal that is never lost: a signal with nobody waiting is kept for the next wait.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation = 0
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns on the next signal (or at once when one is pending), or after `seconds`.
    func wait(seconds: Double) async {
        let generation: Int? = state.withLock { state in
            if state.pending {
                state.pending = false
                return nil
            }
            state.generation += 1
            return state.generation
        }
        guard let generation else { return }
        let timer = Task {
            do { try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000)) } catch { return }
            self.timeout(generation)
        }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.pending || state.generation != generation {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer.cancel()
    }

    private func timeout(_ generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation else { return nil }
            guard let waiter = state.waiter else {
                // The wait has not parked yet: it finds this and returns at once.
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
