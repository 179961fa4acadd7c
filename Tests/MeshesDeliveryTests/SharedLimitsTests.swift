import Foundation
import MeshesCore
import MeshesDelivery
import MeshesEngine
import MeshesTestSupport
import SharedCore
import Testing

/// Limits that must hold for the whole deployment, not per process: several processes (SQLite) or nodes
/// (PostgreSQL) share one store, and the limits live in it.
@Suite(.serialized) struct SharedLimitsTests {
    @Test(arguments: StoreKind.allCases) func connectionLimitsHoldAcrossProcessesSharingTheStore(kind: StoreKind) async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let first = try await Rig(kind, workers: 8)
        let second = try await Rig(kind, workers: 8, folder: first.folder)
        let workspace = try await first.workspace()
        // At most 2 attempts at once on this connection, whichever process runs them (each process alone would run 2).
        _ = try await first.webhook(workspace, url: receiver.url("/slow"), event: "slow", metadata: ["max_concurrency": 2])
        // 4 per second with a burst of 4 for the deployment: 12 deliveries span at least (12 - 4) / 4 = 2 s.
        _ = try await first.webhook(workspace, url: receiver.url("/ok"), event: "paced", metadata: ["rate_limit_per_second": 4])
        var ids: [String] = []
        for index in 0..<10 { ids.append(try await (index % 2 == 0 ? first : second).emit(workspace, event: "slow")) }
        for index in 0..<12 { ids.append(try await (index % 2 == 0 ? first : second).emit(workspace, event: "paced")) }
        for id in ids { #expect(try await first.settled(id, timeout: 30).status == .completed) }
        let log = receiver.log
        #expect(await log.arrivals["/slow"]?.count == 10)
        #expect(await log.maxActive <= 2, "max_concurrency 2 was exceeded across the two processes")
        let paced = try #require(await log.arrivals["/ok"])
        #expect(paced.count == 12)
        let span = (paced.max() ?? 0) - (paced.min() ?? 0)
        // 2 s from the first claim to the last; arrival times carry some network jitter. Per-process buckets would
        // have let 8 through at once and the other 4 within 0.5 s.
        #expect(span >= 1.5, "12 deliveries at 4/s (burst 4) took only \(span) s")
        await first.engine.stop()
        await second.engine.stop()
    }

    @Test(arguments: StoreKind.allCases) func manualRetryBudgetIsOneBucketForEveryProcess(kind: StoreKind) async throws {
        let place = try await kind.newPlace()
        let sealer = Sealer(masterKey: Rig.sharedKey)
        let one = try await kind.open(place: place, sealer: sealer)
        let other = try await kind.open(place: place, sealer: sealer)
        let now = 1_800_000_000.0
        // A bucket of 3 refilled at one per minute, drawn from by two processes.
        func take(_ store: any MeshesStore, at time: Double) async throws -> Int? {
            try await store.takeTokens("manual-retry:org", count: 1, rate: 1.0 / 60, burst: 3, now: time)
        }
        #expect(try await take(one, at: now) == nil)
        #expect(try await take(other, at: now) == nil)
        #expect(try await take(one, at: now) == nil)
        #expect(try await take(other, at: now) == 60)
        #expect(try await take(one, at: now + 30) == 30)
        #expect(try await take(other, at: now + 60) == nil)
        #expect(try await take(one, at: now + 60) == 60)
        // Another key is another bucket.
        #expect(try await one.takeTokens("manual-retry:other", count: 1, rate: 1.0 / 60, burst: 3, now: now) == nil)
    }

    @Test func anIngestOnOneNodeWakesTheSchedulerOfAnother() async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        // The emitting node does not deliver; the delivering node polls only every 5 minutes, so only the
        // database's notification can get its attention within the test's time.
        let emitter = try await Rig(.postgres, start: false)
        let worker = try await Rig(.postgres, folder: emitter.folder, pollInterval: 300)
        let workspace = try await emitter.workspace()
        _ = try await emitter.webhook(workspace, url: receiver.url("/ok"))
        // Let the worker listen and go back to sleep after its start-up claim.
        try await Task.sleep(nanoseconds: 1_000_000_000)
        for _ in 0..<3 {
            let started = Clock.now()
            let id = try await emitter.emit(workspace)
            #expect(try await emitter.settled(id, timeout: 20).status == .completed)
            #expect(Clock.now() - started < 20)
            try await Task.sleep(nanoseconds: 300_000_000)
        }
        #expect(await receiver.log.requests.count == 3)
        await worker.engine.stop()
    }
}
