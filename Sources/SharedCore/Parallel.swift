internal import Dispatch
internal import SharedPlatform
internal import Synchronization

/// Data-parallel helpers for CPU- and syscall-bound batches (parsing, projecting, writing many files).
/// Results keep input order; the first error (by input position) is rethrown after all work stopped.
package enum Parallel {
    /// Worker count: the machine's active processors, at least 1.
    package static let width = max(1, System.activeProcessorCount)

    /// `items.map(transform)` spread over `width` threads in contiguous chunks of at least `grain` items;
    /// runs inline when there is only one chunk.
    package static func map<T: Sendable, R: Sendable>(
        _ items: [T], grain: Int = 16, _ transform: @Sendable (T) throws(ToolError) -> R
    ) throws(ToolError) -> [R] {
        let chunks = min(width * 4, max(1, items.count / max(1, grain)))
        if chunks <= 1 || width == 1 {
            var out: [R] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try transform(item)) }
            return out
        }
        let size = (items.count + chunks - 1) / chunks
        // Rounding the size up can leave fewer non-empty chunks than planned (9 items in 8 chunks of 2).
        let used = (items.count + size - 1) / size
        let lanes = (0..<used).map { chunk in Array((chunk * size)..<min(items.count, (chunk + 1) * size)) }
        return try run(items, lanes: lanes, transform)
    }

    /// Runs each lane (indices of `items`) on its own worker. An index above a failed one is skipped and none
    /// below it is, so the failure thrown is the first by input position.
    private static func run<T: Sendable, R: Sendable>(
        _ items: [T], lanes: [[Int]], _ transform: @Sendable (T) throws(ToolError) -> R
    ) throws(ToolError) -> [R] {
        let slots = Slots<R>(count: items.count)
        let firstError = Mutex<(index: Int, error: ToolError)?>(nil)
        DispatchQueue.concurrentPerform(iterations: lanes.count) { lane in
            for index in lanes[lane] {
                if let failed = firstError.withLock({ $0?.index }), failed < index { continue }
                do throws(ToolError) {
                    slots.set(index, try transform(items[index]))
                } catch {
                    firstError.withLock { current in
                        if current == nil || index < current!.index { current = (index, error) }
                    }
                }
            }
        }
        if let failure = firstError.withLock({ $0 }) { throw failure.error }
        return slots.values()
    }

    /// `items.map(transform)` for items that contend per group (files of one folder share that folder's
    /// lock): all items of a group go to one worker, and groups are spread over `width` workers largest
    /// first, so two workers rarely wait on the same group. Results keep input order; on failure the first
    /// error by input position is thrown (every item before it was run).
    package static func mapGrouped<T: Sendable, R: Sendable>(
        _ items: [T], group: (T) -> String, _ transform: @Sendable (T) throws(ToolError) -> R
    ) throws(ToolError) -> [R] {
        if width == 1 || items.count < 2 {
            var out: [R] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try transform(item)) }
            return out
        }
        var members: [String: [Int]] = [:]
        var keys: [String] = []
        for (index, item) in items.enumerated() {
            let key = group(item)
            if members[key] == nil { keys.append(key) }
            members[key, default: []].append(index)
        }
        // Largest groups first (ties in input order), each to the least loaded lane.
        let bySize = keys.enumerated().sorted { a, b in
            let (sa, sb) = (members[a.element]!.count, members[b.element]!.count)
            return sa != sb ? sa > sb : a.offset < b.offset
        }
        var lanes = Array(repeating: [Int](), count: width)
        var loads = Array(repeating: 0, count: width)
        for (_, key) in bySize {
            let lane = loads.indices.min { loads[$0] < loads[$1] }!
            lanes[lane] += members[key]!
            loads[lane] += members[key]!.count
        }
        lanes.removeAll { $0.isEmpty }
        return try run(items, lanes: lanes, transform)
    }

    /// `items.map(transform)` for a transform that cannot fail, spread like `map`.
    package static func transform<T: Sendable, R: Sendable>(_ items: [T], grain: Int = 16, _ transform: @Sendable (T) -> R) -> [R] {
        do {
            return try map(items, grain: grain) { (item) throws(ToolError) -> R in transform(item) }
        } catch {
            preconditionFailure("a non-throwing transform threw")
        }
    }

    /// Runs independent closures concurrently and returns their results in order.
    package static func all<R: Sendable>(_ jobs: [@Sendable () -> R]) -> [R] {
        let slots = Slots<R>(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in slots.set(index, jobs[index]()) }
        return slots.values()
    }
}

extension Parallel {
    /// Starts `body` on the global queue and returns at once; `wait()` gives its result. For CPU work that can
    /// overlap a phase which leaves cores idle (file writes waiting on folder locks).
    package static func background<R: Sendable>(_ body: @escaping @Sendable () -> R) -> Background<R> {
        let job = Background<R>()
        DispatchQueue.global().async {
            let value = body()
            job.slot.withLock { $0 = value }
            job.done.signal()
        }
        return job
    }
}

/// The result of `Parallel.background`.
package final class Background<R: Sendable>: Sendable {
    let slot = Mutex<R?>(nil)
    let done = DispatchSemaphore(value: 0)

    /// Blocks until the job finished; its result (callable more than once).
    package func wait() -> R {
        if let value = slot.withLock({ $0 }) { return value }
        done.wait()
        done.signal()
        return slot.withLock { $0! }
    }
}

/// Write-once result slots: each index is written by exactly one worker before `values()` is read on the
/// calling thread after `concurrentPerform` returned (which orders the writes before the read).
private final class Slots<R>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<R?>
    private let count: Int

    init(count: Int) {
        self.count = count
        base = UnsafeMutablePointer<R?>.allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    func set(_ index: Int, _ value: R) { base[index] = value }

    func values() -> [R] { (0..<count).map { base[$0]! } }
}

/// Processor count without Foundation.
enum System {
    static var activeProcessorCount: Int {
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
