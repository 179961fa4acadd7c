import Foundation
import MeshesTestSupport
import SharedCore
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// Sessions (§2.8, §3 rows 35-39) and session-token access (§4.3).
@Suite struct SessionTests {
    struct Fixture {
        let engine: TestEngine
        let workspace: String
        let other: String
        let connection: String
        let rule: String
        let event: String
    }

    func fixture(_ kind: StoreKind) async throws -> Fixture {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let other = try await engine.workspace("Other workspace")
        let connection = try await engine.webhook(workspace)
        let rule = try await engine.rule(workspace, connection, event: "user.signup")
        let emitted = await engine.call(
            "POST", "/api/v1/events",
            json: [
                "workspace": .string(workspace), "event": "user.signup", "resource": "team", "resource_id": "t1",
                "payload": ["email": "a@example.com"],
            ])
        return Fixture(
            engine: engine, workspace: workspace, other: other, connection: connection, rule: rule,
            event: try #require(emitted.jsonBody?["event"]?["id"]?.stringValue))
    }

    func session(_ engine: TestEngine, _ body: JSONValue) async throws -> JSONValue {
        let response = await engine.call("POST", "/api/v1/sessions", json: body)
        try #require(response.status == 200, "\(response.text)")
        return try #require(response.jsonBody)
    }

    func asSession(_ engine: TestEngine, _ token: String, _ method: String, _ target: String, json: JSONValue? = nil, origin: String? = nil)
        async -> APIResponse
    {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(token)")]
        if let origin { headers.append(("Origin", origin)) }
        return await engine.api.handle(
            APIRequest(method: method, target: target, headers: headers, body: json.map { Array(JSONEmitter.compact($0).utf8) } ?? []))
    }

    @Test(arguments: StoreKind.allCases) func createListRefreshRevokeAndLaunch(kind: StoreKind) async throws {
        let f = try await fixture(kind)
        let created = try await session(f.engine, ["workspace_id": .string(f.workspace), "external_user_id": "u-1"])
        #expect(
            created.objectValue?.keys == [
                "session_id", "access_token", "expires_in", "expires_at", "workspace_id", "role", "session_type", "launch_token",
                "launch_expires_at", "launch_url",
            ])
        let id = try #require(created["session_id"]?.stringValue)
        #expect(KeyFormats.isSessionID(id))
        #expect(created["role"]?.stringValue == "member")
        #expect(created["session_type"]?.stringValue == "workspace")
        #expect(created["expires_in"]?.intValue == 1800)
        let launch = try #require(created["launch_token"]?.stringValue)
        #expect(created["launch_url"]?.stringValue == "http://127.0.0.1:8787/embed/dashboard?launch_token=\(launch)")

        let list = await f.engine.call("GET", "/api/v1/sessions?workspace_id=\(f.workspace)")
        #expect(list.jsonBody?["count"]?.intValue == 1)
        #expect(list.jsonBody?["records"]?.arrayValue?.first?["is_expired"] == false)
        #expect(list.jsonBody?["records"]?.arrayValue?.first?["external_user_id"]?.stringValue == "u-1")
        #expect(await f.engine.call("GET", "/api/v1/sessions").status == 400)
        #expect(await f.engine.call("GET", "/api/v1/sessions?workspace_id=\(f.workspace)&status=gone").status == 400)

        // Launch: single use, no auth.
        let exchange = await f.engine.api.handle(
            APIRequest(method: "POST", target: "/api/v1/sessions/launch", body: Array(#"{"launch_token":"\#(launch)"}"#.utf8)))
        #expect(exchange.status == 200)
        #expect(exchange.jsonBody?["launch_page"]?.stringValue == "dashboard")
        let token = try #require(exchange.jsonBody?["access_token"]?.stringValue)
        #expect(await asSession(f.engine, token, "GET", "/api/v1/workspaces/\(f.workspace)").status == 200)
        let again = await f.engine.api.handle(
            APIRequest(method: "POST", target: "/api/v1/sessions/launch", body: Array(#"{"launch_token":"\#(launch)"}"#.utf8)))
        #expect(again.status == 401)

        let refreshed = await f.engine.call("POST", "/api/v1/sessions/\(id)/refresh")
        #expect(refreshed.status == 200)
        #expect(refreshed.jsonBody?["launch_token"] == nil)
        #expect(refreshed.jsonBody?["access_token"]?.stringValue != nil)

        let revoked = await f.engine.call("DELETE", "/api/v1/sessions/\(id)")
        #expect(revoked.text == #"{"revoked":true}"#)
        #expect(await f.engine.call("DELETE", "/api/v1/sessions/\(id)").text == #"{"revoked":false}"#)
        let refreshRevoked = await f.engine.call("POST", "/api/v1/sessions/\(id)/refresh")
        #expect(refreshRevoked.status == 409)
        #expect(refreshRevoked.errorCode == "session_revoked")
        // A revoked session's token stops working at once.
        #expect(await asSession(f.engine, token, "GET", "/api/v1/workspaces/\(f.workspace)").status == 401)
        #expect(await f.engine.call("DELETE", "/api/v1/sessions/ses_unknown").status == 404)
    }

    @Test(arguments: StoreKind.allCases) func rolesTypesAndScopes(kind: StoreKind) async throws {
        let f = try await fixture(kind)
        let member = try #require(try await session(f.engine, ["workspace_id": .string(f.workspace)])["access_token"]?.stringValue)
        #expect(await asSession(f.engine, member, "GET", "/api/v1/events/\(f.event)").status == 200)
        #expect(await asSession(f.engine, member, "GET", "/api/v1/events/\(f.event)/payload").status == 403)
        #expect(await asSession(f.engine, member, "POST", "/api/v1/events/\(f.event)/cancel").status == 403)
        #expect(await asSession(f.engine, member, "GET", "/api/v1/workspaces/\(f.other)").status == 403)
        #expect(await asSession(f.engine, member, "GET", "/api/v1/workspaces").status == 403)
        #expect(await asSession(f.engine, member, "GET", "/api/v1/sessions?workspace_id=\(f.workspace)").status == 403)
        #expect(
            await asSession(
                f.engine, member, "POST", "/api/v1/events", json: ["workspace": .string(f.workspace), "event": "e", "payload": ["a": 1]]
            ).status == 403)

        let admin = try #require(
            try await session(f.engine, ["workspace_id": .string(f.workspace), "role": "admin", "scopes": ["events.payload:read"]])[
                "access_token"]?.stringValue)
        #expect(await asSession(f.engine, admin, "GET", "/api/v1/events/\(f.event)/payload").status == 200)
        let rule = await asSession(
            f.engine, admin, "POST", "/api/v1/rules",
            json: [
                "workspace": .string(f.workspace), "connection": .string(f.connection), "event": "order.paid",
                "metadata": ["action": "send_webhook"],
            ])
        #expect(rule.status == 201)
        #expect(rule.jsonBody?["rule"]?["created_by"]?.stringValue?.hasPrefix("session:ses_") == true)
        #expect(
            await asSession(
                f.engine, admin, "PUT", "/api/v1/connections/\(f.connection)",
                json: ["name": "x", "metadata": ["url": "https://example.com/x"]]
            ).status == 403)

        let owner = try #require(
            try await session(f.engine, ["workspace_id": .string(f.workspace), "role": "owner"])["access_token"]?.stringValue)
        #expect(
            await asSession(f.engine, owner, "PUT", "/api/v1/workspaces/\(f.workspace)", json: ["name": "Renamed by owner"]).status == 200)

        let dashboard = try #require(
            try await session(f.engine, ["workspace_id": .string(f.workspace), "role": "owner", "session_type": "dashboard"])[
                "access_token"]?.stringValue)
        #expect(await asSession(f.engine, dashboard, "GET", "/api/v1/workspaces/\(f.workspace)/rules").status == 200)
        #expect(await asSession(f.engine, dashboard, "PUT", "/api/v1/workspaces/\(f.workspace)", json: ["name": "Nope nope"]).status == 403)

        let resource = try #require(
            try await session(
                f.engine,
                [
                    "workspace_id": .string(f.workspace), "role": "admin", "session_type": "resource", "resource": "team",
                    "resource_id": "t2",
                ])["access_token"]?.stringValue)
        #expect(await asSession(f.engine, resource, "GET", "/api/v1/events/\(f.event)").status == 403)
        #expect(await asSession(f.engine, resource, "GET", "/api/v1/connections/\(f.connection)").status == 403)
        let forced = await asSession(
            f.engine, resource, "POST", "/api/v1/rules",
            json: [
                "workspace": .string(f.workspace), "connection": .string(f.connection), "event": "team.joined",
                "metadata": ["action": "send_webhook"],
            ])
        #expect(forced.status == 201)
        #expect(forced.jsonBody?["rule"]?["resource"]?.stringValue == "team")
        #expect(forced.jsonBody?["rule"]?["resource_id"]?.stringValue == "t2")
        let events = await asSession(f.engine, resource, "GET", "/api/v1/workspaces/\(f.workspace)/events")
        #expect(events.jsonBody?["count"]?.intValue == 0)
    }

    @Test(arguments: StoreKind.allCases) func allowedOriginsAndValidation(kind: StoreKind) async throws {
        let f = try await fixture(kind)
        let token = try #require(
            try await session(f.engine, ["workspace_id": .string(f.workspace), "allowed_origins": ["https://app.example.com"]])[
                "access_token"]?.stringValue)
        #expect(
            await asSession(f.engine, token, "GET", "/api/v1/workspaces/\(f.workspace)", origin: "https://app.example.com").status == 200)
        #expect(
            await asSession(f.engine, token, "GET", "/api/v1/workspaces/\(f.workspace)", origin: "https://evil.example.com").status == 403)
        #expect(await asSession(f.engine, token, "GET", "/api/v1/workspaces/\(f.workspace)").status == 200)
        #expect(
            await f.engine.call("POST", "/api/v1/sessions", json: ["workspace_id": .string(f.workspace), "ttl_seconds": 60]).status == 400)
        #expect(
            await f.engine.call("POST", "/api/v1/sessions", json: ["workspace_id": .string(f.workspace), "session_type": "resource"]).status
                == 400)
        #expect(await f.engine.call("POST", "/api/v1/sessions", json: ["workspace_id": .string(Formats.uuid())]).status == 404)
        let tampered = token.dropLast(2) + (token.hasSuffix("AA") ? "BB" : "AA")
        #expect(await asSession(f.engine, String(tampered), "GET", "/api/v1/workspaces/\(f.workspace)").status == 401)
    }
}
