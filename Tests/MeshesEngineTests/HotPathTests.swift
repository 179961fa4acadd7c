import Foundation
import GRDB
import MeshesTestSupport
import SharedCore
import Synchronization
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// What the request hot paths keep while they skip work: a verified token is only reused while the key stands,
/// `last_used_at` is written at most once a minute, header and bearer parsing, the direct JSON writing.
@Suite struct HotPathTests {
    /// A clock tests move by hand.
    final class TestClock: Sendable {
        let seconds: Mutex<Int>
        init(_ start: Int) { seconds = Mutex(start) }
        func set(_ value: Int) { seconds.withLock { $0 = value } }
        var now: Int { seconds.withLock { $0 } }
    }

    func get(_ engine: TestEngine, token: String) async -> Int {
        await engine.api.handle(APIRequest(method: "GET", target: "/api/v1/workspaces", headers: [("Authorization", "Bearer \(token)")]))
            .status
    }

    @Test func aVerifiedTokenStopsWorkingWhenAnotherProcessRevokesItsKey() async throws {
        let engine = try await TestEngine(.sqlite)
        let token = engine.token()
        #expect(await get(engine, token: token) == 200)
        #expect(await get(engine, token: token) == 200)
        // Another process (its own connection to the file) revokes the key: the very next request fails.
        let other = try DatabaseQueue(path: engine.folder + "/meshes.db")
        try await other.write { db in try db.execute(sql: "UPDATE machine_keys SET revoked_at = 1") }
        #expect(await get(engine, token: token) == 401)
    }

    @Test func aVerifiedTokenStopsWorkingWhenItsKeysSecretChanges() async throws {
        let engine = try await TestEngine(.sqlite)
        let token = engine.token()
        #expect(await get(engine, token: token) == 200)
        // The key is deleted and created again under the same access key with another secret.
        try await engine.sqlite!.pool.write { db in try db.execute(sql: "DELETE FROM machine_keys") }
        _ = try await engine.store.createMachineKey(orgID: engine.orgID, accessKey: engine.accessKey, secret: KeyFormats.generateSecret())
        #expect(await get(engine, token: token) == 401)
    }

    @Test func aVerifiedTokenIsAcceptedUntilItsExpiryPlusTheLeeway() async throws {
        let clock = TestClock(1_800_000_000)
        var options = MeshesAPI.Options()
        options.nowSeconds = { clock.now }
        let engine = try await TestEngine(.sqlite, options: options)
        let token = engine.token(now: 1_800_000_000)  // exp = +30
        #expect(await get(engine, token: token) == 200)
        clock.set(1_800_000_039)
        #expect(await get(engine, token: token) == 200)
        clock.set(1_800_000_040)
        #expect(await get(engine, token: token) == 401)
        // A token seen for the first time after its expiry is refused as well.
        #expect(await get(engine, token: engine.token(now: 1_799_999_999)) == 401)
    }

    @Test func lastUsedIsWrittenAtMostOnceAMinute() async throws {
        let clock = TestClock(1_800_000_000)
        var options = MeshesAPI.Options()
        options.nowSeconds = { clock.now }
        let engine = try await TestEngine(.sqlite, options: options)
        func lastUsed() async throws -> Int64? { try await engine.store.machineKeys().first?.lastUsedAt }
        func clear() async throws {
            try await engine.sqlite!.pool.write { db in try db.execute(sql: "UPDATE machine_keys SET last_used_at = NULL") }
        }

        #expect(await get(engine, token: engine.token(now: clock.now)) == 200)
        #expect(try await lastUsed() != nil)
        try await clear()
        clock.set(1_800_000_059)
        #expect(await get(engine, token: engine.token(now: clock.now)) == 200)
        #expect(try await lastUsed() == nil)
        clock.set(1_800_000_060)
        #expect(await get(engine, token: engine.token(now: clock.now)) == 200)
        #expect(try await lastUsed() != nil)
    }

    /// The rule matches of ingest are kept across transactions, and every change of routing is seen by the very
    /// next event: rules created and deleted here, a connection disabled and enabled again by another process.
    @Test func cachedRuleMatchesFollowEveryRoutingChangeWhoeverMakesIt() async throws {
        let engine = try await TestEngine(.sqlite)
        let store = try #require(engine.sqlite)
        let workspace = try await engine.workspace()
        let hook = try await engine.webhook(workspace)
        func rules() async throws -> Int {
            try await store.ingest(
                orgID: engine.orgID, workspaceID: workspace, record: IngestRecord(event: "user.signup", payload: ["n": 1]),
                createdBy: "test"
            ).ruleEvents.count
        }
        func version() async throws -> Int64 {
            try #require(try await store.pool.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM store_versions") })
        }
        #expect(try await rules() == 0)
        #expect(try await rules() == 0)
        let start = try await version()
        let rule = try await engine.rule(workspace, hook, event: "user.signup")
        #expect(try await version() != start)
        #expect(try await rules() == 1)
        #expect(try await rules() == 1)
        // Another process disables the connection, then enables it again.
        let other = try DatabaseQueue(path: engine.folder + "/meshes.db")
        try await other.write { db in try db.execute(sql: "UPDATE connections SET active = 0") }
        #expect(try await rules() == 0)
        try await other.write { db in try db.execute(sql: "UPDATE connections SET active = 1") }
        #expect(try await rules() == 1)
        // Writes that cannot change routing leave the version (and the cache) alone.
        let before = try await version()
        try await other.write { db in try db.execute(sql: "UPDATE connections SET failure_streak = 3") }
        #expect(try await version() == before)
        #expect((await engine.call("DELETE", "/api/v1/rules/\(rule)")).status == 200)
        #expect(try await rules() == 0)
    }

    @Test func headerNamesCompareIgnoringASCIICaseOnly() {
        #expect(APIRequest.sameHeaderName("Authorization", "authorization"))
        #expect(APIRequest.sameHeaderName("X-MESHES-publishable-KEY", "x-meshes-publishable-key"))
        #expect(!APIRequest.sameHeaderName("Authorization", "Authorizatio"))
        #expect(!APIRequest.sameHeaderName("a@", "a`"))
        #expect(!APIRequest.sameHeaderName("a[", "a{"))
        #expect(!APIRequest.sameHeaderName("é", "É"))
        let request = APIRequest(method: "GET", path: "/", headers: [("ORIGIN", "https://a.example"), ("origin", "https://b.example")])
        #expect(request.header("Origin") == "https://a.example")
        #expect(request.header("Origins") == nil)
    }

    @Test func bearerTokensAreParsedStrictly() {
        #expect(Authenticator.bearerToken("Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(Authenticator.bearerToken("bEARER   abc \t") == "abc")
        #expect(Authenticator.bearerToken("Bearer") == nil)
        #expect(Authenticator.bearerToken("Bearer    ") == nil)
        #expect(Authenticator.bearerToken("Bearerabc") == nil)
        #expect(Authenticator.bearerToken("Basic abc") == nil)
        #expect(Authenticator.bearerToken("Bearer\tabc") == nil)
    }

    @Test func theVerifiedTokenCacheStaysBounded() {
        let cache = VerifiedTokens()
        let now = 1_800_000_000
        for index in 0..<VerifiedTokens.capacity {
            cache.remember(
                "expired-\(index)", VerifiedTokens.Entry(accessKey: "k", orgID: "o", secret: "s", validUntil: now - 1), now: now - 40)
        }
        #expect(cache.lookup("expired-0", now: now - 40) != nil)
        // Full: the expired entries go, the live one stays.
        cache.remember("live", VerifiedTokens.Entry(accessKey: "k", orgID: "o", secret: "s", validUntil: now + 30), now: now)
        #expect(cache.lookup("live", now: now) != nil)
        #expect(cache.lookup("expired-0", now: now - 40) == nil)
    }

    /// Every member of an event and its rule events, in the spec's order, with every optional member present
    /// and characters that need escaping.
    @Test func eventsAreWrittenWithTheExactBytesOfTheSpec() {
        let ruleEvent = RuleEvent(
            id: "re-1", orgID: "org", workspaceID: "ws", eventID: "ev-1", eventName: "user.signup", resource: "global",
            resourceID: nil, connectionID: "conn", ruleID: "rule", integrationType: "webhook", status: .failed, attemptCount: 3,
            nextAttemptAt: 0, startedAt: 1_767_225_600_123, completedAt: 253_402_300_799_999, lastError: "HTTP 500: \"bad\"\n",
            cancelRequested: false, createdBy: "mk_key", createdAt: 951_782_400_000)
        let event = Event(
            id: "ev-1", orgID: "org", workspaceID: "ws", event: "user.signup", resource: "order", resourceID: "o/1\\2",
            status: .failed, totalRules: 1, completedCount: 0, failedCount: 1, canceledCount: 0, startedAt: 1_767_225_600_123,
            completedAt: 1_767_225_600_999, createdBy: "mk_key", createdAt: 1_767_225_600_000,
            payload: ["plan": "pro", "seats": 10, "ratio": .double(0.5)], ruleEvents: [ruleEvent])
        var writer = JSONWriter()
        event.write(to: &writer, includePayload: true)
        let expected =
            #"{"id":"ev-1","type":"event","workspace":"ws","event":"user.signup","resource":"order","resource_id":"o/1\\2","#
            + #""status":"failed","total_rules":1,"completed_count":0,"failed_count":1,"canceled_count":0,"#
            + #""started_at":"2026-01-01T00:00:00.123Z","completed_at":"2026-01-01T00:00:00.999Z","created_by":"mk_key","#
            + #""created_at":"2026-01-01T00:00:00.000Z","rule_events":[{"id":"re-1","type":"rule","workspace":"ws","#
            + #""event":"user.signup","event_id":"ev-1","resource":"global","resource_id":null,"connection":"conn","rule":"rule","#
            + #""integration_type":"webhook","status":"failed","attempt_count":3,"next_attempt_at":"1970-01-01T00:00:00.000Z","#
            + #""started_at":"2026-01-01T00:00:00.123Z","completed_at":"9999-12-31T23:59:59.999Z","#
            + #""last_error":"HTTP 500: \"bad\"\n","created_by":"mk_key","created_at":"2000-02-29T00:00:00.000Z"}],"#
            + #""payload":{"plan":"pro","seats":10,"ratio":0.5}}"#
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        // The JSONValue form is the same document.
        #expect(JSONEmitter.compact(event.json(includePayload: true)) == expected)
        #expect(
            !String(
                decoding: {
                    var w = JSONWriter()
                    event.write(to: &w)
                    return w.bytes
                }(), as: UTF8.self
            ).contains("payload"))
    }

    @Test func theCheckpointerKeepsTheLogShortWithoutTheWriterCheckpointing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-checkpoint-\(UUID().uuidString)").path
        let path = folder + "/meshes.db"
        let store = try SQLiteStore(
            path: path, sealer: Sealer(masterKey: MasterKey.generate()), clock: { Formats.nowMilliseconds() }, cacheMiB: 8,
            checkpoints: SQLiteCheckpointer.Policy(interval: 0.02, restartFrames: 40))
        let checkpointer = try #require(store.checkpointer)
        #expect(try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == 0)
        let workspace = try await store.createWorkspace(orgID: store.defaultOrg.id, name: "w", description: nil)
        for round in 0..<60 {
            let items = (0..<50).map { index in
                IngestJob(
                    workspaceID: workspace.id,
                    record: IngestRecord(event: "user.signup", payload: ["n": .int(round * 50 + index)]), createdBy: "test")
            }
            _ = try await store.ingestMany(orgID: store.defaultOrg.id, items: items)
        }
        // Without a checkpoint the log would hold every frame written above (well over 400); the thread restarts it.
        var frames: Int32 = .max
        for _ in 0..<200 where frames > 40 {
            try await Task.sleep(for: .milliseconds(20))
            frames = checkpointer.progress.withLock { $0.logFrames }
        }
        #expect(frames <= 40)
        #expect(checkpointer.progress.withLock { $0.runs } > 1)
        // Everything is there, read by another connection.
        let other = try DatabaseQueue(path: path)
        #expect(try await other.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") } == 3000)
        await store.close()
    }

    @Test func theStageSplitNamesTheRouteAndItsStages() async throws {
        let engine = try await TestEngine(.sqlite)
        let workspace = try await engine.workspace()
        let trace = RequestTimings.Trace()
        let request = APIRequest(
            method: "GET", target: "/api/v1/workspaces/\(workspace)", headers: [("Authorization", "Bearer \(engine.token())")])
        let response = await RequestTimings.$current.withValue(trace) { await engine.api.handle(request) }
        #expect(response.status == 200)
        let timings = RequestTimings()
        timings.record(trace)
        let report = timings.report()
        let line = try #require(report.split(separator: "\n").first.map(String.init))
        #expect(line.hasPrefix("timing GET /api/v1/workspaces/{id} n=1 receive=0.0us route="))
        for stage in RequestTimings.Stage.allCases { #expect(line.contains(" \(stage.name)=")) }
        #expect(report.contains("timing process cpu="))
    }
}
