import Foundation
import GRDB
import MeshesTestSupport
import SharedCore
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// §4 through the API: machine JWTs, publishable keys, revocation; every failure is the same 401 body.
@Suite struct AuthTests {
    static let unauthorized = #"{"message":"Unauthorized","error":"unauthorized"}"#

    func request(_ engine: TestEngine, token: String) async -> APIResponse {
        await engine.api.handle(APIRequest(method: "GET", target: "/api/v1/workspaces", headers: [("Authorization", "Bearer \(token)")]))
    }

    @Test(arguments: StoreKind.allCases) func machineTokensAreVerified(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let now = Int(Date().timeIntervalSince1970)
        #expect(await request(engine, token: engine.token(now: now)).status == 200)
        let cases: [String] = [
            MachineJWT.mint(accessKey: engine.accessKey, secret: engine.secret, orgID: engine.orgID, issuedAt: now - 41),  // exp 11 s ago
            MachineJWT.mint(accessKey: engine.accessKey, secret: engine.secret + "x", orgID: engine.orgID, issuedAt: now),
            MachineJWT.mint(accessKey: engine.accessKey, secret: engine.secret, orgID: Formats.uuid(), issuedAt: now),
            MachineJWT.mint(accessKey: "mk_UnknownKey000000000000000", secret: engine.secret, orgID: engine.orgID, issuedAt: now),
            "not.a.jwt", "a.b", "",
        ]
        for token in cases {
            let response = await request(engine, token: token)
            #expect(response.status == 401, "\(token)")
            #expect(response.text == AuthTests.unauthorized)
        }
        #expect(await engine.api.handle(APIRequest(method: "GET", target: "/api/v1/workspaces")).status == 401)
        #expect(
            await engine.api.handle(APIRequest(method: "GET", target: "/api/v1/workspaces", headers: [("Authorization", "Basic abc")]))
                .status == 401)
        // Revocation takes effect on the next request.
        #expect(try await engine.store.revokeMachineKey(engine.accessKey))
        #expect(await request(engine, token: engine.token(now: now)).status == 401)
    }

    @Test(arguments: StoreKind.allCases) func lastUsedIsRecorded(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        #expect(try await engine.store.machineKeys().first?.lastUsedAt == nil)
        _ = await request(engine, token: engine.token())
        #expect(try await engine.store.machineKeys().first?.lastUsedAt != nil)
    }

    @Test(arguments: StoreKind.allCases) func publishableKeysOnlyIngest(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let other = try await engine.workspace("Other workspace")
        let key = try #require(
            await engine.call("GET", "/api/v1/workspaces/\(workspace)").jsonBody?["publishable_key"]?["public_key"]?.stringValue)
        let header = [(name: "X-Meshes-Publishable-Key", value: key)]
        let body: JSONValue = ["event": "page.view", "payload": ["url": "https://example.com"]]
        let emitted = await engine.call("POST", "/api/v1/events", json: body, headers: header, authorized: false)
        #expect(emitted.status == 201)
        #expect(emitted.jsonBody?["event"]?["workspace"]?.stringValue == workspace)
        #expect(emitted.jsonBody?["event"]?["created_by"]?.stringValue == "pub:\(workspace)")
        let mismatch = await engine.call(
            "POST", "/api/v1/events", json: ["workspace": .string(other), "event": "x", "payload": ["a": 1]], headers: header,
            authorized: false)
        #expect(mismatch.status == 403)
        #expect(await engine.call("GET", "/api/v1/workspaces", headers: header, authorized: false).status == 401)
        #expect(await engine.call("GET", "/api/v1/events/\(Formats.uuid())", headers: header, authorized: false).status == 401)
        #expect(
            await engine.call("POST", "/api/v1/events", json: body, headers: [("X-Meshes-Publishable-Key", key + "x")], authorized: false)
                .status == 401)
        let bulk = await engine.call("POST", "/api/v1/events/bulk", json: [body, body], headers: header, authorized: false)
        #expect(bulk.status == 201)
        // With a machine key the body must name the workspace.
        #expect(await engine.call("POST", "/api/v1/events", json: body).status == 400)
        let preflight = await engine.api.handle(
            APIRequest(method: "OPTIONS", target: "/api/v1/events", headers: [("Origin", "https://shop.example")]))
        #expect(preflight.status == 204)
        #expect(preflight.header("Access-Control-Max-Age") == "600")
        #expect(
            preflight.header("Access-Control-Allow-Headers") == "Content-Type, X-Meshes-Publishable-Key, X-Meshes-Client, Idempotency-Key")
    }

    @Test func otherOrgsSeeNotFound() async throws {
        let engine = try await TestEngine()
        let workspace = try await engine.workspace()
        let org = Formats.uuid()
        try await #require(engine.sqlite).pool.write { db in
            try db.execute(sql: "INSERT INTO orgs (id, name, created_at) VALUES (?, 'Other', 0)", arguments: [org])
        }
        let created = try await MeshesEngine.createMachineKey(store: engine.store, orgID: org)
        let token = MachineJWT.mint(
            accessKey: created.accessKey, secret: created.secret, orgID: org, issuedAt: Int(Date().timeIntervalSince1970))
        let response = await engine.api.handle(
            APIRequest(method: "GET", target: "/api/v1/workspaces/\(workspace)", headers: [("Authorization", "Bearer \(token)")]))
        #expect(response.status == 404)
        let list = await engine.api.handle(
            APIRequest(method: "GET", target: "/api/v1/workspaces", headers: [("Authorization", "Bearer \(token)")]))
        #expect(list.jsonBody?["count"]?.intValue == 0)
    }

    @Test(arguments: StoreKind.allCases) func ingestRateLimit(kind: StoreKind) async throws {
        var options = MeshesAPI.Options()
        options.ingestRate = 2
        options.limiterClock = { 1_000 }  // frozen: the burst (2 x rate = 4) is all there is
        let engine = try await TestEngine(kind, options: options)
        let workspace = try await engine.workspace()
        let body: JSONValue = ["workspace": .string(workspace), "event": "e", "payload": ["a": 1]]
        var statuses: [Int] = []
        for _ in 0..<5 { statuses.append(await engine.call("POST", "/api/v1/events", json: body).status) }
        #expect(statuses == [201, 201, 201, 201, 429])
        let limited = await engine.call("POST", "/api/v1/events", json: body)
        #expect(limited.errorCode == "rate_limited")
        #expect(limited.header("Retry-After") != nil)
    }
}
