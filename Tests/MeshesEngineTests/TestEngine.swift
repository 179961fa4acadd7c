import Foundation
import GRDB
import MeshesTestSupport
import SharedCore
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// A fresh store + API with one machine key, and helpers that call routes as that key.
struct TestEngine {
    /// Where the store is: a folder (SQLite) or a database URL (PostgreSQL).
    let folder: String
    let store: any MeshesStore
    /// The SQLite store, when that is the kind (for checks of its file).
    let sqlite: SQLiteStore?
    let api: MeshesAPI
    let accessKey: String
    let secret: String
    var orgID: String { store.defaultOrg.id }

    init(_ kind: StoreKind = .sqlite, options: MeshesAPI.Options = MeshesAPI.Options()) async throws {
        folder = try await kind.newPlace()
        store = try await kind.open(place: folder, sealer: Sealer(masterKey: MasterKey.generate()))
        sqlite = store as? SQLiteStore
        api = MeshesAPI(store: store, options: options)
        let created = try await MeshesEngine.createMachineKey(store: store)
        accessKey = created.accessKey
        secret = created.secret
    }

    /// The first column of the first row of a query, as text: `sqlite` on the SQLite store, `postgres` on the other.
    func scalar(sqlite sqliteQuery: String, postgres postgresQuery: String) async throws -> String? {
        if let sqlite { return try await sqlite.pool.read { db in try String.fetchOne(db, sql: sqliteQuery) } }
        return try await StoreKind.postgresScalar(postgresQuery, place: folder)
    }

    func token(now: Int = Int(Date().timeIntervalSince1970)) -> String {
        MachineJWT.mint(accessKey: accessKey, secret: secret, orgID: orgID, issuedAt: now)
    }

    /// Calls a route as the machine key.
    @discardableResult
    func call(
        _ method: String, _ target: String, json body: JSONValue? = nil, raw: [UInt8]? = nil,
        headers: [(name: String, value: String)] = [], authorized: Bool = true
    ) async -> APIResponse {
        var all = headers
        if authorized { all.append(("Authorization", "Bearer \(token())")) }
        let bytes = raw ?? body.map { Array(JSONEmitter.compact($0).utf8) } ?? []
        return await api.handle(APIRequest(method: method, target: target, headers: all, body: bytes))
    }

    /// Creates a workspace and returns its id.
    func workspace(_ name: String = "Main workspace") async throws -> String {
        let response = await call("POST", "/api/v1/workspaces", json: ["name": .string(name)])
        try #require(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
        return try #require(response.jsonBody?["workspace"]?["id"]?.stringValue)
    }

    /// Creates a webhook connection and returns its id.
    func webhook(_ workspace: String, name: String = "hook") async throws -> String {
        let response = await call(
            "POST", "/api/v1/connections",
            json: [
                "workspace": .string(workspace), "type": "webhook", "name": .string(name), "metadata": ["url": "https://example.com/hook"],
            ])
        try #require(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
        return try #require(response.jsonBody?["connection"]?["id"]?.stringValue)
    }

    /// Creates a rule and returns its id.
    func rule(_ workspace: String, _ connection: String, event: String, resource: String? = nil, resourceID: String? = nil) async throws
        -> String
    {
        var body: JSONObject = [
            "workspace": .string(workspace), "connection": .string(connection), "event": .string(event),
            "metadata": ["action": "send_webhook"],
        ]
        if let resource { body["resource"] = .string(resource) }
        if let resourceID { body["resource_id"] = .string(resourceID) }
        let response = await call("POST", "/api/v1/rules", json: .object(body))
        try #require(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
        return try #require(response.jsonBody?["rule"]?["id"]?.stringValue)
    }

    /// Row counts of a table (to prove nothing was stored).
    func count(_ table: String) async throws -> Int {
        let text = try await scalar(sqlite: "SELECT CAST(COUNT(*) AS TEXT) FROM \(table)", postgres: "SELECT COUNT(*) FROM \(table)")
        return Int(text ?? "") ?? -1
    }
}

extension APIResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var errorCode: String? { jsonBody?["error"]?.stringValue }
}
