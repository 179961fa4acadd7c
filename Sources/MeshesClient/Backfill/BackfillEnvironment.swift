internal import Foundation
internal import SharedCore

/// What a run takes from the world, injectable so tests neither wait real seconds nor depend on chance.
public struct BackfillEnvironment: Sendable {
    /// Waits the given seconds (throws when cancelled).
    public var sleep: @Sendable (Double) async throws -> Void
    /// Uniform in [0, 1): the retry jitter.
    public var random: @Sendable () -> Double
    /// Monotonic enough seconds: elapsed time, the checkpoint and progress cadence.
    public var now: @Sendable () -> Double
    public var fault: BackfillFault?

    public init(
        sleep: @escaping @Sendable (Double) async throws -> Void, random: @escaping @Sendable () -> Double,
        now: @escaping @Sendable () -> Double, fault: BackfillFault? = nil
    ) {
        self.sleep = sleep
        self.random = random
        self.now = now
        self.fault = fault
    }

    /// Real time, real randomness, no fault.
    public static var live: BackfillEnvironment {
        BackfillEnvironment(
            sleep: { seconds in try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) },
            random: { Double.random(in: 0..<1) }, now: { Clock.now() })
    }
}

/// Fault injection, to reproduce a crash at a chosen point (C7): only the listed batches are sent; every other
/// batch waits forever; once all listed batches are acknowledged the checkpoint is written and `halt` runs (the
/// CLI kills its own process there). Needs `--concurrency` of at least 2 when the list has gaps.
public struct BackfillFault: Sendable {
    public var acknowledged: Set<Int>
    public var halt: @Sendable () async -> Void

    public init(acknowledged: Set<Int>, halt: @escaping @Sendable () async -> Void) {
        self.acknowledged = acknowledged
        self.halt = halt
    }

    /// Parses `kill-after-batches:0,1,2,3,4,6` (the `MESHES_BACKFILL_FAULT` variable); nil for anything else.
    public static func parse(_ text: String, halt: @escaping @Sendable () async -> Void) -> BackfillFault? {
        let prefix = "kill-after-batches:"
        guard text.hasPrefix(prefix) else { return nil }
        let numbers = text.dropFirst(prefix.count).split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        return BackfillFault(acknowledged: Set(numbers.compactMap { $0 }), halt: halt)
    }
}
