import Foundation
import GRDB
import MeshesCore
import MeshesPostgres
import MeshesStores
import SharedCore
import Synchronization
import TestSupport
import Testing

@testable import MeshesEngine

/// `StoreMigration` against the private cluster: every row and column arrives, secrets open with the target's key,
/// new keys follow the copied ones; a non-empty target is refused (and emptied with `force`), an interrupted copy
/// resumes, a changed source and a wrong key are refused before anything is written, and counts are verified.
@Suite struct StoreMigrationTests {
    /// The target's key (bytes 0…31); the sources seal with a `master.key` of their own.
    static let targetKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
    static var targetSealer: Sealer {
        get throws { Sealer(masterKey: try #require(try MasterKey.load(variable: "K", environment: ["K": targetKey]))) }
    }
    /// The sealed columns with the column of their record id.
    static let sealed = ["settings": ("value", "key"), "machine_keys": ("secret", "access_key"), "connections": ("secrets", "id")]

    /// Runs a copy of `source` into `url`.
    func migrate(
        _ source: MigrationSource, to url: String, force: Bool = false, batchSize: Int = 64, fault: MigrationFault? = nil,
        environment: [String: String] = [:], notices: Notices? = nil
    ) async throws -> MigrationSummary {
        var options = MigrationOptions(
            from: source.path, to: url, environment: ["MESHES_MASTER_KEY": Self.targetKey].merging(environment) { $1 })
        options.force = force
        options.batchSize = batchSize
        options.fault = fault
        return try await StoreMigration(options: options).run(notice: { text in notices?.append(text) })
    }

    /// Expects `work` to throw exactly `expected`.
    func expectError(_ expected: ToolError, _ work: () async throws -> MigrationSummary) async {
        do {
            let summary = try await work()
            Issue.record("expected \(expected.code), got a summary of \(summary.rows) rows")
        } catch let error as ToolError {
            #expect(error.code == expected.code)
            #expect(error.message == expected.message)
        } catch {
            Issue.record("expected \(expected.code), got \(error)")
        }
    }

    // MARK: - A full copy

    @Test func everyRowAndColumnArrivesAndSecretsOpenWithTheTargetKey() async throws {
        let source = try await MigrationSource.make(events: 300)
        let url = try await offPool { try PostgresCluster.shared().createDatabase() }
        let database = try PostgresLocation(url: url).database
        let summary = try await migrate(source, to: url)

        // Counts: exactly what the source holds, table by table.
        let counts = try await source.counts()
        #expect(summary.tables == counts)
        #expect(counts["events"] == 300)
        #expect(counts["rule_events"] == 200)
        #expect(counts["attempts"] == 40)
        #expect(counts["machine_keys"] == 2)
        #expect(counts["workspaces"] == 2)
        #expect(counts["connections"] == 3)
        #expect(counts["rules"] == 2)
        #expect(counts["sessions"] == 2)
        #expect(counts["launch_tokens"] == 1)
        #expect(counts["idempotency"] == 1)
        #expect(counts["field_catalogs"] == 1)
        #expect(counts["default_mappings"] == 1)
        #expect(counts["orgs"] == 1)
        #expect(counts["settings"] == 1)
        #expect(summary.rows == counts.values.reduce(0, +))
        #expect(summary.copiedThisRun == summary.rows)
        #expect(summary.resumed == false)
        #expect(summary.emptiedTarget == false)
        #expect(summary.target == "postgres://meshes@127.0.0.1:\(try PostgresCluster.shared().port)/\(database)?sslmode=disable")

        // Every row, column by column (sealed values compared opened).
        try await expectSameRows(source, database: database)
        let progress = try #require(
            try await scalar("SELECT convert_from(value, 'UTF8') FROM settings WHERE key = 'migration_progress'", database))
        #expect(try JSONParser.parse(progress)["completed"] == true)
        #expect(try JSONParser.parse(progress)["source"]?.stringValue == source.orgID)

        // The PostgreSQL store behaves as the SQLite one: the same org, pages, secrets, keys and sessions.
        let target = try await PostgresStore.open(location: PostgresLocation(url: url), sealer: Self.targetSealer)
        #expect(target.defaultOrg == source.store.defaultOrg)
        let page = PageRequest(limit: 50)
        #expect(
            try await target.listEvents(orgID: source.orgID, workspaceID: nil, filter: EventFilter(), page: page).records
                == (try await source.store.listEvents(orgID: source.orgID, workspaceID: nil, filter: EventFilter(), page: page).records))
        #expect(try await target.machineKeys() == (try await source.store.machineKeys()))
        let webhook = try #require(try await target.connection(orgID: source.orgID, id: source.webhook))
        #expect(try await target.connectionSecrets(webhook) == ["signing_secret": source.webhookSecret])
        let slack = try #require(try await target.connection(orgID: source.orgID, id: source.slack))
        #expect(try await target.connectionSecrets(slack) == ["webhook_url": source.slackURL])
        let api = MeshesAPI(store: target)
        let caller = Caller(api: api, accessKey: source.accessKey, secret: source.secret, orgID: source.orgID)
        let listed = await caller.call("GET", "/api/v1/workspaces")
        #expect(listed.status == 200)
        #expect(listed.jsonBody?["count"]?.intValue == 2)
        let revoked = Caller(api: api, accessKey: source.revokedKey, secret: source.secret, orgID: source.orgID)
        #expect(await revoked.call("GET", "/api/v1/workspaces").status == 401)
        let asSession = await caller.call("GET", "/api/v1/workspaces/\(source.workspaces[0])", bearer: source.sessionToken)
        #expect(asSession.status == 200, "\(String(decoding: asSession.body, as: UTF8.self))")

        // New events get keys after the copied ones.
        let maxEvent = try #require(Int(try await scalar("SELECT MAX(seq) FROM events", database) ?? ""))
        let maxRuleEvent = try #require(Int(try await scalar("SELECT MAX(seq) FROM rule_events", database) ?? ""))
        let created = await caller.call(
            "POST", "/api/v1/events",
            ["workspace": .string(source.workspaces[0]), "event": "user.signup", "payload": ["email": "new@example.com"]])
        #expect(created.status == 201)
        let id = try #require(created.jsonBody?["event"]?["id"]?.stringValue)
        #expect(Int(try await scalar("SELECT seq FROM events WHERE id = '\(id)'", database) ?? "") == maxEvent + 1)
        #expect(Int(try await scalar("SELECT seq FROM rule_events WHERE event_id = '\(id)'", database) ?? "") == maxRuleEvent + 1)
        await target.close()
    }

    // MARK: - Non-empty targets

    @Test func aTargetWithMeshesDataIsRefusedUntouchedAndEmptiedWithForce() async throws {
        let source = try await MigrationSource.make(events: 30)
        let cluster = try PostgresCluster.shared()
        let url = try await offPool { try cluster.createDatabase() }
        let database = try PostgresLocation(url: url).database
        let other = try await PostgresStore.open(location: PostgresLocation(url: url), sealer: Self.targetSealer)
        let workspace = try await other.createWorkspace(orgID: other.defaultOrg.id, name: "Theirs", description: nil)
        _ = try await MeshesEngine.createMachineKey(store: other)
        await other.close()
        let before = try await scalar("SELECT string_agg(id || ':' || name, ',') FROM workspaces", database)

        let notices = Notices()
        await expectError(
            ToolError(
                MigrationErrorCode.targetNotEmpty,
                "PostgreSQL at 127.0.0.1:\(cluster.port)/\(database) already holds meshes data (orgs 1, machine_keys 1, workspaces 1); "
                    + "nothing was written. Pass --force to empty its meshes tables and copy again")
        ) { try await migrate(source, to: url, notices: notices) }
        #expect(notices.lines.isEmpty)
        #expect(try await scalar("SELECT string_agg(id || ':' || name, ',') FROM workspaces", database) == before)
        #expect(before == "\(workspace.id):Theirs")
        #expect(try await scalar("SELECT COUNT(*) FROM settings", database) == "0")
        #expect(try await scalar("SELECT COUNT(*) FROM machine_keys", database) == "1")

        let summary = try await migrate(source, to: url, force: true, notices: notices)
        #expect(
            notices.lines == [
                "--force: emptying the meshes tables of PostgreSQL at 127.0.0.1:\(cluster.port)/\(database) "
                    + "(orgs 1, machine_keys 1, workspaces 1) before copying"
            ])
        #expect(summary.emptiedTarget)
        #expect(summary.tables == (try await source.counts()))
        #expect(try await scalar("SELECT COUNT(*) FROM workspaces WHERE id = '\(workspace.id)'", database) == "0")
        try await expectSameRows(source, database: database)
    }

    @Test func aTargetStartedForAnotherStoreIsRefused() async throws {
        let first = try await MigrationSource.make(events: 10)
        let second = try await MigrationSource.make(events: 10)
        let cluster = try PostgresCluster.shared()
        let url = try await offPool { try cluster.createDatabase() }
        let database = try PostgresLocation(url: url).database
        _ = try await migrate(first, to: url)
        let rows = try await first.counts()
        await expectError(
            ToolError(
                MigrationErrorCode.targetNotEmpty,
                "PostgreSQL at 127.0.0.1:\(cluster.port)/\(database) already holds meshes data from a copy of another store "
                    + "(\(StoreMigrationTests.describe(rows))); nothing was written. Pass --force to empty its meshes tables and copy again"
            )
        ) { try await migrate(second, to: url) }
        // Copying the same store again finds nothing new and verifies.
        let again = try await migrate(first, to: url)
        #expect(again.resumed)
        #expect(again.copiedThisRun == 0)
        #expect(again.batches == 0)
        #expect(again.tables == rows)
    }

    // MARK: - Resuming

    @Test func anInterruptedCopyResumesWithoutDuplicates() async throws {
        let source = try await MigrationSource.make(events: 300)
        let url = try await offPool { try PostgresCluster.shared().createDatabase() }
        let database = try PostgresLocation(url: url).database
        let halts = Notices()
        // Batches of 50: settings, orgs, machine_keys, workspaces, connections, rules, then three of events.
        let fault = MigrationFault(afterBatches: 9) { halts.append("halt") }
        await expectError(ToolError(MigrationErrorCode.halted, "halted by fault injection after 9 batches")) {
            try await migrate(source, to: url, batchSize: 50, fault: fault)
        }
        #expect(halts.lines == ["halt"])
        #expect(try await scalar("SELECT COUNT(*) FROM events", database) == "150")
        #expect(try await scalar("SELECT COUNT(*) FROM rule_events", database) == "0")
        let sourceSeqs = try await source.store.pool.read { db in try Int64.fetchAll(db, sql: "SELECT seq FROM events ORDER BY seq") }
        #expect(try await scalar("SELECT MAX(seq) FROM events", database) == String(sourceSeqs[149]))
        let progress = try JSONParser.parse(
            try #require(try await scalar("SELECT convert_from(value, 'UTF8') FROM settings WHERE key = 'migration_progress'", database)))
        #expect(progress["completed"] == false)
        #expect(progress["tables"]?["events"]?["copied"]?.intValue == 150)
        #expect(progress["tables"]?["events"]?["after"] == [.int(Int(sourceSeqs[149]))])

        let summary = try await migrate(source, to: url, batchSize: 50)
        let counts = try await source.counts()
        #expect(summary.resumed)
        #expect(summary.tables == counts)
        let before = 1 + 1 + 2 + 2 + 3 + 2 + 150
        #expect(summary.copiedThisRun == counts.values.reduce(0, +) - before)
        #expect(try await scalar("SELECT COUNT(*) - COUNT(DISTINCT id) FROM events", database) == "0")
        #expect(try await scalar("SELECT COUNT(*) - COUNT(DISTINCT id) FROM rule_events", database) == "0")
        try await expectSameRows(source, database: database)
    }

    @Test func aSourceChangedSinceTheInterruptionIsRefused() async throws {
        let source = try await MigrationSource.make(events: 20)
        let cluster = try PostgresCluster.shared()
        let url = try await offPool { try cluster.createDatabase() }
        let database = try PostgresLocation(url: url).database
        await expectError(ToolError(MigrationErrorCode.halted, "halted by fault injection after 2 batches")) {
            try await migrate(source, to: url, fault: MigrationFault(afterBatches: 2) {})
        }
        let before = try await source.counts()
        let caller = Caller(api: source.api, accessKey: source.accessKey, secret: source.secret, orgID: source.orgID)
        _ = try await caller.expect(
            201, "POST", "/api/v1/events", ["workspace": .string(source.workspaces[1]), "event": "order.paid", "payload": ["n": 1]])
        let after = try await source.counts()
        #expect(after["events"] == (before["events"] ?? 0) + 1)
        await expectError(
            ToolError(
                MigrationErrorCode.sourceChanged,
                "\(source.path) changed since the interrupted copy into 127.0.0.1:\(cluster.port)/\(database) began "
                    + "(\(Self.describe(before)) then, \(Self.describe(after)) now); pass --force to empty the target and copy again")
        ) { try await migrate(source, to: url) }
        let summary = try await migrate(source, to: url, force: true)
        #expect(summary.tables == after)
        #expect(summary.emptiedTarget)
    }

    // MARK: - Verification and refusals

    @Test func aTargetThatNoLongerMatchesFailsVerification() async throws {
        let source = try await MigrationSource.make(events: 10)
        let cluster = try PostgresCluster.shared()
        let url = try await offPool { try cluster.createDatabase() }
        let database = try PostgresLocation(url: url).database
        _ = try await migrate(source, to: url)
        _ = try await offPool {
            try cluster.psql("INSERT INTO orgs (id, name, created_at) VALUES ('extra', 'Extra', 1)", database: database)
        }
        do {
            _ = try await migrate(source, to: url)
            Issue.record("a target with an extra org verified")
        } catch let error as ToolError {
            #expect(error.code == MigrationErrorCode.verificationFailed)
            #expect(
                error.message
                    == "the copy in PostgreSQL at 127.0.0.1:\(cluster.port)/\(database) does not match the source: orgs 1 in the source, 2 in PostgreSQL"
            )
            #expect(error.details == ["tables": ["orgs": ["source": 1, "target": 2]]])
        }
    }

    @Test func aWrongSourceKeyIsRefusedBeforeAnythingIsWritten() async throws {
        let source = try await MigrationSource.make(events: 5)
        let url = try await offPool { try PostgresCluster.shared().createDatabase() }
        let database = try PostgresLocation(url: url).database
        let wrong = Base64URL.encode([UInt8](repeating: 7, count: 32))
        await expectError(
            ToolError(
                MigrationErrorCode.sourceKeyWrong,
                "the sealed secrets of \(source.path) do not open with MESHES_SOURCE_MASTER_KEY; set MESHES_SOURCE_MASTER_KEY to the "
                    + "master key that store was written with (nothing was copied)")
        ) { try await migrate(source, to: url, environment: ["MESHES_SOURCE_MASTER_KEY": wrong]) }
        // The database was never touched (not even given the schema).
        #expect(try await scalar("SELECT to_regclass('meshes_schema') IS NULL", database) == "t")
        // Without a key file the source key is MESHES_MASTER_KEY, which is not this store's either.
        try FileManager.default.moveItem(atPath: source.folder + "/master.key", toPath: source.folder + "/master.key.moved")
        await expectError(
            ToolError(
                MigrationErrorCode.sourceKeyWrong,
                "the sealed secrets of \(source.path) do not open with MESHES_MASTER_KEY; set MESHES_SOURCE_MASTER_KEY to the "
                    + "master key that store was written with (nothing was copied)")
        ) { try await migrate(source, to: url) }
        #expect(!FileSystem.exists(source.folder + "/master.key"))
        // The right key named explicitly works.
        let summary = try await migrate(source, to: url, environment: ["MESHES_SOURCE_MASTER_KEY": source.keyText])
        #expect(summary.tables == (try await source.counts()))
        try await expectSameRows(source, database: database)
    }

    @Test func badOptionsAreRefusedWithStableCodesAndNoPassword() async throws {
        let source = try await MigrationSource.make(events: 1)
        let cluster = try PostgresCluster.shared()
        await expectError(
            ToolError(PostgresErrorCode.invalidURL, "--to must be a PostgreSQL URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        ) { try await migrate(source, to: "mysql://root:Hunter2@db/meshes") }
        await expectError(ToolError(PostgresErrorCode.invalidURL, "invalid PostgreSQL URL: the database name is missing (…/DATABASE)")) {
            try await migrate(source, to: "postgres://meshes:Hunter2@127.0.0.1:\(cluster.port)")
        }
        await expectError(ToolError(ErrorCode.validationFailed, "--batch-size must be from 1 to 10000")) {
            try await migrate(source, to: cluster.url(database: "postgres"), batchSize: 0)
        }
        await expectError(
            ToolError(
                PostgresErrorCode.authenticationFailed,
                "PostgreSQL at 127.0.0.1:\(cluster.port)/postgres refused user 'meshes': check the user name and password")
        ) { try await migrate(source, to: cluster.url(database: "postgres", password: "WrongHunter2")) }
        var options = MigrationOptions(from: source.path, to: cluster.url(database: "postgres"), environment: [:])
        await expectError(
            ToolError(
                ErrorCode.validationFailed, "a PostgreSQL store needs MESHES_MASTER_KEY (the same 32-byte base64url key on every node)")
        ) { try await StoreMigration(options: options).run() }
        options = MigrationOptions(
            from: source.folder + "/nope.db", to: cluster.url(database: "postgres"), environment: ["MESHES_MASTER_KEY": Self.targetKey])
        await expectError(
            ToolError(MigrationErrorCode.sourceMissing, "no SQLite store at \(source.folder)/nope.db (--from names the store to copy)")
        ) { try await StoreMigration(options: options).run() }
        #expect(!FileSystem.exists(source.folder + "/nope.db"))
    }

    @Test func aSecondCopyIntoTheSameTargetIsRefusedWhileOneRuns() async throws {
        let source = try await MigrationSource.make(events: 1)
        let cluster = try PostgresCluster.shared()
        let url = try await offPool { try cluster.createDatabase() }
        let location = try PostgresLocation(url: url)
        let running = try await PostgresMigrationTarget.open(location: location)
        #expect(try await running.lock())
        await expectError(
            ToolError(
                MigrationErrorCode.inProgress,
                "another meshes migrate is copying into PostgreSQL at 127.0.0.1:\(cluster.port)/\(location.database); wait for it to end")
        ) { try await migrate(source, to: url) }
        #expect(try await scalar("SELECT COUNT(*) FROM settings", location.database) == "0")
        await running.close()
        #expect(try await migrate(source, to: url).tables == (try await source.counts()))
    }

    @Test func theProgressBarReadsLikeTheBackfills() {
        let reading = MigrationProgress(table: "events", copied: 48_200, total: 117_000, copiedThisRun: 48_200, elapsed: 15.3)
        #expect(reading.bar == "[#####-------] 41% 48,200 of 117,000 rows  events  3,150 rows/s  ETA 00:00:22")
        let starting = MigrationProgress(table: "settings", copied: 0, total: 10, copiedThisRun: 0, elapsed: 0)
        #expect(starting.bar == "[------------] 0% 0 of 10 rows  settings  0 rows/s  ETA --:--:--")
    }

    // MARK: - The table list

    @Test func theTableListNamesEveryColumnOfBothSchemas() async throws {
        let source = try await MigrationSource.make(events: 1)
        let url = try await offPool { try PostgresCluster.shared().createDatabase() }
        try await PostgresStore.open(location: PostgresLocation(url: url), sealer: Self.targetSealer).close()
        let database = try PostgresLocation(url: url).database
        func sqliteKind(_ declared: String) -> [StoreTable.Kind] {
            switch declared {
            case "TEXT": return [.text]
            case "BLOB": return [.bytes]
            case "INTEGER": return [.integer, .flag]
            case "REAL": return [.real]
            default: return []
            }
        }
        let sqlite = try await source.store.pool.read { db in
            var tables: [String: [String: String]] = [:]
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            for table in names where !StoreTable.sqliteOnly.contains(table) {
                for row in try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info('\(table)')") {
                    tables[table, default: [:]][row["name"]] = row["type"]
                }
            }
            return tables
        }
        let postgresText = try await offPool {
            try PostgresCluster.shared().psql(
                "SELECT table_name || ' ' || column_name || ' ' || data_type FROM information_schema.columns "
                    + "WHERE table_schema = 'public' AND table_name <> 'meshes_schema'", database: database)
        }
        var postgres: [String: [String: String]] = [:]
        for line in postgresText.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            postgres[parts[0], default: [:]][parts[1]] = parts[2]
        }
        let postgresKinds: [String: StoreTable.Kind] = [
            "text": .text, "bigint": .integer, "boolean": .flag, "bytea": .bytes, "double precision": .real,
        ]
        #expect(Set(sqlite.keys) == Set(StoreTable.all.map(\.name)))
        #expect(Set(postgres.keys) == Set(StoreTable.all.map(\.name)))
        for table in StoreTable.all {
            #expect(Set(sqlite[table.name]?.keys.map { $0 } ?? []) == Set(table.columnNames), "\(table.name)")
            #expect(Set(postgres[table.name]?.keys.map { $0 } ?? []) == Set(table.columnNames), "\(table.name)")
            for column in table.columns {
                let inSQLite = sqliteKind(sqlite[table.name]?[column.name] ?? "")
                let inPostgres = postgresKinds[postgres[table.name]?[column.name] ?? ""]
                #expect(inSQLite.contains(column.kind), "\(table.name).\(column.name)")
                #expect(inPostgres == column.kind, "\(table.name).\(column.name)")
            }
        }
    }

    // MARK: - Helpers

    /// `orgs 1, machine_keys 2, …`: the tables with rows, in copy order (as the messages list them).
    static func describe(_ counts: [String: Int]) -> String {
        StoreTable.all.compactMap { table in (counts[table.name] ?? 0) > 0 ? "\(table.name) \(counts[table.name] ?? 0)" : nil }
            .joined(separator: ", ")
    }

    /// The first column of the first row of `query` in `database`, as text.
    func scalar(_ query: String, _ database: String) async throws -> String? {
        let text = try await offPool { try PostgresCluster.shared().psql(query, database: database) }
        return text.isEmpty ? nil : text
    }

    /// Every table of the source equals its copy, row by row and column by column: read with GRDB on one side and
    /// `row_to_json` through psql on the other, flags compared as 0/1 and sealed values compared opened.
    func expectSameRows(_ source: MigrationSource, database: String) async throws {
        let sourceSealer = Sealer(masterKey: source.key)
        let targetSealer = try Self.targetSealer
        let tables = try await source.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").filter {
                !StoreTable.sqliteOnly.contains($0)
            }.map { table in
                (table, try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('\(table)') WHERE pk > 0 ORDER BY pk"))
            }
        }
        #expect(tables.count == 16)
        for (table, key) in tables {
            var expected = try await source.rows(table, key: key)
            let text = try await offPool {
                try PostgresCluster.shared().psql("SELECT row_to_json(t)::text FROM \(table) t", database: database)
            }
            var actual: [String: JSONObject] = [:]
            for line in text.split(separator: "\n") {
                guard var object = try JSONParser.parse(String(line)).objectValue else { continue }
                for (column, value) in object {
                    if let flag = value.boolValue { object[column] = .int(flag ? 1 : 0) }
                }
                if table == "settings", object["key"]?.stringValue == PostgresMigrationTarget.progressKey { continue }
                actual[JSONEmitter.compact(.array(key.map { object[$0] ?? .null }))] = object
            }
            if let (column, record) = Self.sealed[table] {
                for (id, row) in expected {
                    let bytes = row[column]?.arrayValue?.compactMap { $0.intValue.map(UInt8.init) }
                    expected[id]?[column] =
                        try bytes.map { .string(Hex.encode(try sourceSealer.open($0, recordID: row[record]?.stringValue ?? ""))) } ?? .null
                }
                for (id, row) in actual {
                    let hex = row[column]?.stringValue.map { Array($0.utf8.dropFirst(2)) }
                    let bytes = hex.map { digits in
                        stride(from: 0, to: digits.count, by: 2).map {
                            (Hex.value(digits[$0]) ?? 0) << 4 | (Hex.value(digits[$0 + 1]) ?? 0)
                        }
                    }
                    actual[id]?[column] =
                        try bytes.map { .string(Hex.encode(try targetSealer.open($0, recordID: row[record]?.stringValue ?? ""))) } ?? .null
                }
            }
            #expect(actual.count == expected.count, "\(table)")
            for (id, row) in expected {
                #expect(actual[id]?.sortedDeep() == row.sortedDeep(), "\(table) \(id)")
            }
        }
    }
}

/// Lines collected from callbacks (notices, halts).
final class Notices: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ line: String) { storage.withLock { $0.append(line) } }

    var lines: [String] { storage.withLock { $0 } }
}
