import Foundation
import GRDB
import MeshesTestSupport
import SharedCore
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// Hostile inputs get 4xx and leave the store unchanged.
@Suite struct HostileInputTests {
    @Test(arguments: StoreKind.allCases) func corpus(kind: StoreKind) async throws {
        let engine = try await TestEngine(kind)
        let workspace = try await engine.workspace()
        let tables = ["workspaces", "connections", "rules", "events", "rule_events", "catalog_items"]
        var before: [Int] = []
        for table in tables { before.append(try await engine.count(table)) }

        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let huge =
            "{\"workspace\":\"\(workspace)\",\"event\":\"e\",\"payload\":{\"blob\":\"" + String(repeating: "a", count: 300 * 1024) + "\"}}"
        let cases: [(String, String, [UInt8], Int)] = [
            ("POST", "/api/v1/events", Array(deep.utf8), 400),
            ("POST", "/api/v1/events", Array(huge.utf8), 400),
            ("POST", "/api/v1/events", Array("{\"workspace\":\"\(workspace)\",\"event\":\"e\",\"payload\":[1]}".utf8), 400),
            ("POST", "/api/v1/events", Array("{\"workspace\":\"\(workspace)\",\"event\":5,\"payload\":{\"a\":1}}".utf8), 400),
            ("POST", "/api/v1/events", Array("{\"workspace\":\"not-a-uuid\",\"event\":\"e\",\"payload\":{\"a\":1}}".utf8), 400),
            ("POST", "/api/v1/events", Array("{\"workspace\":\"\(workspace)\",\"event\":\"e\\u0000\",\"payload\":{\"a\":1}}".utf8), 400),
            (
                "POST", "/api/v1/events",
                Array("{\"workspace\":\"\(workspace)\",\"event\":\"e\",\"resource\":\"x' OR 1=1 --\",\"payload\":{\"a\":1}}".utf8), 400
            ),
            ("POST", "/api/v1/events", Array("{\"workspace\":\"\(Formats.uuid())\",\"event\":\"e\",\"payload\":{\"a\":1}}".utf8), 404),
            ("POST", "/api/v1/events", [0xFF, 0xFE, 0x00], 400),
            ("POST", "/api/v1/workspaces", Array("{\"name\":\"Robert'); DROP TABLE workspaces;--\"}".utf8), 400),
            ("POST", "/api/v1/workspaces", Array("{\"name\":123}".utf8), 400),
            (
                "POST", "/api/v1/connections",
                Array("{\"workspace\":\"\(workspace)\",\"type\":\"ftp\",\"name\":\"x\",\"metadata\":{}}".utf8), 400
            ),
            (
                "POST", "/api/v1/connections",
                Array("{\"workspace\":\"\(workspace)\",\"type\":\"webhook\",\"name\":\"x\",\"metadata\":\"url\"}".utf8), 400
            ),
            (
                "POST", "/api/v1/rules",
                Array(
                    "{\"workspace\":\"\(workspace)\",\"connection\":\"\(Formats.uuid())\",\"event\":\"e\",\"metadata\":{\"action\":\"send_webhook\"}}"
                        .utf8), 404
            ),
            ("GET", "/api/v1/events/../../etc/passwd", [], 404),
            ("GET", "/api/v1/events/' OR '1'='1", [], 404),
            ("GET", "/api/v1/rules?event=%27%20OR%201%3D1%20--", [], 200),
        ]
        for (method, target, body, status) in cases {
            let response = await engine.call(method, target, raw: body)
            #expect(response.status == status, "\(method) \(target.prefix(60)) -> \(response.status) \(response.text.prefix(120))")
            if status >= 400 { #expect(response.errorCode != nil) }
        }
        let oversize = MeshesAPI.Options().maximumBodyBytes + 1
        let tooBig = await engine.call("POST", "/api/v1/events/bulk", raw: [UInt8](repeating: 0x20, count: oversize))
        #expect(tooBig.status == 413)
        var after: [Int] = []
        for table in tables { after.append(try await engine.count(table)) }
        #expect(after == before)
        #expect(await engine.call("GET", "/api/v1/rules?event=%27%20OR%201%3D1%20--").jsonBody?["count"]?.intValue == 0)
    }

    @Test func storeRefusesANewerSchemaAndIsPrivate() async throws {
        let engine = try await TestEngine()
        let path = engine.folder + "/meshes.db"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: engine.folder)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        try await #require(engine.sqlite).pool.write { db in try db.execute(sql: "PRAGMA user_version = 99") }
        #expect(throws: StoreError.newerSchema(99)) {
            _ = try SQLiteStore(path: path, sealer: Sealer(masterKey: MasterKey.generate()))
        }
    }
}
