import Foundation
import GRDB
import MeshesTestSupport
import SharedCore
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// Routes of §3 in-process: status codes, envelopes and store effects.
@Suite struct RouteTests {
    @Test(arguments: StoreKind.allCases) func healthAndUnknownRoutes(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let health = await engine.call("GET", "/healthz", authorized: false)
        #expect(health.status == 200)
        #expect(health.text == #"{"status":"ok","version":"0.1.0"}"#)
        #expect(await engine.call("GET", "/api/v1/nope").status == 404)
        #expect(await engine.call("GET", "/api/v1/workspaces/not-a-uuid").status == 404)
        let wrongVerb = await engine.call("DELETE", "/api/v1/workspaces")
        #expect(wrongVerb.status == 405)
        #expect(wrongVerb.header("Allow") == "GET, POST")
        #expect(wrongVerb.text == #"{"message":"Method not allowed","error":"method_not_allowed"}"#)
    }

    @Test(arguments: StoreKind.allCases) func workspacesLifecycle(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let created = await engine.call("POST", "/api/v1/workspaces", json: ["name": "Acme Prod", "description": "Main"])
        #expect(created.status == 201)
        let workspace = try #require(created.jsonBody?["workspace"])
        #expect(workspace.objectValue?.keys == ["id", "name", "description", "created_at", "updated_at"])
        let id = try #require(workspace["id"]?.stringValue)
        #expect(Formats.isUUID(id))

        let duplicate = await engine.call("POST", "/api/v1/workspaces", json: ["name": "acme prod"])
        #expect(duplicate.status == 409)
        #expect(duplicate.errorCode == "duplicate_name")
        #expect(await engine.call("POST", "/api/v1/workspaces", json: ["name": "x"]).status == 400)
        #expect(await engine.call("POST", "/api/v1/workspaces", raw: Array("{nope".utf8)).errorCode == "invalid_json")

        let detail = await engine.call("GET", "/api/v1/workspaces/\(id)")
        #expect(detail.status == 200)
        let key = try #require(detail.jsonBody?["publishable_key"]?["public_key"]?.stringValue)
        #expect(key.hasPrefix("mesh_pub_\(engine.orgID)_\(id)_"))
        #expect(detail.jsonBody?["publishable_key"]?["name"]?.stringValue == "Default")

        let updated = await engine.call("PUT", "/api/v1/workspaces/\(id)", json: ["name": "Acme Staging", "description": .null])
        #expect(updated.status == 200)
        #expect(updated.jsonBody?["name"]?.stringValue == "Acme Staging")
        #expect(updated.jsonBody?["description"] == .null)
        #expect(updated.jsonBody?["publishable_key"] == nil)

        let list = await engine.call("GET", "/api/v1/workspaces")
        #expect(list.status == 200)
        #expect(list.jsonBody?["count"]?.intValue == 1)
        #expect(list.jsonBody?["limit"]?.intValue == 50)
        #expect(list.jsonBody?["next_cursor"] == .null)
        #expect(await engine.call("GET", "/api/v1/workspaces/\(Formats.uuid())").status == 404)
    }

    @Test(arguments: StoreKind.allCases) func connectionsRedactSecretsAndKeepThemOnPut(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let created = await engine.call(
            "POST", "/api/v1/connections",
            json: [
                "workspace": .string(workspace), "type": "webhook", "name": "signed",
                "metadata": ["url": "https://example.com/in", "hmac_algorithm": "sha256"],
            ])
        #expect(created.status == 201)
        let connection = try #require(created.jsonBody?["connection"])
        let id = try #require(connection["id"]?.stringValue)
        let secret = try #require(connection["metadata"]?["signing_secret"]?.stringValue)
        #expect(secret.hasPrefix("whsec_"))
        let fetched = await engine.call("GET", "/api/v1/connections/\(id)")
        #expect(fetched.jsonBody?["metadata"]?["signing_secret"]?.stringValue == "********")
        #expect(!fetched.text.contains(secret))

        let put = await engine.call(
            "PUT", "/api/v1/connections/\(id)",
            json: [
                "name": "signed", "metadata": ["url": "https://example.com/v2", "hmac_algorithm": "sha256", "signing_secret": "********"],
            ])
        #expect(put.status == 200)
        #expect(put.jsonBody?["metadata"]?["url"]?.stringValue == "https://example.com/v2")
        let stored = try await engine.store.connection(orgID: engine.orgID, id: id)
        #expect(try await engine.store.connectionSecrets(try #require(stored)) == ["signing_secret": secret])
        let raw = try await engine.scalar(
            sqlite: "SELECT metadata || hex(secrets) FROM connections",
            postgres: "SELECT metadata || encode(secrets, 'hex') FROM connections")
        #expect(raw?.contains(secret) == false)

        #expect(
            await engine.call(
                "POST", "/api/v1/connections",
                json: ["workspace": .string(workspace), "type": "webhook", "name": "signed", "metadata": ["url": "https://example.com/x"]]
            ).errorCode == "duplicate_name")
        #expect(
            await engine.call(
                "POST", "/api/v1/connections", json: ["workspace": .string(workspace), "type": "webhook", "name": "bad", "metadata": [:]]
            ).status == 422)
        #expect(
            await engine.call(
                "POST", "/api/v1/connections",
                json: ["workspace": .string(Formats.uuid()), "type": "webhook", "name": "x", "metadata": ["url": "https://example.com/x"]]
            ).status == 404)
        let oauth = await engine.call(
            "POST", "/api/v1/connections", json: ["workspace": .string(workspace), "type": "hubspot", "name": "crm", "metadata": [:]])
        #expect(oauth.status == 201)
        #expect(oauth.jsonBody?["connection"]?["active"] == false)
        #expect(oauth.jsonBody?["connection"]?["inactive_reason"]?.stringValue == "oauth_reauthorization_required")
    }

    @Test(arguments: StoreKind.allCases) func deletingAConnectionWithRules(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let connection = try await engine.webhook(workspace)
        let rule = try await engine.rule(workspace, connection, event: "user.signup")
        let event = await engine.call(
            "POST", "/api/v1/events",
            json: ["workspace": .string(workspace), "event": "user.signup", "payload": ["email": "a@example.com"]])
        let eventID = try #require(event.jsonBody?["event"]?["id"]?.stringValue)
        let refused = await engine.call("DELETE", "/api/v1/connections/\(connection)")
        #expect(refused.status == 409)
        #expect(refused.text == #"{"message":"Connection has active rules","error":"connection_has_rules"}"#)
        let forced = await engine.call("DELETE", "/api/v1/connections/\(connection)", json: ["force_delete": true])
        #expect(forced.status == 200)
        #expect(forced.text == #"{"id":"\#(connection)","type":"webhook"}"#)
        #expect(await engine.call("GET", "/api/v1/rules/\(rule)").status == 404)
        let after = await engine.call("GET", "/api/v1/events/\(eventID)")
        #expect(after.jsonBody?["status"]?.stringValue == "canceled")
        #expect(after.jsonBody?["rule_events"]?.arrayValue?.first?["status"]?.stringValue == "canceled")
    }

    @Test(arguments: StoreKind.allCases) func rulesValidateAndDeduplicate(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let other = try await engine.workspace("Other workspace")
        let connection = try await engine.webhook(workspace)
        let rule = try await engine.rule(workspace, connection, event: "user.signup", resource: "plan", resourceID: "pro")
        let again = await engine.call(
            "POST", "/api/v1/rules",
            json: [
                "workspace": .string(workspace), "connection": .string(connection), "event": "user.signup", "resource": "plan",
                "resource_id": "pro", "metadata": ["action": "send_webhook"],
            ])
        #expect(again.status == 409)
        #expect(again.errorCode == "duplicate_rule")
        let unknown = await engine.call(
            "POST", "/api/v1/rules",
            json: [
                "workspace": .string(workspace), "connection": .string(connection), "event": "e", "metadata": ["action": "send_message"],
            ])
        #expect(unknown.status == 422)
        #expect(unknown.errorCode == "unknown_action")
        let crossed = await engine.call(
            "POST", "/api/v1/rules",
            json: ["workspace": .string(other), "connection": .string(connection), "event": "e", "metadata": ["action": "send_webhook"]])
        #expect(crossed.status == 404)
        let nonString = await engine.call(
            "POST", "/api/v1/rules",
            json: [
                "workspace": .string(workspace), "connection": .string(connection), "event": "e",
                "metadata": ["action": "send_webhook", "id": 5],
            ])
        #expect(nonString.status == 400)

        let filtered = await engine.call("GET", "/api/v1/workspaces/\(workspace)/rules?event=user.signup&resource=plan")
        #expect(filtered.jsonBody?["count"]?.intValue == 1)
        #expect(await engine.call("GET", "/api/v1/rules?event=other").jsonBody?["count"]?.intValue == 0)
        let deleted = await engine.call("DELETE", "/api/v1/rules/\(rule)")
        #expect(deleted.status == 200)
        #expect(
            deleted.text
                == #"{"id":"\#(rule)","connection":"\#(connection)","type":"webhook","event":"user.signup","resource":"plan","resource_id":"pro"}"#
        )
    }

    @Test(arguments: StoreKind.allCases) func conformanceC4FanOut(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let other = try await engine.workspace("Second workspace")
        let connection = try await engine.webhook(workspace)
        let r1 = try await engine.rule(workspace, connection, event: "user.signup")
        let r2 = try await engine.rule(workspace, connection, event: "user.signup", resource: "plan", resourceID: "pro")
        _ = try await engine.rule(workspace, connection, event: "user.signup", resource: "plan", resourceID: "enterprise")
        let emitted = await engine.call(
            "POST", "/api/v1/events",
            json: [
                "workspace": .string(workspace), "event": "user.signup", "resource": "plan", "resource_id": "pro",
                "payload": ["email": "ada@example.com"],
            ])
        #expect(emitted.status == 201)
        let event = try #require(emitted.jsonBody?["event"])
        #expect(
            event.objectValue?.keys == [
                "id", "type", "event", "workspace", "resource", "resource_id", "created_by", "created_at", "status", "total_rules",
            ])
        #expect(event["total_rules"]?.intValue == 2)
        #expect(event["status"]?.stringValue == "pending")
        #expect(event["created_by"]?.stringValue == engine.accessKey)
        let id = try #require(event["id"]?.stringValue)
        let full = await engine.call("GET", "/api/v1/events/\(id)")
        let ruleEvents = try #require(full.jsonBody?["rule_events"]?.arrayValue)
        #expect(Set(ruleEvents.compactMap { $0["rule"]?.stringValue }) == [r1, r2])
        #expect(ruleEvents.allSatisfy { $0["status"]?.stringValue == "pending" && $0["type"]?.stringValue == "rule" })
        #expect(full.jsonBody?["payload"] == nil)
        let payload = await engine.call("GET", "/api/v1/events/\(id)/payload")
        #expect(payload.jsonBody?["payload"] == ["email": "ada@example.com"])

        let global = await engine.call(
            "POST", "/api/v1/events",
            json: ["workspace": .string(workspace), "event": "user.signup", "payload": ["email": "b@example.com"]])
        #expect(global.jsonBody?["event"]?["resource"]?.stringValue == "global")
        #expect(global.jsonBody?["event"]?["total_rules"]?.intValue == 1)
        let elsewhere = await engine.call(
            "POST", "/api/v1/events", json: ["workspace": .string(other), "event": "user.signup", "payload": ["email": "c@example.com"]])
        #expect(elsewhere.jsonBody?["event"]?["total_rules"]?.intValue == 0)
        #expect(elsewhere.jsonBody?["event"]?["status"]?.stringValue == "completed")

        // An inactive connection gets no rule events.
        _ = await engine.call(
            "PUT", "/api/v1/connections/\(connection)",
            json: ["name": "hook", "metadata": ["url": "https://example.com/hook"], "active": false])
        let inactive = await engine.call(
            "POST", "/api/v1/events",
            json: ["workspace": .string(workspace), "event": "user.signup", "payload": ["email": "d@example.com"]])
        #expect(inactive.jsonBody?["event"]?["total_rules"]?.intValue == 0)

        let types = await engine.call("GET", "/api/v1/workspaces/\(workspace)/event-types")
        #expect(types.jsonBody?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["user.signup"])
        let resources = await engine.call("GET", "/api/v1/workspaces/\(workspace)/resources")
        #expect(resources.jsonBody?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["global", "plan"])
    }

    @Test(arguments: StoreKind.allCases) func conformanceC3BulkAndIdempotency(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let valid: JSONValue = ["workspace": .string(workspace), "event": "user.signup", "payload": ["email": "ada@example.com"]]
        let a = await engine.call("POST", "/api/v1/events/bulk", json: [valid, valid])
        #expect(a.status == 201)
        #expect(a.jsonBody?["count"]?.intValue == 2)
        #expect(a.jsonBody?["error_count"]?.intValue == 0)

        let b: JSONValue = [valid, ["workspace": .string(workspace), "event": "user.signup", "payload": ["email": ""]], valid]
        let first = await engine.call("POST", "/api/v1/events/bulk", json: b, headers: [("Idempotency-Key", "batch-b")])
        #expect(first.status == 207)
        #expect(first.jsonBody?["count"]?.intValue == 2)
        #expect(first.jsonBody?["error_count"]?.intValue == 1)
        let records = try #require(first.jsonBody?["records"]?.arrayValue)
        #expect(records[1] == ["message": "payload must contain at least one non-empty value", "error": "invalid_payload", "index": 1])
        #expect(records[0]["type"]?.stringValue == "event" && records[2]["type"]?.stringValue == "event")
        #expect(try await engine.count("events") == 4)

        let replay = await engine.call("POST", "/api/v1/events/bulk", json: b, headers: [("Idempotency-Key", "batch-b")])
        #expect(replay.status == 207)
        #expect(replay.body == first.body)
        #expect(replay.header("Idempotent-Replayed") == "true")
        #expect(try await engine.count("events") == 4)
        let reused = await engine.call("POST", "/api/v1/events/bulk", json: [valid], headers: [("Idempotency-Key", "batch-b")])
        #expect(reused.status == 422)
        #expect(reused.errorCode == "idempotency_key_reused")

        #expect(await engine.call("POST", "/api/v1/events/bulk", json: []).status == 400)
        let tooMany = JSONValue.array(Array(repeating: valid, count: 101))
        #expect(await engine.call("POST", "/api/v1/events/bulk", json: tooMany).status == 400)
        #expect(await engine.call("POST", "/api/v1/events/bulk", json: valid).status == 400)
        #expect(try await engine.count("events") == 4)

        // A 400 is cached and replayed too; a corrected body with the same key is "reused".
        let bad = await engine.call(
            "POST", "/api/v1/events", json: ["workspace": .string(workspace), "event": " ", "payload": ["x": 1]],
            headers: [("Idempotency-Key", "single")])
        #expect(bad.status == 400)
        #expect(bad.errorCode == "invalid_event")
        let badAgain = await engine.call(
            "POST", "/api/v1/events", json: ["workspace": .string(workspace), "event": " ", "payload": ["x": 1]],
            headers: [("Idempotency-Key", "single")])
        #expect(badAgain.header("Idempotent-Replayed") == "true")
        #expect(
            await engine.call("POST", "/api/v1/events", json: valid, headers: [("Idempotency-Key", String(repeating: "k", count: 256))])
                .status == 400)
    }

    @Test(arguments: StoreKind.allCases) func concurrentDuplicatesCreateOneEvent(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let body: JSONValue = ["workspace": .string(workspace), "event": "order.paid", "payload": ["id": "o-1"]]
        let responses = await withTaskGroup(of: APIResponse.self) { group in
            for _ in 0..<8 {
                group.addTask { await engine.call("POST", "/api/v1/events", json: body, headers: [("Idempotency-Key", "same")]) }
            }
            var out: [APIResponse] = []
            for await response in group { out.append(response) }
            return out
        }
        #expect(responses.allSatisfy { $0.status == 201 })
        #expect(Set(responses.map(\.body)).count == 1)
        #expect(responses.filter { $0.header("Idempotent-Replayed") == "true" }.count == 7)
        #expect(try await engine.count("events") == 1)
    }

    @Test(arguments: StoreKind.allCases) func conformanceC6Pagination(kind: StoreKind) async throws {
        #expect(
            Cursor(createdAt: Cursor.parse("2026-01-01T00:00:05.000Z")!, id: "7d1f0c7e-2b1a-4c55-8f0e-9a4b3c2d1e0f").encoded
                == "eyJjIjoiMjAyNi0wMS0wMVQwMDowMDowNS4wMDBaIiwiaSI6IjdkMWYwYzdlLTJiMWEtNGM1NS04ZjBlLTlhNGIzYzJkMWUwZiJ9")
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let item: JSONValue = ["workspace": .string(workspace), "event": "tick", "payload": ["n": 1]]
        _ = await engine.call("POST", "/api/v1/events/bulk", json: .array(Array(repeating: item, count: 100)))
        _ = await engine.call("POST", "/api/v1/events/bulk", json: .array(Array(repeating: item, count: 20)))
        var sizes: [Int] = []
        var seen = Set<String>()
        var cursor: String?
        repeat {
            let target = "/api/v1/workspaces/\(workspace)/events?limit=50" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = await engine.call("GET", target)
            #expect(page.status == 200)
            let records = page.jsonBody?["records"]?.arrayValue ?? []
            sizes.append(records.count)
            for record in records { seen.insert(record["id"]?.stringValue ?? "") }
            cursor = page.jsonBody?["next_cursor"]?.stringValue
        } while cursor != nil
        #expect(sizes == [50, 50, 20])
        #expect(seen.count == 120)
        #expect(await engine.call("GET", "/api/v1/events?limit=0").status == 400)
        #expect(await engine.call("GET", "/api/v1/events?limit=201").status == 400)
        let badCursor = await engine.call("GET", "/api/v1/events?cursor=%%%")
        #expect(badCursor.status == 400)
        #expect(badCursor.errorCode == "invalid_cursor")
        #expect(await engine.call("GET", "/api/v1/workspaces/\(workspace)/events?status=done").status == 400)
        #expect(await engine.call("GET", "/api/v1/workspaces/\(workspace)/events?status=completed").jsonBody?["count"]?.intValue == 50)
    }

    @Test(arguments: StoreKind.allCases) func cancelAndRetryStates(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let connection = try await engine.webhook(workspace)
        let rule = try await engine.rule(workspace, connection, event: "e")
        let emitted = await engine.call(
            "POST", "/api/v1/events", json: ["workspace": .string(workspace), "event": "e", "payload": ["id": "1"]])
        let event = try #require(emitted.jsonBody?["event"]?["id"]?.stringValue)
        let early = await engine.call("POST", "/api/v1/events/\(event)/rules/\(rule)/retry")
        #expect(early.status == 425)
        #expect(early.errorCode == "retry_too_early")
        #expect(await engine.call("POST", "/api/v1/events/\(event)/rules/\(Formats.uuid())/retry").status == 404)
        let canceled = await engine.call("POST", "/api/v1/events/\(event)/rules/\(rule)/cancel")
        #expect(canceled.status == 200)
        #expect(canceled.jsonBody?["status"]?.stringValue == "canceled")
        let again = await engine.call("POST", "/api/v1/events/\(event)/rules/\(rule)/cancel")
        #expect(again.status == 409)
        #expect(again.errorCode == "delivery_terminal")
        #expect(await engine.call("POST", "/api/v1/events/\(event)/rules/\(rule)/retry").errorCode == "delivery_terminal")
        let whole = await engine.call("POST", "/api/v1/events/\(event)/cancel")
        #expect(whole.status == 200)
        #expect(whole.jsonBody?["status"]?.stringValue == "canceled")
        #expect(whole.jsonBody?["canceled_count"]?.intValue == 1)
        let attempts = await engine.call("GET", "/api/v1/events/\(event)/rules/\(rule)/attempts")
        #expect(attempts.status == 200)
        #expect(attempts.text == #"{"count":0,"limit":50,"next_cursor":null,"records":[]}"#)
        #expect(await engine.call("GET", "/api/v1/events/\(event)/rules/\(rule)/attempts/\(Formats.uuid())").status == 404)
    }

    @Test func eventStatusAggregation() {
        #expect(DeliveryStatus.aggregate(total: 0, counts: [:], anyStarted: false) == .completed)
        #expect(DeliveryStatus.aggregate(total: 2, counts: ["processing": 1, "retrying": 1], anyStarted: true) == .processing)
        #expect(DeliveryStatus.aggregate(total: 2, counts: ["retrying": 1, "pending": 1], anyStarted: true) == .retrying)
        #expect(DeliveryStatus.aggregate(total: 2, counts: ["pending": 2], anyStarted: false) == .pending)
        #expect(DeliveryStatus.aggregate(total: 2, counts: ["pending": 1, "completed": 1], anyStarted: true) == .processing)
        #expect(DeliveryStatus.aggregate(total: 2, counts: ["failed": 1, "completed": 1], anyStarted: true) == .failed)
        #expect(DeliveryStatus.aggregate(total: 2, counts: ["canceled": 1, "completed": 1], anyStarted: true) == .completed)
        #expect(DeliveryStatus.aggregate(total: 1, counts: ["canceled": 1], anyStarted: false) == .canceled)
    }
}

@Suite struct IntegrationsRouteTests {
    @Test(arguments: StoreKind.allCases) func integrationsListAllFifteenTypes(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let response = await engine.call("GET", "/api/v1/integrations")
        #expect(response.status == 200)
        let records = try #require(response.jsonBody?["records"]?.arrayValue)
        #expect(records.count == 15)
        #expect(response.jsonBody?["count"]?.intValue == 15)
        #expect(response.jsonBody?["next_cursor"] == .null)
        #expect(records.compactMap { $0["type"]?.stringValue } == IntegrationType.allCases.map(\.rawValue))
        let webhook = try #require(records.first { $0["type"]?.stringValue == "webhook" })
        #expect(webhook["actions"]?["send_webhook"]?["key"]?.stringValue == "send_webhook")
    }
}
