import Foundation
import GRDB
import MeshesCore
import SharedCore
import Testing

@testable import MeshesEngine

/// A SQLite store filled through the real API and store, to be copied into PostgreSQL: an org, two machine keys
/// (one revoked), two workspaces, a webhook connection with a signing secret, a Slack one and a Mailchimp one with
/// a field catalog and a default mapping, two rules, `events` events fanned out to rule events, attempts (delivered
/// and failed), deliveries left under a lease, two sessions with launch tokens, and an idempotency record.
/// The store seals with the `master.key` beside it, as `meshes` does without `MESHES_MASTER_KEY`.
struct MigrationSource {
    /// The folder holding `meshes.db` and `master.key`.
    let folder: String
    let store: SQLiteStore
    let api: MeshesAPI
    let key: MasterKey
    /// The key as `MESHES_SOURCE_MASTER_KEY` would carry it.
    let keyText: String
    let accessKey: String
    let secret: String
    let revokedKey: String
    let workspaces: [String]
    let webhook: String
    let slack: String
    let webhookSecret: String
    let slackURL = "https://hooks.slack.com/services/T000/B000/XXXXXXXX"
    /// A session's access token, signed with the store's session key before the copy.
    let sessionToken: String

    var path: String { folder + "/meshes.db" }
    var orgID: String { store.defaultOrg.id }

    /// `events` events alternating between the two workspaces; a third are `order.paid`, which no rule matches.
    static func make(events: Int = 300) async throws -> MigrationSource {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-migrate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let bytes = (0..<MasterKey.byteCount).map { _ in UInt8.random(in: 0...255) }
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + MasterKey.fileName))
        let key = try MasterKey.load(environment: [:], dbDirectory: folder)
        #expect(key.origin == .existingFile)
        let store = try SQLiteStore(path: folder + "/meshes.db", sealer: Sealer(masterKey: key))
        let api = MeshesAPI(store: store)
        let active = try await MeshesEngine.createMachineKey(store: store)
        let revoked = try await MeshesEngine.createMachineKey(store: store)
        #expect(try await store.revokeMachineKey(revoked.accessKey))
        let caller = Caller(api: api, accessKey: active.accessKey, secret: active.secret, orgID: store.defaultOrg.id)

        var workspaces: [String] = []
        for name in ["Main", "Second"] {
            let response = try await caller.expect(201, "POST", "/api/v1/workspaces", ["name": .string(name), "description": "d"])
            workspaces.append(try #require(response["workspace"]?["id"]?.stringValue))
        }
        let webhookSecret = "whsec_" + Base64.encode([UInt8](repeating: 42, count: 32))
        let webhook = try await caller.connection(
            workspaces[0], type: "webhook", name: "hook", ["url": "https://example.com/hook", "signing_secret": .string(webhookSecret)])
        let slack = try await caller.connection(
            workspaces[1], type: "slack", name: "chat", ["webhook_url": "https://hooks.slack.com/services/T000/B000/XXXXXXXX"])
        let mailchimp = try await caller.connection(
            workspaces[0], type: "mailchimp", name: "list", ["data_center": "us1", "api_key": "k-1"])
        _ = try await caller.expect(200, "GET", "/api/v1/connections/\(mailchimp)/fields")
        let schema = MappingSchema(fields: [MappingSchema.Field(dest: "email", source: .path("email"))]).json
        _ = try await caller.expect(200, "PUT", "/api/v1/connections/\(mailchimp)/mappings/default", ["schema": schema])
        for (workspace, connection, action) in [(workspaces[0], webhook, "send_webhook"), (workspaces[1], slack, "send_message")] {
            _ = try await caller.expect(
                201, "POST", "/api/v1/rules",
                [
                    "workspace": .string(workspace), "connection": .string(connection), "event": "user.signup",
                    "metadata": ["action": .string(action)],
                ])
        }

        // Events in bulk, alternating workspaces; one request also carries an Idempotency-Key.
        var batch: [JSONValue] = []
        for index in 0..<events {
            var item: JSONObject = [
                "workspace": .string(workspaces[index % 2]), "event": index % 3 == 2 ? "order.paid" : "user.signup",
                "payload": ["email": .string("user\(index)@example.com"), "n": .int(index), "note": "line\nbreak \"quoted\" é"],
            ]
            if index % 5 == 0 {
                item["resource"] = "team"
                item["resource_id"] = .string("t\(index)")
            }
            batch.append(.object(item))
            if batch.count == 100 || index == events - 1 {
                let headers: [(name: String, value: String)] = index < 100 ? [("Idempotency-Key", "bulk-1")] : []
                let response = await caller.call("POST", "/api/v1/events/bulk", .array(batch), headers: headers)
                try #require(response.status == 201 || response.status == 207, "\(String(decoding: response.body, as: UTF8.self))")
                batch = []
            }
        }

        // Deliveries: forty attempts (every third one failed and scheduled again), then five left under a lease.
        let now = Formats.nowMilliseconds() + 1000
        var finished: [FinishedAttempt] = []
        while finished.count < 40 {
            // A claim takes at most a connection's concurrency (8) of its deliveries: finish them and claim again.
            let jobs = try await store.claimDue(owner: "migration-test", now: now, limit: 40 - finished.count)
            guard !jobs.isEmpty else { break }
            var round: [FinishedAttempt] = []
            for job in jobs {
                let index = finished.count + round.count
                let failed = index % 3 == 0
                let report = AttemptReport(
                    outcome: failed ? .rejectedServerError : .delivered, message: failed ? "HTTP 500" : "HTTP 200", requestMethod: "POST",
                    requestURL: job.connection.type == "slack"
                        ? "https://hooks.slack.com/services/T000/B000/XXXXXXXX" : "https://example.com/hook",
                    responseStatus: failed ? 500 : 200, responseHeaders: ["content-type": "text/plain"],
                    responseBody: failed ? "boom" : "ok",
                    startedAt: now + Int64(index), endedAt: now + Int64(index) + 12)
                round.append(FinishedAttempt(job: job, report: report, decision: AttemptDecision.decide(job, report, jitter: 1)))
            }
            _ = try await store.finishAttempts(round)
            finished += round
        }
        _ = try await store.claimDue(owner: "migration-test-2", now: now, limit: 5)

        // Shared limits: a manual-retry budget partly spent (fractional tokens and time).
        #expect(
            try await store.takeTokens("manual-retry:" + store.defaultOrg.id, count: 1, rate: 1, burst: 60, now: 1_800_000_000.25) == nil)

        // Sessions: one launched (its token consumed), one not.
        let first = try await caller.expect(
            200, "POST", "/api/v1/sessions", ["workspace_id": .string(workspaces[0]), "external_user_id": "u-1"])
        let launch = try #require(first["launch_token"]?.stringValue)
        let launched = await api.handle(
            APIRequest(
                method: "POST", target: "/api/v1/sessions/launch", body: Array(JSONEmitter.compact(["launch_token": .string(launch)]).utf8))
        )
        try #require(launched.status == 200, "\(String(decoding: launched.body, as: UTF8.self))")
        _ = try await caller.expect(
            200, "POST", "/api/v1/sessions", ["workspace_id": .string(workspaces[1]), "resource": "team", "resource_id": "t5"])
        return MigrationSource(
            folder: folder, store: store, api: api, key: key, keyText: Base64URL.encode(bytes), accessKey: active.accessKey,
            secret: active.secret, revokedKey: revoked.accessKey,
            workspaces: workspaces, webhook: webhook, slack: slack, webhookSecret: webhookSecret,
            sessionToken: try #require(first["access_token"]?.stringValue))
    }

    /// Rows per table, counted in the SQLite file itself.
    func counts() async throws -> [String: Int] {
        try await store.pool.read { db in
            var counts: [String: Int] = [:]
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            for table in names where !StoreTable.sqliteOnly.contains(table) {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1
            }
            return counts
        }
    }

    /// Every row of `table` as column → value (integers, text, null; blobs as bytes in `.array` of ints), keyed by
    /// the row's primary key.
    func rows(_ table: String, key: [String]) async throws -> [String: JSONObject] {
        try await store.pool.read { db in
            var out: [String: JSONObject] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table)") {
                var object = JSONObject()
                for column in row.columnNames {
                    let value: DatabaseValue = row[column]
                    switch value.storage {
                    case .null: object[column] = .null
                    case .int64(let number): object[column] = .int(Int(number))
                    // A whole REAL reads back from PostgreSQL's JSON as an integer (59, not 59.0).
                    case .double(let number) where number == number.rounded() && abs(number) < 1e15: object[column] = .int(Int(number))
                    case .double(let number): object[column] = .double(number)
                    case .string(let text): object[column] = .string(text)
                    case .blob(let data): object[column] = .array(data.map { .int(Int($0)) })
                    }
                }
                out[JSONEmitter.compact(.array(key.map { object[$0] ?? .null }))] = object
            }
            return out
        }
    }
}

/// Calls routes of an API as one machine key.
struct Caller {
    let api: MeshesAPI
    let accessKey: String
    let secret: String
    let orgID: String

    func call(
        _ method: String, _ target: String, _ body: JSONValue? = nil, headers: [(name: String, value: String)] = [], bearer: String? = nil
    )
        async -> APIResponse
    {
        let token =
            bearer ?? MachineJWT.mint(accessKey: accessKey, secret: secret, orgID: orgID, issuedAt: Int(Date().timeIntervalSince1970))
        let bytes = body.map { Array(JSONEmitter.compact($0).utf8) } ?? []
        return await api.handle(
            APIRequest(method: method, target: target, headers: headers + [("Authorization", "Bearer \(token)")], body: bytes))
    }

    /// Calls a route and requires `status`; returns the JSON body.
    func expect(_ status: Int, _ method: String, _ target: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let response = await call(method, target, body)
        try #require(response.status == status, "\(method) \(target): \(String(decoding: response.body, as: UTF8.self))")
        return try #require(response.jsonBody)
    }

    /// Creates a connection and returns its id.
    func connection(_ workspace: String, type: String, name: String, _ metadata: JSONObject) async throws -> String {
        let body = try await expect(
            201, "POST", "/api/v1/connections",
            ["workspace": .string(workspace), "type": .string(type), "name": .string(name), "metadata": .object(metadata)])
        return try #require(body["connection"]?["id"]?.stringValue)
    }
}
