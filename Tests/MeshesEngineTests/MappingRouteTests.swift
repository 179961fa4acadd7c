import Foundation
import GRDB
import MeshesDelivery
import MeshesTestSupport
import SharedCore
import SharedPlatform
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// §3 rows 15-18: field catalogs, default mappings and live action data of connections.
@Suite struct MappingRouteTests {
    // MARK: - Schema

    @Test func aVersionOneStoreGainsTheMappingTables() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-migrate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/meshes.db"
        let old = try DatabaseQueue(path: path)
        try await old.write { db in
            for statement in Schema.migrations[0] { try db.execute(sql: statement) }
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        try old.close()

        let store = try SQLiteStore(path: path, sealer: Sealer(masterKey: MasterKey.generate()))
        let (version, tables) = try await store.pool.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA user_version"),
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('field_catalogs', 'default_mappings') ORDER BY name"
                )
            )
        }
        #expect(version == Schema.currentVersion)
        #expect(tables == ["default_mappings", "field_catalogs"])
    }

    // MARK: - GET /connections/{id}/fields

    @Test(arguments: StoreKind.allCases) func fieldCatalogIsBuiltOnFirstGetAndKept(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let connection = try await engine.connection(workspace, type: "mailchimp", metadata: ["data_center": "us1", "api_key": "k-1"])
        #expect(try await engine.count("field_catalogs") == 0)

        let first = await engine.call("GET", "/api/v1/connections/\(connection)/fields")
        #expect(first.status == 200, "\(first.text)")
        let catalog = try #require(first.jsonBody)
        #expect(
            catalog.objectValue?.keys == [
                "id", "workspace_id", "connection_id", "integration_type", "catalog_version", "refreshed_at", "created_by",
                "created_at", "updated_at", "fields",
            ])
        let mailchimp = try IntegrationCatalog.bundled().integration(for: .mailchimp)
        #expect(catalog["workspace_id"]?.stringValue == workspace)
        #expect(catalog["connection_id"]?.stringValue == connection)
        #expect(catalog["integration_type"]?.stringValue == "mailchimp")
        #expect(catalog["catalog_version"]?.stringValue == mailchimp.catalogVersion)
        #expect(catalog["fields"] == .array(mailchimp.catalogFields))
        #expect(catalog["fields"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["email", "first_name", "last_name"])
        #expect(catalog["created_by"]?.stringValue == engine.accessKey)
        #expect(catalog["refreshed_at"] == catalog["created_at"])
        #expect(Formats.isUUID(try #require(catalog["id"]?.stringValue)))

        let second = await engine.call("GET", "/api/v1/connections/\(connection)/fields?refresh=false")
        #expect(second.text == first.text)
        #expect(try await engine.count("field_catalogs") == 1)
    }

    @Test func refreshRebuildsTheCatalog() async throws {
        let engine = try await TestEngine()
        let workspace = try await engine.workspace()
        let connection = try await engine.connection(workspace, type: "mailchimp", metadata: ["data_center": "us1", "api_key": "k-1"])
        let first = try #require(await engine.call("GET", "/api/v1/connections/\(connection)/fields").jsonBody)
        try await Task.sleep(for: .milliseconds(5))
        let refreshed = await engine.call("GET", "/api/v1/connections/\(connection)/fields?refresh=true")
        #expect(refreshed.status == 200)
        let catalog = try #require(refreshed.jsonBody)
        #expect(catalog["id"] == first["id"])
        #expect(catalog["created_at"] == first["created_at"])
        #expect(catalog["created_by"] == first["created_by"])
        let before = try #require(first["refreshed_at"]?.stringValue)
        #expect(try #require(catalog["refreshed_at"]?.stringValue) > before)
        #expect(catalog["updated_at"] == catalog["refreshed_at"])
        #expect(catalog["fields"] == first["fields"])

        // A catalog whose version no longer matches the engine's static list is rebuilt without being asked.
        try await #require(engine.sqlite).pool.write { db in
            try db.execute(sql: "UPDATE field_catalogs SET catalog_version = 'old', fields = '[]'")
        }
        let upgraded = try #require(await engine.call("GET", "/api/v1/connections/\(connection)/fields").jsonBody)
        #expect(upgraded["catalog_version"] == first["catalog_version"])
        #expect(upgraded["fields"] == first["fields"])

        let bad = await engine.call("GET", "/api/v1/connections/\(connection)/fields?refresh=yes")
        #expect(bad.status == 400)
        #expect(bad.errorCode == "invalid_request")
    }

    @Test(arguments: StoreKind.allCases) func builtInSendersHaveAnEmptyCatalogAndEmbeddedCallersAreSystem(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let hook = try await engine.webhook(workspace)
        let response = await engine.embedded("GET", "/api/v1/connections/\(hook)/fields")
        #expect(response.status == 200)
        #expect(response.jsonBody?["fields"] == .array([]))
        #expect(response.jsonBody?["created_by"]?.stringValue == "system")
        #expect(response.jsonBody?["catalog_version"]?.stringValue == IntegrationCatalog.catalogVersion(of: []))
    }

    @Test(arguments: StoreKind.allCases) func unknownAndForeignConnectionsAreNotFound(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let hook = try await engine.webhook(workspace)
        let missing = Formats.uuid()
        for target in ["fields", "mappings/default", "actions"] {
            let unknown = await engine.call("GET", "/api/v1/connections/\(missing)/\(target)")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "not_found")
            let foreign = await engine.api.handle(
                APIRequest(method: "GET", target: "/api/v1/connections/\(hook)/\(target)"), as: .embedded(orgID: Formats.uuid()))
            #expect(foreign.status == 404)
        }
        let put = await engine.call("PUT", "/api/v1/connections/\(missing)/mappings/default", json: ["schema": Self.schema(["email"])])
        #expect(put.status == 404)
        let wrongVerb = await engine.call("POST", "/api/v1/connections/\(hook)/fields")
        #expect(wrongVerb.status == 405)
        #expect(try await engine.count("field_catalogs") == 0)
    }

    // MARK: - GET /connections/{id}/mappings/default

    @Test(arguments: StoreKind.allCases) func generatedMappingUsesRecognisedCatalogKeys(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let connection = try await engine.connection(workspace, type: "customer_io", metadata: ["region": "eu", "cdpApiKey": "cio"])
        let response = await engine.call("GET", "/api/v1/connections/\(connection)/mappings/default")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.jsonBody?["status"]?.stringValue == "generated")
        let mapping = try #require(response.jsonBody?["mapping"])
        #expect(
            mapping.objectValue?.keys == [
                "id", "mapping_id", "version", "workspace_id", "connection_id", "integration_type", "name", "schema",
                "catalog_version", "created_at", "updated_at",
            ])
        #expect(mapping["id"] == .null)
        #expect(mapping["mapping_id"] == .null)
        #expect(mapping["version"]?.intValue == 0)
        #expect(mapping["workspace_id"]?.stringValue == workspace)
        #expect(mapping["integration_type"]?.stringValue == "customer_io")
        #expect(mapping["catalog_version"]?.stringValue == (try IntegrationCatalog.bundled().integration(for: .customerIO).catalogVersion))
        #expect(
            mapping["schema"] == [
                "schema_version": 1,
                "fields": [
                    ["dest": "id", "source": ["type": "path", "value": "id"], "on_error": "skip_field"],
                    ["dest": "email", "source": ["type": "path", "value": "email"], "on_error": "skip_field"],
                ],
            ])
        // Nothing was stored by reading it.
        #expect(try await engine.count("default_mappings") == 0)
        #expect(await engine.call("GET", "/api/v1/connections/\(connection)/mappings/default").text == response.text)

        let hook = try await engine.webhook(workspace)
        let empty = await engine.call("GET", "/api/v1/connections/\(hook)/mappings/default")
        #expect(empty.jsonBody?["mapping"]?["schema"]?["fields"] == .array([]))
    }

    // MARK: - PUT /connections/{id}/mappings/default

    @Test(arguments: StoreKind.allCases) func putStoresVersionsUnderOneMappingID(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let connection = try await engine.connection(workspace, type: "mailchimp", metadata: ["data_center": "us1", "api_key": "k-1"])
        let path = "/api/v1/connections/\(connection)/mappings/default"

        let first = await engine.call("PUT", path, json: ["workspace_id": .string(workspace), "schema": Self.schema(["email"])])
        #expect(first.status == 200, "\(first.text)")
        #expect(first.jsonBody?["status"]?.stringValue == "stored")
        let v1 = try #require(first.jsonBody?["mapping"])
        #expect(
            v1.objectValue?.keys == [
                "id", "mapping_id", "version", "workspace_id", "connection_id", "integration_type", "name", "schema",
                "catalog_version", "created_by", "created_at", "updated_at",
            ])
        #expect(v1["version"]?.intValue == 1)
        #expect(v1["name"]?.stringValue == ConnectionDefaultMapping.defaultName)
        #expect(v1["created_by"]?.stringValue == engine.accessKey)
        #expect(v1["schema"] == Self.schema(["email"]))
        let mappingID = try #require(v1["mapping_id"]?.stringValue)
        #expect(Formats.isUUID(mappingID))

        let read = await engine.call("GET", path)
        #expect(read.text == first.text)

        try await Task.sleep(for: .milliseconds(5))
        let second = await engine.call(
            "PUT", path,
            json: [
                "mapping_id": .string(mappingID), "expected_version": 1, "name": "CRM sync",
                "schema": Self.schema(["email", "first_name"]),
            ])
        #expect(second.status == 200, "\(second.text)")
        let v2 = try #require(second.jsonBody?["mapping"])
        #expect(v2["version"]?.intValue == 2)
        #expect(v2["mapping_id"]?.stringValue == mappingID)
        #expect(v2["id"] != v1["id"])
        #expect(v2["name"]?.stringValue == "CRM sync")
        #expect(v2["created_at"] == v1["created_at"])
        #expect(v2["updated_at"] != v1["updated_at"])

        // Without a name the previous version's is kept; without expected_version there is no check.
        let third = await engine.embedded("PUT", path, json: ["schema": Self.schema(["last_name"])])
        #expect(third.jsonBody?["mapping"]?["version"]?.intValue == 3)
        #expect(third.jsonBody?["mapping"]?["name"]?.stringValue == "CRM sync")
        #expect(third.jsonBody?["mapping"]?["created_by"]?.stringValue == "system")
        #expect(await engine.call("GET", path).text == third.text)
        #expect(try await engine.count("default_mappings") == 3)
    }

    @Test(arguments: StoreKind.allCases) func putRejectsStaleVersionsAndForeignIDs(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let other = try await engine.workspace("Other workspace")
        let connection = try await engine.connection(workspace, type: "mailchimp", metadata: ["data_center": "us1", "api_key": "k-1"])
        let path = "/api/v1/connections/\(connection)/mappings/default"

        let nothingStored = await engine.call("PUT", path, json: ["expected_version": 1, "schema": Self.schema(["email"])])
        #expect(nothingStored.status == 409)
        #expect(nothingStored.errorCode == "version_conflict")
        let unknownMapping = await engine.call(
            "PUT", path, json: ["mapping_id": .string(Formats.uuid()), "schema": Self.schema(["email"])])
        #expect(unknownMapping.status == 409)
        #expect(unknownMapping.errorCode == "version_conflict")
        let foreignWorkspace = await engine.call("PUT", path, json: ["workspace_id": .string(other), "schema": Self.schema(["email"])])
        #expect(foreignWorkspace.status == 404)
        #expect(foreignWorkspace.errorCode == "not_found")
        #expect(try await engine.count("default_mappings") == 0)

        #expect(await engine.call("PUT", path, json: ["schema": Self.schema(["email"])]).status == 200)
        let stale = await engine.call("PUT", path, json: ["expected_version": 2, "schema": Self.schema(["email"])])
        #expect(stale.status == 409)
        #expect(stale.text == #"{"message":"The default mapping is at version 1, not 2; reload it and retry","error":"version_conflict"}"#)
        let otherMapping = await engine.call("PUT", path, json: ["mapping_id": .string(Formats.uuid()), "schema": Self.schema(["email"])])
        #expect(otherMapping.errorCode == "version_conflict")
        #expect(try await engine.count("default_mappings") == 1)
    }

    @Test(arguments: StoreKind.allCases) func putValidatesTheBody(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let connection = try await engine.connection(workspace, type: "mailchimp", metadata: ["data_center": "us1", "api_key": "k-1"])
        let path = "/api/v1/connections/\(connection)/mappings/default"

        let invalid = await engine.call(
            "PUT", path,
            json: ["schema": ["schema_version": 2, "fields": [["dest": "email", "source": ["type": "path", "value": "1bad"]]]]])
        #expect(invalid.status == 422)
        #expect(invalid.errorCode == "invalid_mapping")
        let fields = invalid.jsonBody?["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
        #expect(fields == ["schema.schema_version", "schema.fields[0].source.value"])

        #expect(await engine.call("PUT", path, json: ["name": "x"]).errorCode == "invalid_request")
        #expect(await engine.call("PUT", path, json: ["expected_version": "1", "schema": Self.schema([])]).errorCode == "invalid_request")
        #expect(await engine.call("PUT", path, json: ["workspace_id": "nope", "schema": Self.schema([])]).errorCode == "invalid_request")
        #expect(await engine.call("PUT", path, raw: Array("{".utf8)).errorCode == "invalid_json")
        #expect(await engine.call("PUT", path, json: .array([])).errorCode == "invalid_request")
        #expect(try await engine.count("default_mappings") == 0)
    }

    @Test(arguments: StoreKind.allCases) func concurrentPutsWithOneExpectedVersionStoreOnce(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let connection = try await engine.connection(workspace, type: "mailchimp", metadata: ["data_center": "us1", "api_key": "k-1"])
        let path = "/api/v1/connections/\(connection)/mappings/default"
        #expect(await engine.call("PUT", path, json: ["schema": Self.schema(["email"])]).status == 200)

        let statuses = await withTaskGroup(of: Int.self) { group in
            for keys in [["email"], ["first_name"]] {
                group.addTask { await engine.call("PUT", path, json: ["expected_version": 1, "schema": Self.schema(keys)]).status }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.sorted() == [200, 409])
        #expect(try await engine.count("default_mappings") == 2)

        // Many racers: still exactly one winner per version.
        let many = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask { await engine.call("PUT", path, json: ["expected_version": 2, "schema": Self.schema(["email"])]).status }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(many.filter { $0 == 200 }.count == 1)
        #expect(many.filter { $0 == 409 }.count == 15)
        #expect(await engine.call("GET", path).jsonBody?["mapping"]?["version"]?.intValue == 3)
    }

    @Test(arguments: StoreKind.allCases) func deletingTheConnectionDropsItsCatalogAndMappings(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let connection = try await engine.connection(workspace, type: "mailchimp", metadata: ["data_center": "us1", "api_key": "k-1"])
        #expect(await engine.call("GET", "/api/v1/connections/\(connection)/fields").status == 200)
        #expect(
            await engine.call("PUT", "/api/v1/connections/\(connection)/mappings/default", json: ["schema": Self.schema(["email"])]).status
                == 200)
        #expect(await engine.call("DELETE", "/api/v1/connections/\(connection)").status == 200)
        #expect(try await engine.count("field_catalogs") == 0)
        #expect(try await engine.count("default_mappings") == 0)
        #expect(await engine.call("GET", "/api/v1/connections/\(connection)/mappings/default").status == 404)
    }

    // MARK: - GET /connections/{id}/actions

    @Test(arguments: StoreKind.allCases) func actionsWithoutBaseURLAreEmpty(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let connection = try await engine.connection(workspace, type: "mailerlite", metadata: ["api_key": "ml"])
        let response = await engine.call("GET", "/api/v1/connections/\(connection)/actions")
        #expect(response.status == 200)
        #expect(response.text == "{}")
    }

    @Test(arguments: StoreKind.allCases) func actionsProxyTheAdapterAndCacheTheResult(kind: StoreKind) async throws {
        var options = MeshesAPI.Options()
        options.allowHTTP = true
        let adapterHTTP = AdapterHTTP()
        options.adapterHTTP = adapterHTTP
        let engine = try await TestEngine(kind, options: options)
        let adapter = try StubAdapter(status: 200, body: #"{"groups":[{"id":"g1","name":"Newsletter"}]}"#)
        defer { adapter.stop() }
        let workspace = try await engine.workspace()
        let connection = try await engine.connection(
            workspace, type: "mailerlite",
            metadata: ["api_key": "ml-secret", "base_url": .string("http://127.0.0.1:\(adapter.port)/adapter/")])

        let response = await engine.call("GET", "/api/v1/connections/\(connection)/actions")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.text == #"{"groups":[{"id":"g1","name":"Newsletter"}]}"#)
        let request = try #require(adapter.requests.first)
        #expect(request.hasPrefix("GET /adapter/action-data HTTP/1.1\r\n"))
        #expect(request.lowercased().contains("authorization: bearer ml-secret\r\n"))

        let stored = await engine.call("GET", "/api/v1/connections/\(connection)")
        #expect(stored.jsonBody?["action_data"] == response.jsonBody)
        #expect(stored.jsonBody?["updated_at"] == stored.jsonBody?["created_at"])
    }

    @Test(arguments: StoreKind.allCases) func adapterFailuresAreConflictsOrInvalidResponses(kind: StoreKind) async throws {
        var options = MeshesAPI.Options()
        options.allowHTTP = true
        let adapterHTTP = AdapterHTTP()
        options.adapterHTTP = adapterHTTP
        let engine = try await TestEngine(kind, options: options)
        let workspace = try await engine.workspace()

        let cases: [(status: Int, body: String, expected: Int, code: String)] = [
            (200, "[1,2]", 422, "invalid_request"),
            (200, "not json", 422, "invalid_request"),
            (500, #"{"error":"boom"}"#, 409, "unavailable"),
            (302, "", 409, "unavailable"),
        ]
        for (index, item) in cases.enumerated() {
            let adapter = try StubAdapter(status: item.status, body: item.body)
            defer { adapter.stop() }
            let connection = try await engine.connection(
                workspace, type: "mailerlite", name: "ml-\(index)",
                metadata: ["api_key": "ml", "base_url": .string("http://127.0.0.1:\(adapter.port)")])
            let response = await engine.call("GET", "/api/v1/connections/\(connection)/actions")
            #expect(response.status == item.expected, "\(item.status) \(item.body): \(response.text)")
            #expect(response.errorCode == item.code)
            if item.expected == 409 {
                // Redirects are answered as they are, never followed.
                #expect(response.jsonBody?["message"]?.stringValue == "The connection's adapter answered HTTP \(item.status)")
                #expect(adapter.requests.count == 1)
            }
            #expect(await engine.call("GET", "/api/v1/connections/\(connection)").jsonBody?["action_data"] == nil)
        }

        // A closed port: nothing listens any more.
        let gone = try StubAdapter(status: 200, body: "{}")
        gone.stop()
        let unreachable = try await engine.connection(
            workspace, type: "mailerlite", name: "ml-gone",
            metadata: ["api_key": "ml", "base_url": .string("http://127.0.0.1:\(gone.port)")])
        let refused = await engine.call("GET", "/api/v1/connections/\(unreachable)/actions")
        #expect(refused.status == 409)
        #expect(refused.errorCode == "unavailable")

        // A process without an outbound client says so instead of asking the adapter.
        var quiet = MeshesAPI.Options()
        quiet.allowHTTP = true
        let silent = await MeshesAPI(store: engine.store, options: quiet).handle(
            APIRequest(method: "GET", target: "/api/v1/connections/\(unreachable)/actions"), as: .embedded(orgID: engine.orgID))
        #expect(silent.status == 409)
        #expect(silent.jsonBody?["message"]?.stringValue == "This process makes no outbound calls; the connection's adapter was not asked")
        await adapterHTTP.shutdown()

        // The same stored http URL, served without --allow-http, is refused before any request.
        let strict = MeshesAPI(store: engine.store)
        let https = await strict.handle(
            APIRequest(method: "GET", target: "/api/v1/connections/\(unreachable)/actions"), as: .embedded(orgID: engine.orgID))
        #expect(https.status == 422)
        #expect(https.errorCode == "invalid_metadata")
    }

    @Test func actionDataURLJoinsThePathAndKeepsTheQuery() throws {
        func url(_ base: String, allowHTTP: Bool = false) -> String? {
            try? ActionDataClient.actionDataURL(baseURL: base, allowHTTP: allowHTTP).absoluteString
        }
        #expect(url("https://adapter.example") == "https://adapter.example/action-data")
        #expect(url("https://adapter.example/v1//") == "https://adapter.example/v1/action-data")
        #expect(url("https://adapter.example/v1?tenant=a%20b") == "https://adapter.example/v1/action-data?tenant=a%20b")
        #expect(url("HTTPS://adapter.example/v1") == "HTTPS://adapter.example/v1/action-data")
        #expect(url("http://127.0.0.1:9/x") == nil)
        #expect(url("http://127.0.0.1:9/x", allowHTTP: true) == "http://127.0.0.1:9/x/action-data")
        #expect(url("ftp://adapter.example", allowHTTP: true) == nil)
        #expect(url("/relative/only") == nil)
        #expect(url("https://") == nil)
    }

    // MARK: - Helpers

    /// A schema mapping each key from the same-named path.
    static func schema(_ keys: [String]) -> JSONValue {
        MappingSchema(fields: keys.map { MappingSchema.Field(dest: $0, source: .path($0)) }).json
    }
}

extension TestEngine {
    /// Creates a connection of any type and returns its id.
    func connection(_ workspace: String, type: String, name: String = "conn", metadata: JSONObject) async throws -> String {
        let response = await call(
            "POST", "/api/v1/connections",
            json: ["workspace": .string(workspace), "type": .string(type), "name": .string(name), "metadata": .object(metadata)])
        try #require(response.status == 201, "\(response.text)")
        return try #require(response.jsonBody?["connection"]?["id"]?.stringValue)
    }

    /// Calls a route as the embedded principal (the default org, `created_by: "system"`).
    func embedded(_ method: String, _ target: String, json body: JSONValue? = nil) async -> APIResponse {
        let bytes = body.map { Array(JSONEmitter.compact($0).utf8) } ?? []
        return await api.handle(APIRequest(method: method, target: target, body: bytes), as: .embedded(orgID: orgID))
    }
}

/// A loopback HTTP/1.1 server standing in for an integration adapter: it answers every request with one
/// fixed status and body, closes the connection, and records each request head.
final class StubAdapter: Sendable {
    private final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var heads: [String] = []

        func append(_ head: String) { lock.withLock { heads.append(head) } }
        var all: [String] { lock.withLock { heads } }
    }

    let port: Int
    private let listener: Int32
    private let log = Log()
    private let finished = DispatchSemaphore(value: 0)

    struct SocketError: Error {
        let call: String
        let code: Int32
    }

    init(status: Int, body: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(fd)
            throw SocketError(call: "bind", code: code)
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let response = Array(
            ("HTTP/1.1 \(status) Stub\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                + (status == 302 ? "Location: https://example.com/elsewhere\r\n" : "") + "Connection: close\r\n\r\n" + body).utf8)
        let log = self.log
        let finished = self.finished
        Thread.detachNewThread {
            StubAdapter.serve(fd, response: response, log: log)
            finished.signal()
        }
    }

    /// Request heads received so far, oldest first.
    var requests: [String] { log.all }

    /// Stops listening; later connections are refused.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        finished.wait()
        close(listener)
    }

    private static func serve(_ listener: Int32, response: [UInt8], log: Log) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            var head: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            let terminator: [UInt8] = Array("\r\n\r\n".utf8)
            while head.count < 65_536 {
                let count = read(client, &buffer, buffer.count)
                if count <= 0 { break }
                head += buffer[0..<count]
                // A GET carries no body, so its head ends the stream of bytes the client sends.
                if head.suffix(4).elementsEqual(terminator) { break }
            }
            log.append(String(decoding: head, as: UTF8.self))
            var sent = 0
            while sent < response.count {
                let written = response[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                sent += written
            }
            close(client)
        }
    }
}
