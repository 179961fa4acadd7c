internal import Foundation
internal import GRDB
public import MeshesCore
internal import SharedCore

/// Seals and opens secret values at rest (§4.4). The associated data is the owning record's id.
public protocol SecretSealer: Sendable {
    func seal(_ plaintext: [UInt8], recordID: String) throws -> [UInt8]
    func open(_ sealed: [UInt8], recordID: String) throws -> [UInt8]
}

/// The embedded store: one SQLite file in WAL mode; reads run concurrently, writes go through one
/// group-committing writer. Implements `MeshesStore`.
public final class SQLiteStore: MeshesStore {
    let pool: DatabasePool
    let sealer: any SecretSealer
    let committer: GroupCommit
    /// Raw read-only connections for the request hot paths (see `SQLiteReader`).
    let reader: SQLiteReader
    /// WAL checkpoints on a thread of their own (nil: SQLite's automatic checkpoint in the committing writer).
    let checkpointer: SQLiteCheckpointer?
    let ingestCache = IngestCache()
    let routingCache = RoutingCache()
    /// Machine-key secrets already unsealed, by access key and sealed bytes (every authenticated request reads its
    /// key; AES-GCM once per key instead of once per request).
    let openedSecrets = OpenedSecrets()
    public let defaultOrg: Org
    let clock: @Sendable () -> Int64

    /// The page cache of each connection by default, in MiB.
    public static let defaultCacheMiB = 64

    /// Opens (creating when missing) the store at `path`: folder 0700, file 0600, WAL, busy timeout 5 s,
    /// migrations applied; a newer schema is refused. `cacheMiB` bounds each connection's page cache (a
    /// memory-bounded job such as a backfill passes less).
    public convenience init(
        path: String, sealer: any SecretSealer, clock: @escaping @Sendable () -> Int64 = { Formats.nowMilliseconds() },
        cacheMiB: Int = SQLiteStore.defaultCacheMiB
    ) throws {
        try self.init(path: path, sealer: sealer, clock: clock, cacheMiB: cacheMiB, checkpoints: SQLiteCheckpointer.Policy())
    }

    /// `checkpoints`: how the background checkpointer runs (nil: SQLite's automatic checkpoint inside commits).
    init(
        path: String, sealer: any SecretSealer, clock: @escaping @Sendable () -> Int64, cacheMiB: Int,
        checkpoints: SQLiteCheckpointer.Policy?
    ) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if !FileManager.default.fileExists(atPath: path) {
            let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { Glibc.close(fd) }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // WAL + NORMAL: a commit is durable against process crashes (not power loss) without an fsync per
            // transaction; a larger page cache and checkpoint interval keep bulk ingest off the disk.
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -\(max(1, cacheMiB) * 1024); PRAGMA temp_store = MEMORY")
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.unavailable("\(error)")
        }
        try pool.write { db in try Schema.migrate(db) }
        self.sealer = sealer
        self.clock = clock
        committer = GroupCommit(writer: pool)
        reader = SQLiteReader(path: path)
        checkpointer = checkpoints.flatMap { SQLiteCheckpointer(path: path, policy: $0) }
        if checkpointer != nil {
            // This connection writes; the checkpointer thread copies the log into the database meanwhile.
            try pool.write { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        }
        defaultOrg = try pool.write { db in try SQLiteStore.ensureDefaultOrg(db, now: clock()) }
    }

    static func ensureDefaultOrg(_ db: Database, now: Int64) throws -> Org {
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, name, created_at FROM orgs ORDER BY created_at, id LIMIT 1")) {
            return Org(id: row["id"], name: row["name"], createdAt: row["created_at"])
        }
        let org = Org(id: Formats.uuid(), name: "Default", createdAt: now)
        try db.cachedStatement(sql: "INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)").execute(arguments: [
            org.id, org.name, org.createdAt,
        ])
        return org
    }

    func now() -> Int64 { clock() }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await RequestTimings.measure(.store) { try await RequestTimings.suspending { try await committer.submit(work) } }
    }

    /// Runs `work` in a read transaction on the calling thread. Reads are short (an indexed lookup or one page)
    /// and never wait for a writer in WAL mode, so running them in place costs less than the two thread hops of
    /// GRDB's async read; the reader pool (5 connections) outnumbers the threads that can be here at once.
    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try RequestTimings.measure(.store) { try readInPlace(work) }
    }

    /// One deferred read transaction (BEGIN/COMMIT as cached statements: GRDB's own isolation for synchronous
    /// reads compiles five statements per read).
    /// Runs `work` on a raw read-only connection (`SQLiteReader`) in one read transaction, on the calling thread.
    func readRaw<T: Sendable>(_ work: (ReaderConnection) throws -> T) throws -> T {
        try RequestTimings.measure(.store) { try reader.read(work) }
    }

    private func readInPlace<T>(_ work: (Database) throws -> T) throws -> T {
        try pool.unsafeRead { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            do {
                let value = try work(db)
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                return value
            } catch {
                if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK TRANSACTION").execute() }
                throw error
            }
        }
    }

    /// Stops the checkpointer; the file's connections close when the last reference to the store goes.
    public func close() async { checkpointer?.stop() }

    deinit { checkpointer?.stop() }

    public func takeTokens(_ key: String, count: Double, rate: Double, burst: Double, now: Double) async throws -> Int? {
        try await write { db in try SQLiteStore.takeTokens(db, key, count: count, rate: rate, burst: burst, now: now) }
    }

    /// `takeTokens` in the caller's write transaction (SQLite has one writer, so nobody else spends them meanwhile).
    static func takeTokens(_ db: Database, _ key: String, count: Double, rate: Double, burst: Double, now: Double) throws -> Int? {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT tokens, updated FROM rate_buckets WHERE key = ?"), arguments: [key])
        var bucket = row.map { TokenBucket(tokens: $0["tokens"], updated: $0["updated"]) } ?? TokenBucket(tokens: burst, updated: now)
        let wait = bucket.take(count, now: now, rate: rate, burst: burst)
        try db.cachedStatement(
            sql: "INSERT INTO rate_buckets (key, tokens, updated) VALUES (?, ?, ?) "
                + "ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated = excluded.updated"
        ).execute(arguments: [key, bucket.tokens, bucket.updated])
        return wait
    }

    // MARK: - Orgs and machine keys

    public func org(id: String) async throws -> Org? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, name, created_at FROM orgs WHERE id = ?"), arguments: [id]).map {
                Org(id: $0["id"], name: $0["name"], createdAt: $0["created_at"])
            }
        }
    }

    public func createMachineKey(orgID: String, accessKey: String, secret: String) async throws -> MachineKey {
        let sealed = try sealer.seal(Array(secret.utf8), recordID: accessKey)
        let now = now()
        return try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM orgs WHERE id = ?"), arguments: [orgID]) != nil else {
                throw APIError.notFound("Organization")
            }
            try db.cachedStatement(
                sql: "INSERT INTO machine_keys (access_key, org_id, secret, created_at) VALUES (?, ?, ?, ?)"
            ).execute(arguments: [accessKey, orgID, Data(sealed), now])
            return MachineKey(accessKey: accessKey, orgID: orgID, createdAt: now)
        }
    }

    public func machineKeys() async throws -> [MachineKey] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM machine_keys ORDER BY created_at, access_key")).map(
                SQLiteStore.machineKey)
        }
    }

    public func machineKeySecret(_ accessKey: String) async throws -> (key: MachineKey, secret: String)? {
        let found = try readRaw { connection in
            var found: (MachineKey, [UInt8])?
            try connection.query(
                "SELECT access_key, org_id, created_at, last_used_at, revoked_at, secret FROM machine_keys WHERE access_key = ?",
                [.text(accessKey)]
            ) { row in
                found = (
                    MachineKey(
                        accessKey: row.string(0), orgID: row.string(1), createdAt: row.int64(2), lastUsedAt: row.optionalInt64(3),
                        revokedAt: row.optionalInt64(4)),
                    row.bytes(5)
                )
            }
            return found
        }
        guard let (key, sealed) = found else { return nil }
        if let secret = openedSecrets.secret(accessKey, sealed: sealed) { return (key, secret) }
        guard let plain = try? sealer.open(sealed, recordID: accessKey) else { throw StoreError.unsealFailed }
        let secret = String(decoding: plain, as: UTF8.self)
        openedSecrets.remember(accessKey, sealed: sealed, secret: secret)
        return (key, secret)
    }

    public func revokeMachineKey(_ accessKey: String) async throws -> Bool {
        let now = now()
        return try await write { db in
            try db.cachedStatement(
                sql: "UPDATE machine_keys SET revoked_at = ? WHERE access_key = ? AND revoked_at IS NULL"
            ).execute(arguments: [now, accessKey])
            return db.changesCount > 0
        }
    }

    public func touchMachineKey(_ accessKey: String) async throws {
        let now = now()
        _ = try await write { db in
            try db.cachedStatement(
                sql: "UPDATE machine_keys SET last_used_at = ? WHERE access_key = ? AND (last_used_at IS NULL OR last_used_at < ?)"
            ).execute(arguments: [now, accessKey, now - 60_000])
        }
    }

    static func machineKey(_ row: Row) -> MachineKey {
        MachineKey(
            accessKey: row["access_key"], orgID: row["org_id"], createdAt: row["created_at"], lastUsedAt: row["last_used_at"],
            revokedAt: row["revoked_at"])
    }

    // MARK: - Settings

    /// A sealed setting, created with `make` on first use (e.g. the session-signing key).
    public func sealedSetting(_ key: String, make: @escaping @Sendable () -> [UInt8]) async throws -> [UInt8] {
        let sealer = self.sealer
        let sealed: [UInt8] = try await write { db in
            if let existing = try Data.fetchOne(db.cachedStatement(sql: "SELECT value FROM settings WHERE key = ?"), arguments: [key]) {
                return Array(existing)
            }
            let value = try sealer.seal(make(), recordID: key)
            try db.cachedStatement(sql: "INSERT INTO settings (key, value) VALUES (?, ?)").execute(arguments: [key, Data(value)])
            return value
        }
        guard let plain = try? sealer.open(sealed, recordID: key) else { throw StoreError.unsealFailed }
        return plain
    }

    // MARK: - Paging

    /// Appends the keyset condition and order for `page` to `sql` and maps the rows.
    /// `org_id = ?`, then `AND <column> = ?` for the workspace and each given filter value, in order.
    static func filtered(orgID: String, workspaceID: String?, _ filters: [(column: String, value: String?)] = [])
        -> (condition: String, arguments: StatementArguments)
    {
        var condition = "org_id = ?"
        var arguments: StatementArguments = [orgID]
        for (column, value) in [("workspace_id", workspaceID)] + filters {
            if let value {
                condition += " AND \(column) = ?"
                arguments += [value]
            }
        }
        return (condition, arguments)
    }

    static func fetchPage<T: Sendable>(
        _ db: Database, select sql: String, arguments: StatementArguments, page: PageRequest, idColumn: String = "id",
        createdColumn: String = "created_at",
        map: (Row) throws -> T, key: (T) -> Cursor
    ) throws -> Page<T> {
        var query = sql
        var args = arguments
        if let after = page.after {
            query += " AND (\(createdColumn) < ? OR (\(createdColumn) = ? AND \(idColumn) < ?))"
            args += [after.createdAt, after.createdAt, after.id]
        }
        query += " ORDER BY \(createdColumn) DESC, \(idColumn) DESC LIMIT ?"
        args += [page.limit + 1]
        var records: [T] = []
        records.reserveCapacity(page.limit + 1)
        let rows = try Row.fetchCursor(db.cachedStatement(sql: query), arguments: args)
        while let row = try rows.next() { records.append(try map(row)) }
        var next: Cursor?
        if records.count > page.limit {
            records.removeLast()
            next = records.last.map(key)
        }
        return Page(records: records, next: next, limit: page.limit)
    }
}

extension Row {
    /// A JSON column decoded (null when absent or unparsable).
    func json(_ column: String) -> JSONValue? {
        guard let text: String = self[column] else { return nil }
        return try? JSONParser.parse(bytes: Array(text.utf8))
    }

    func jsonObject(_ column: String) -> JSONObject { json(column)?.objectValue ?? JSONObject() }
}

extension Sealer: SecretSealer {}
