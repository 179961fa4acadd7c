internal import Foundation
internal import Synchronization

/// Opt-in per-request stage timings for performance work, the way `AGENTSMESH_TIMINGS` works for the other wing:
/// with `MESHES_TIMINGS=1` in the environment every request served by `MeshesAPI` adds the CPU time of each of
/// its stages to a per-route total, and `meshes serve` prints the means at exit (`report()`). A stage's time is
/// the CPU time of the thread running it (a request runs on one thread from route to response; only a write waits
/// for the group-commit writer, whose transaction CPU is shared among the jobs it committed: `commit`). A request is
/// traced when a `Trace` is bound to `current` (the server binds one only when timings are on); untraced, each
/// measuring point is one task-local read.
public final class RequestTimings: Sendable {
    /// Whether `MESHES_TIMINGS=1` was set when the process started.
    public static let enabled: Bool = {
        guard let value = getenv("MESHES_TIMINGS") else { return false }
        return String(cString: value) == "1"
    }()

    /// The totals of this process.
    public static let shared = RequestTimings()

    /// The parts of a request, in the order they run. `store` and `encode` happen inside `handler`.
    public enum Stage: Int, CaseIterable, Sendable {
        /// The HTTP layer's work before the router: body collected, request converted.
        case receive
        /// Matching the path and method to an endpoint.
        case route
        /// Credentials verified (machine token, session token or publishable key), key lookups included.
        case auth
        /// The endpoint's handler: validation, store calls, response building.
        case handler
        /// Store calls made while the request runs (the key lookup of `auth` included): reads, and the
        /// submission of writes.
        case store
        /// This request's share of the CPU time of the write transactions that committed its writes.
        case commit
        /// JSON encoding of the response body.
        case encode
        /// The response converted back for the HTTP layer.
        case send

        var name: String {
            switch self {
            case .receive: return "receive"
            case .route: return "route"
            case .auth: return "auth"
            case .handler: return "handler"
            case .store: return "store"
            case .commit: return "commit"
            case .encode: return "encode"
            case .send: return "send"
            }
        }
    }

    private struct Totals {
        var count = 0
        var nanoseconds = [UInt64](repeating: 0, count: Stage.allCases.count)
    }

    private let totals = Mutex<[String: Totals]>([:])
    /// Write transactions of the group-commit writer that carried traced jobs, and those jobs.
    private let batches = Mutex((transactions: 0, jobs: 0))

    /// Counts one group-commit transaction of `jobs` jobs.
    func recordBatch(_ jobs: Int) {
        batches.withLock {
            $0.transactions += 1
            $0.jobs += jobs
        }
    }

    /// The stages of the request the current task is serving (nil when timings are off or outside a request).
    @TaskLocal public static var current: Trace?

    /// One request's stage times, filled while it runs. Stages nest (`store` inside `handler`); each open stage
    /// counts the CPU time of the thread that opened it until it closes, except across `suspend()`/`resume()`
    /// (an await that may continue on another thread). A segment that ends on another thread counts nothing.
    public final class Trace: Sendable {
        private struct Open {
            let stage: Int
            var since: UInt64
            var thread: pthread_t
        }

        private struct State {
            var stages = [UInt64](repeating: 0, count: Stage.allCases.count)
            var open: [Open] = []
            var route = "unmatched"
        }

        private let state = Mutex(State())

        public init() {}

        /// Adds `nanoseconds` to `stage`.
        public func add(_ stage: Stage, _ nanoseconds: UInt64) {
            state.withLock { $0.stages[stage.rawValue] &+= nanoseconds }
        }

        func open(_ stage: Stage) {
            let now = RequestTimings.now()
            let thread = pthread_self()
            state.withLock { $0.open.append(Open(stage: stage.rawValue, since: now, thread: thread)) }
        }

        func close() {
            let now = RequestTimings.now()
            let thread = pthread_self()
            state.withLock { state in
                guard let segment = state.open.popLast() else { return }
                if pthread_equal(segment.thread, thread) != 0, now >= segment.since {
                    state.stages[segment.stage] &+= now - segment.since
                }
            }
        }

        /// Ends the current segment of every open stage (before an await that may move to another thread).
        func suspend() {
            let now = RequestTimings.now()
            let thread = pthread_self()
            state.withLock { state in
                for index in state.open.indices where pthread_equal(state.open[index].thread, thread) != 0 {
                    if now >= state.open[index].since { state.stages[state.open[index].stage] &+= now - state.open[index].since }
                    state.open[index].since = now
                }
            }
        }

        /// Starts a new segment of every open stage on the current thread.
        func resume() {
            let now = RequestTimings.now()
            let thread = pthread_self()
            state.withLock { state in
                for index in state.open.indices {
                    state.open[index].since = now
                    state.open[index].thread = thread
                }
            }
        }

        /// Names the route (method and path template) the request matched.
        func matched(_ name: String) { state.withLock { $0.route = name } }

        fileprivate var snapshot: (route: String, stages: [UInt64]) {
            state.withLock { ($0.route, $0.stages) }
        }
    }

    /// CPU nanoseconds of the calling thread.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Runs `work` as `stage` of the current request (no-op when timings are off).
    @inline(__always)
    package static func measure<T, E: Error>(_ stage: Stage, _ work: () throws(E) -> T) throws(E) -> T {
        guard let trace = current else { return try work() }
        trace.open(stage)
        defer { trace.close() }
        return try work()
    }

    /// The async form of `measure`.
    package static func measure<T: Sendable, E: Error>(_ stage: Stage, _ work: () async throws(E) -> T) async throws(E) -> T {
        guard let trace = current else { return try await work() }
        trace.open(stage)
        defer { trace.close() }
        return try await work()
    }

    /// Runs `work`, an await that may continue on another thread, outside the current request's open stages.
    package static func suspending<T: Sendable, E: Error>(_ work: () async throws(E) -> T) async throws(E) -> T {
        guard let trace = current else { return try await work() }
        trace.suspend()
        defer { trace.resume() }
        return try await work()
    }

    /// Adds a finished request's stages to the totals of its route.
    public func record(_ trace: Trace) {
        let (route, stages) = trace.snapshot
        totals.withLock { totals in
            var entry = totals[route] ?? Totals()
            entry.count += 1
            for index in stages.indices { entry.nanoseconds[index] &+= stages[index] }
            totals[route] = entry
        }
    }

    /// One line per route, busiest first: `timing <METHOD path> n=<requests> <stage>=<mean µs> …`, then the
    /// process's CPU time (user + system) divided by every request served, to set the stages against.
    public func report() -> String {
        let snapshot = totals.withLock { $0 }
        var lines: [String] = []
        var requests = 0
        for (route, entry) in snapshot.sorted(by: { ($0.value.count, $1.key) > ($1.value.count, $0.key) }) {
            requests += entry.count
            let stages = Stage.allCases.map { stage in
                let mean = Double(entry.nanoseconds[stage.rawValue]) / Double(max(1, entry.count)) / 1000
                return "\(stage.name)=\(String(format: "%.1f", mean))us"
            }
            lines.append("timing \(route) n=\(entry.count) " + stages.joined(separator: " "))
        }
        let (transactions, jobs) = batches.withLock { ($0.transactions, $0.jobs) }
        if transactions > 0 {
            lines.append(
                "timing group-commit transactions=\(transactions) jobs=\(jobs) jobs-per-transaction="
                    + String(format: "%.1f", Double(jobs) / Double(transactions)))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        lines.append(
            "timing process cpu=\(String(format: "%.1f", cpu / 1e6))s requests=\(requests) "
                + "cpu-per-request=\(String(format: "%.1f", requests > 0 ? cpu / Double(requests) : 0))us (thread CPU per stage"
                + " above; 'store' is part of 'auth' and 'handler', 'encode' of 'handler'; the rest of the process's CPU is the"
                + " HTTP stack's)")
        return lines.joined(separator: "\n") + "\n"
    }
}
