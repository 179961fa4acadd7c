import Foundation
import MeshesCore
import MeshesEngine
import MeshesPostgres
import MeshesStores
import SharedCore
import TestSupport
import Testing

/// `--db` / `MESHES_DB` choose the store: a postgres:// URL opens PostgreSQL (with the shared master key), anything
/// else SQLite; the `meshes` binary works against both and never prints the password.
@Suite struct StoreOpenerTests {
    /// Base64url of the bytes 0…31.
    static let masterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

    static var binary: String {
        let exe = FileSystem.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if folder.pathExtension == "xctest" { folder.deleteLastPathComponent() }
        return folder.appendingPathComponent("meshes").path
    }

    @Test func aURLOpensPostgresAndAPathOpensSQLite() async throws {
        let url = try PostgresCluster.shared().createDatabase()
        let postgres = try await StoreOpener.open(flag: url, environment: ["MESHES_MASTER_KEY": StoreOpenerTests.masterKey])
        let opened = try #require(postgres as? PostgresStore)
        #expect(opened.location == (try PostgresLocation(url: url)))
        await opened.close()
        let fromEnvironment = try await StoreOpener.open(
            flag: nil, environment: ["MESHES_DB": url, "MESHES_MASTER_KEY": StoreOpenerTests.masterKey])
        #expect(fromEnvironment.defaultOrg == opened.defaultOrg)
        await (fromEnvironment as? PostgresStore)?.close()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-opener-\(UUID().uuidString)").path
        let sqlite = try await StoreOpener.open(flag: folder + "/meshes.db", environment: [:])
        #expect(sqlite is SQLiteStore)
    }

    @Test func thePoolSizeComesFromTheFlagOrTheEnvironment() async throws {
        #expect(try StoreOpener.poolSize(flag: nil, environment: [:]) == 16)
        #expect(try StoreOpener.poolSize(flag: nil, environment: ["MESHES_DB_POOL": "4"]) == 4)
        #expect(try StoreOpener.poolSize(flag: 32, environment: ["MESHES_DB_POOL": "4"]) == 32)
        #expect(
            throws: ToolError(ErrorCode.validationFailed, "MESHES_DB_POOL must be a whole number of connections from 1 to 200 (got 'many')")
        ) {
            try StoreOpener.poolSize(flag: nil, environment: ["MESHES_DB_POOL": "many"])
        }
        #expect(throws: ToolError(ErrorCode.validationFailed, "--db-pool must be a whole number of connections from 1 to 200 (got '0')")) {
            try StoreOpener.poolSize(flag: 0, environment: [:])
        }
        // Refused before anything connects.
        let url = try await offPool { try PostgresCluster.shared().createDatabase() }
        await #expect(
            throws: ToolError(ErrorCode.validationFailed, "--db-pool must be a whole number of connections from 1 to 200 (got '201')")
        ) {
            try await StoreOpener.open(flag: url, environment: ["MESHES_MASTER_KEY": StoreOpenerTests.masterKey], poolFlag: 201)
        }
    }

    @Test func postgresNeedsTheSharedMasterKey() async throws {
        let url = try PostgresCluster.shared().createDatabase()
        await #expect(
            throws: ToolError(
                ErrorCode.validationFailed, "a PostgreSQL store needs MESHES_MASTER_KEY (the same 32-byte base64url key on every node)")
        ) {
            try await StoreOpener.open(flag: url, environment: [:])
        }
    }

    @Test func theBinaryCreatesAndListsKeysInPostgres() throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.createDatabase()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let environment = "MESHES_MASTER_KEY=\(StoreOpenerTests.masterKey)"
        let created = try shell("\(environment) '\(StoreOpenerTests.binary)' keys create --json --db '\(url)' 2>/dev/null", in: folder)
        #expect(created.status == 0, "\(created.output)")
        let accessKey = try #require(try JSONParser.parse(bytes: Array(created.output.utf8))["access_key"]?.stringValue)
        let listed = try shell("\(environment) MESHES_DB='\(url)' '\(StoreOpenerTests.binary)' keys list", in: folder)
        #expect(listed.status == 0, "\(listed.output)")
        #expect(listed.output.contains(accessKey))
        #expect(try cluster.psql("SELECT access_key FROM machine_keys", database: PostgresLocation(url: url).database) == accessKey)
        // Nothing was written next to the process: the store is the database.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func theBinaryRefusesAWrongPasswordWithExitTwoAndNoPassword() throws {
        let cluster = try PostgresCluster.shared()
        let url = cluster.url(database: "postgres", password: "NotTheHunter2")
        let folder = FileManager.default.temporaryDirectory.path
        let result = try shell(
            "MESHES_MASTER_KEY=\(StoreOpenerTests.masterKey) '\(StoreOpenerTests.binary)' keys list --db '\(url)'", in: folder)
        #expect(result.status == 2)
        #expect(
            result.output
                == "error: DATABASE_AUTH_FAILED: PostgreSQL at 127.0.0.1:\(cluster.port)/postgres refused user 'meshes': "
                + "check the user name and password\n")
        #expect(!result.output.contains("NotTheHunter2"))
    }
}
