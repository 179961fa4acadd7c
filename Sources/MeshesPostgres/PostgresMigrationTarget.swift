internal import Foundation
internal import Logging
internal import MeshesCore
public import MeshesEngine
internal import PostgresNIO
internal import SharedCore

/// The PostgreSQL end of `meshes migrate`: one connection that holds the migration lock for its lifetime (two
/// copies into one database never interleave, and the lock goes with the connection when a process dies), writes
/// each batch of rows together with the copy's progress in one transaction, and counts what the database holds.
public final class PostgresMigrationTarget: Sendable {
    /// The `settings` key of the copy's progress: plain JSON (not sealed), written with every batch and kept
    /// afterwards as the record of where the data came from. It is the copy's own row: never copied, never counted.
    public static let progressKey = "migration_progress"

    /// The advisory lock of a copy ("meshes" in ASCII, then 2; schema migrations use 1).
    static let lockKey: Int64 = 0x6D65_7368_6573_0002

    /// Bind parameters per statement stay well below PostgreSQL's limit of 65,535.
    static let bindsPerStatement = 30_000

    let connection: PostgresConnection
    let logger: Logger
    /// Where the database is (without its password in `redacted`).
    public let location: PostgresLocation

    private init(connection: PostgresConnection, logger: Logger, location: PostgresLocation) {
        self.connection = connection
        self.logger = logger
        self.location = location
    }

    /// Connects and applies the schema's missing migrations (a new database gets the tables and, as every open
    /// does, a default org; `start` removes that org again). Errors carry the codes of `PostgresErrorCode` and
    /// never the password.
    public static func open(location: PostgresLocation) async throws -> PostgresMigrationTarget {
        let logger = Logger(label: "meshes.migrate", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try await PostgresStore.connect(location, logger: logger)
        do {
            _ = try await PostgresSchema.prepare(connection, logger: logger, now: Formats.nowMilliseconds())
        } catch {
            try? await connection.close()
            throw PostgresStore.describe(error, location: location)
        }
        return PostgresMigrationTarget(connection: connection, logger: logger, location: location)
    }

    /// Takes the migration lock for this connection's lifetime; false when another copy holds it.
    public func lock() async throws -> Bool {
        try await described {
            try await connection.one("SELECT pg_try_advisory_lock(\(PostgresMigrationTarget.lockKey)) AS locked", logger)?["locked"]
                ?? false
        }
    }

    /// Closes the connection (and with it the lock).
    public func close() async {
        try? await connection.close()
    }

    /// Rows per table, by table name (the progress row left out of `settings`).
    public func counts() async throws -> [String: Int] {
        try await described {
            var counts: [String: Int] = [:]
            for table in StoreTable.all {
                var sql = "SELECT COUNT(*) AS rows FROM \(table.name)"
                var binds = PostgresBindings()
                if table.name == "settings" {
                    sql += " WHERE key <> $1"
                    binds.append(PostgresMigrationTarget.progressKey)
                }
                let rows: Int64 = try await connection.one(PostgresQuery(unsafeSQL: sql, binds: binds), logger)?["rows"] ?? 0
                counts[table.name] = Int(rows)
            }
            return counts
        }
    }

    /// The stored progress of a copy, nil when none was started here.
    public func progress() async throws -> String? {
        try await described {
            guard
                let row = try await connection.one("SELECT value FROM settings WHERE key = \(PostgresMigrationTarget.progressKey)", logger)
            else { return nil }
            let value: Data = try row["value"]
            return String(decoding: value, as: UTF8.self)
        }
    }

    /// Begins a copy in one transaction: with `emptying`, every meshes table is emptied first (the schema stays);
    /// without, the default org an open creates in a new database is removed (its foreign keys refuse this when
    /// anything refers to it). Then `progress` is stored.
    public func start(emptying: Bool, progress: String) async throws {
        try await transaction {
            if emptying {
                let tables = StoreTable.all.map(\.name).joined(separator: ", ")
                try await connection.run(PostgresQuery(unsafeSQL: "TRUNCATE \(tables) RESTART IDENTITY"), logger)
            } else {
                try await connection.run("DELETE FROM orgs", logger)
            }
            try await saveProgress(progress)
        }
    }

    /// Stores `rows` of `table` (values in the order of `table.columns`) and `progress` in one transaction. A row
    /// whose key is already stored is left as it is. Generated keys move the table's generator past the copied ones.
    public func insert(_ table: StoreTable, rows: [[StoreValue]], progress: String) async throws {
        try await transaction {
            let perStatement = max(1, PostgresMigrationTarget.bindsPerStatement / max(1, table.columns.count))
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(rows.count, start + perStatement)]
                try await connection.run(try PostgresMigrationTarget.insertQuery(table, chunk), logger)
                start += chunk.count
            }
            if table.generatedKey { try await advanceGenerator(table) }
            try await saveProgress(progress)
        }
    }

    /// Moves the generator of every generated key past the stored keys and stores `progress`, in one transaction.
    public func finish(progress: String) async throws {
        try await transaction {
            for table in StoreTable.all where table.generatedKey { try await advanceGenerator(table) }
            try await saveProgress(progress)
        }
    }

    // MARK: - Statements

    /// `INSERT INTO table (columns) VALUES (…), (…) ON CONFLICT (key) DO NOTHING` with one bind per value.
    static func insertQuery(_ table: StoreTable, _ rows: ArraySlice<[StoreValue]>) throws -> PostgresQuery {
        let columns = table.columnNames.map { "\"\($0)\"" }.joined(separator: ", ")
        let key = table.key.map { "\"\($0)\"" }.joined(separator: ", ")
        var binds = PostgresBindings(capacity: rows.count * table.columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            var marks: [String] = []
            for value in row {
                switch value {
                case .null: binds.appendNull()
                case .integer(let number): binds.append(number)
                case .real(let number): binds.append(number)
                case .text(let text): binds.append(text)
                case .flag(let flag): binds.append(flag)
                case .bytes(let bytes): try binds.append(Data(bytes))
                }
                marks.append("$\(binds.count)")
            }
            tuples.append("(" + marks.joined(separator: ", ") + ")")
        }
        // The generated keys are copied as they are, not drawn from the generator.
        let overriding = table.generatedKey ? " OVERRIDING SYSTEM VALUE" : ""
        let sql =
            "INSERT INTO \(table.name) (\(columns))\(overriding) VALUES \(tuples.joined(separator: ", ")) ON CONFLICT (\(key)) DO NOTHING"
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The next generated key of `table` follows its largest stored key (nothing changes while it has no rows).
    private func advanceGenerator(_ table: StoreTable) async throws {
        guard let column = table.key.first else { return }
        try await connection.run(
            PostgresQuery(
                unsafeSQL:
                    "SELECT setval(pg_get_serial_sequence('\(table.name)', '\(column)'), MAX(\(column))) FROM \(table.name) HAVING MAX(\(column)) IS NOT NULL"
            ), logger)
    }

    private func saveProgress(_ progress: String) async throws {
        let value = Data(progress.utf8)
        try await connection.run(
            """
            INSERT INTO settings (key, value) VALUES (\(PostgresMigrationTarget.progressKey), \(value))
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
            """, logger)
    }

    /// Runs `work` in one transaction on the connection; failures roll back and are described without the password.
    private func transaction(_ work: () async throws -> Void) async throws {
        try await described {
            try await connection.run("BEGIN", logger)
            do {
                try await work()
                try await connection.run("COMMIT", logger)
            } catch {
                _ = try? await connection.run("ROLLBACK", logger)
                throw error
            }
        }
    }

    private func described<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch {
            throw PostgresStore.describe(error, location: location)
        }
    }
}
