import Foundation
import GRDB
import SharedCore
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// Schema upgrades keep every row and every relation (§1: forward-only migrations in `user_version`).
@Suite struct MigrationTests {
    static let org = "0b0c1d2e-3f40-4152-8364-758697a8b9ca"
    static let workspace = "1b0c1d2e-3f40-4152-8364-758697a8b9ca"
    static let connection = "2b0c1d2e-3f40-4152-8364-758697a8b9ca"
    static let rule = "3b0c1d2e-3f40-4152-8364-758697a8b9ca"
    static let delivered = "4b0c1d2e-3f40-4152-8364-758697a8b9ca"
    static let unmatched = "5b0c1d2e-3f40-4152-8364-758697a8b9ca"
    static let ruleEvent = "6b0c1d2e-3f40-4152-8364-758697a8b9ca"
    static let attempt = "7b0c1d2e-3f40-4152-8364-758697a8b9ca"

    /// A schema-2 database holding one delivered event (rule event + attempt) and one event without rules.
    static func versionTwoStore() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-v2-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/meshes.db"
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            for statement in Schema.migrations[0] + Schema.migrations[1] { try db.execute(sql: statement) }
            try db.execute(sql: "INSERT INTO orgs VALUES (?, 'Default', 1000)", arguments: [org])
            try db.execute(
                sql: "INSERT INTO workspaces VALUES (?, ?, 'Main', 'main', NULL, 'mesh_pub_x', 1000, 1000)",
                arguments: [workspace, org])
            try db.execute(
                sql: """
                    INSERT INTO connections (id, org_id, workspace_id, type, name, metadata, active, hidden, created_by,
                        created_at, updated_at)
                    VALUES (?, ?, ?, 'webhook', 'hook', '{"url":"https://example.com/hook"}', 1, 0, 'mk', 1000, 1000)
                    """,
                arguments: [connection, org, workspace])
            try db.execute(
                sql: """
                    INSERT INTO rules (id, org_id, workspace_id, connection_id, type, event, metadata, dedup_key, active,
                        hidden, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'webhook', 'user.signup', '{"action":"send_webhook"}', 'k', 1, 0, 'mk', 1000, 1000)
                    """,
                arguments: [rule, org, workspace, connection])
            for (id, event, total, status, at) in [
                (delivered, "user.signup", 1, "completed", 2000), (unmatched, "user.deleted", 0, "completed", 3000),
            ] {
                try db.execute(
                    sql: """
                        INSERT INTO events (id, org_id, workspace_id, event, resource, payload, status, total_rules,
                            completed_count, completed_at, created_by, created_at)
                        VALUES (?, ?, ?, ?, 'global', '{"n":1}', ?, ?, ?, ?, 'mk', ?)
                        """,
                    arguments: [id, org, workspace, event, status, total, total, at + 5, at])
            }
            try db.execute(
                sql: """
                    INSERT INTO rule_events (id, org_id, workspace_id, event_id, event_name, resource, connection_id,
                        rule_id, integration_type, status, attempt_count, started_at, completed_at, created_by, created_at)
                    VALUES (?, ?, ?, ?, 'user.signup', 'global', ?, ?, 'webhook', 'completed', 1, 2001, 2005, 'mk', 2000)
                    """,
                arguments: [ruleEvent, org, workspace, delivered, connection, rule])
            try db.execute(
                sql: """
                    INSERT INTO attempts (id, rule_event_id, event_id, rule_id, connection_id, attempt_number, trigger,
                        outcome_code, message, request_method, request_url, response_status, response_duration_ms,
                        started_at, ended_at, created_at)
                    VALUES (?, ?, ?, ?, ?, 1, 'scheduled', 'success', 'OK', 'POST', 'https://example.com/hook', 200, 4,
                        2001, 2005, 2005)
                    """,
                arguments: [attempt, ruleEvent, delivered, rule, connection])
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        try old.close()
        return path
    }

    @Test func versionTwoRowsSurviveTheMoveToSequenceKeys() async throws {
        let path = try MigrationTests.versionTwoStore()
        let store = try SQLiteStore(path: path, sealer: Sealer(masterKey: MasterKey.generate()))
        let api = MeshesAPI(store: store)
        let caller = Principal.embedded(orgID: MigrationTests.org)
        func get(_ path: String) async -> JSONValue? {
            let response = await api.handle(APIRequest(method: "GET", path: path), as: caller)
            return response.status == 200 ? response.jsonBody : nil
        }

        let (version, ruleEventIndex, seqs, links, integrity, foreignKeys) = try await store.pool.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA user_version"),
                try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info('rule_events_event') ORDER BY seqno"),
                try Row.fetchAll(db, sql: "SELECT seq, id FROM events ORDER BY seq").map { "\($0["seq"] as Int64):\($0["id"] as String)" },
                try Row.fetchAll(
                    db, sql: "SELECT r.event_seq, a.rule_event_seq FROM rule_events r JOIN attempts a ON a.rule_event_seq = r.seq"
                )
                .map { "\($0[0] as Int64)/\($0[1] as Int64)" },
                try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count
            )
        }
        #expect(version == 7)
        // v6: an event's rule events come out of the index in their API order.
        #expect(ruleEventIndex == ["event_seq", "created_at", "id"])
        #expect(seqs == ["1:\(MigrationTests.delivered)", "2:\(MigrationTests.unmatched)"])
        #expect(links == ["1/1"])
        #expect(integrity == "ok")
        #expect(foreignKeys == 0)

        let event = try #require(await get("/api/v1/events/\(MigrationTests.delivered)"))
        #expect(event["status"]?.stringValue == "completed")
        let ruleEvents = try #require(event["rule_events"]?.arrayValue)
        #expect(ruleEvents.count == 1)
        #expect(ruleEvents.first?["id"]?.stringValue == MigrationTests.ruleEvent)
        #expect(ruleEvents.first?["attempt_count"]?.intValue == 1)

        let attempts = try #require(await get("/api/v1/events/\(MigrationTests.delivered)/rules/\(MigrationTests.rule)/attempts"))
        #expect(attempts["records"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [MigrationTests.attempt])
        let one = try #require(
            await get("/api/v1/events/\(MigrationTests.delivered)/rules/\(MigrationTests.rule)/attempts/\(MigrationTests.attempt)"))
        #expect(one["response_status"]?.intValue == 200)

        let unmatched = try #require(await get("/api/v1/events/\(MigrationTests.unmatched)"))
        #expect(unmatched["rule_events"] == .array([]))

        // New events continue the sequence after the copied rows.
        let created = await api.handle(
            APIRequest(
                method: "POST", path: "/api/v1/events",
                body: Array(#"{"workspace":"\#(MigrationTests.workspace)","event":"user.signup","payload":{"n":2}}"#.utf8)),
            as: caller)
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let newest = try store.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT e.seq, r.event_seq FROM events e JOIN rule_events r ON r.event_seq = e.seq ORDER BY e.seq DESC LIMIT 1")
        }
        #expect(newest.map { "\($0[0] as Int64)/\($0[1] as Int64)" } == "3/3")
    }
}
