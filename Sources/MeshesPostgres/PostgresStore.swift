internal import Foundation
internal import Logging
public import MeshesCore
public import MeshesEngine
internal import PostgresNIO
internal import SharedCore

/// The store for several engine nodes sharing one PostgreSQL database: the same tables and behaviour as
/// `SQLiteStore`, over a connection pool. Open it with `open(location:sealer:)` and `close()` it at the end.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let runner: Task<Void, Never>
    let sealer: any SecretSealer
    /// Machine-key secrets already unsealed (every authenticated request reads its key).
    let openedSecrets = OpenedSecrets()
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Where the database is (without its password in `redacted`).
    public let location: PostgresLocation
    /// The org the embedded mode acts as (the oldest org; created with the schema).
    public let defaultOrg: Org

    private init(
        client: PostgresClient, runner: Task<Void, Never>, sealer: any SecretSealer, clock: @escaping @Sendable () -> Int64, logger: Logger,
        location: PostgresLocation, defaultOrg: Org
    ) {
        self.client = client
        self.runner = runner
        self.sealer = sealer
        self.clock = clock
        self.logger = logger
        self.location = location
        self.defaultOrg = defaultOrg
    }

    /// Connects, applies the missing migrations (under an advisory lock, so nodes starting together migrate once),
    /// makes sure the default org exists and starts the pool. Errors carry the codes of `PostgresErrorCode` and
    /// never the password.
    public static func open(
        location: PostgresLocation, sealer: any SecretSealer, maximumConnections: Int = 16,
        clock: @escaping @Sendable () -> Int64 = { Formats.nowMilliseconds() }
    ) async throws -> PostgresStore {
        let logger = Logger(label: "meshes.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try await connect(location, logger: logger)
        let org: Org
        do {
            org = try await PostgresSchema.prepare(connection, logger: logger, now: clock())
            try await connection.close()
        } catch {
            try? await connection.close()
            throw PostgresStore.describe(error, location: location)
        }
        let client = PostgresClient(
            configuration: location.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: logger)
        let runner = Task { await client.run() }
        return PostgresStore(
            client: client, runner: runner, sealer: sealer, clock: clock, logger: logger, location: location, defaultOrg: org)
    }

    /// Stops the pool: its connections close and later calls fail.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    /// One direct connection, with the failure explained.
    static func connect(_ location: PostgresLocation, logger: Logger) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 1, logger: logger)
        } catch {
            throw describe(error, location: location)
        }
    }

    /// A failure as a `ToolError` with a stable code; the message names the user and endpoint, never the password.
    static func describe(_ error: any Error, location: PostgresLocation) -> any Error {
        if error is ToolError || error is StoreError || error is APIError { return error }
        guard let failure = error as? PSQLError else {
            return ToolError(PostgresErrorCode.unavailable, "PostgreSQL at \(location.endpoint) cannot be used: \(type(of: error))")
        }
        let state = failure.serverInfo?[.sqlState]
        let serverMessage = failure.serverInfo?[.message] ?? ""
        if state == "28P01" || state == "28000" || failure.code == .authMechanismRequiresPassword {
            return ToolError(
                PostgresErrorCode.authenticationFailed,
                "PostgreSQL at \(location.endpoint) refused user '\(location.username)': check the user name and password")
        }
        if failure.code == .connectionError || failure.code == .serverClosedConnection || failure.code == .sslUnsupported {
            let reason =
                failure.code == .sslUnsupported
                ? "the server does not offer TLS (sslmode=require)"
                : failure.underlying.map { String(describing: $0) } ?? "no connection"
            return ToolError(PostgresErrorCode.unreachable, "cannot reach PostgreSQL at \(location.endpoint): \(reason)")
        }
        if let state {
            return ToolError(
                PostgresErrorCode.unavailable, "PostgreSQL at \(location.endpoint) cannot be used: \(serverMessage) (SQLSTATE \(state))")
        }
        return ToolError(PostgresErrorCode.unavailable, "PostgreSQL at \(location.endpoint) cannot be used: \(failure.code)")
    }

    func now() -> Int64 { clock() }

    // MARK: - Running queries

    /// Runs `work` on a pooled connection outside a transaction (single statements, reads).
    func read<T: Sendable>(_ work: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in try await work(connection) }
    }

    /// Runs `work` in one transaction; a deadlock or serialisation failure (another node touched the same rows)
    /// rolls back and runs it again, up to three times.
    func write<T: Sendable>(_ work: (PostgresConnection) async throws -> T) async throws -> T {
        var tries = 0
        while true {
            tries += 1
            do {
                return try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        let value = try await work(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as PSQLError where tries < 3 && PostgresStore.isRetryable(error) {
                continue
            }
        }
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        let state = error.serverInfo?[.sqlState]
        return state == "40P01" || state == "40001"
    }

    /// The constraint a unique violation hit, nil for any other error.
    static func uniqueViolation(_ error: any Error) -> String? {
        guard let failure = error as? PSQLError, failure.serverInfo?[.sqlState] == "23505" else { return nil }
        return failure.serverInfo?[.constraintName] ?? ""
    }

    // MARK: - Orgs and machine keys

    public func org(id: String) async throws -> Org? {
        try await read { connection in
            try await connection.one("SELECT id, name, created_at FROM orgs WHERE id = \(id)", logger).map(PostgresStore.org)
        }
    }

    static func org(_ row: Fields) throws -> Org {
        Org(id: try row["id"], name: try row["name"], createdAt: try row["created_at"])
    }

    public func createMachineKey(orgID: String, accessKey: String, secret: String) async throws -> MachineKey {
        let sealed = Data(try sealer.seal(Array(secret.utf8), recordID: accessKey))
        let now = now()
        return try await write { connection in
            guard try await connection.one("SELECT 1 FROM orgs WHERE id = \(orgID)", logger) != nil else {
                throw APIError.notFound("Organization")
            }
            try await connection.run(
                "INSERT INTO machine_keys (access_key, org_id, secret, created_at) VALUES (\(accessKey), \(orgID), \(sealed), \(now))",
                logger)
            return MachineKey(accessKey: accessKey, orgID: orgID, createdAt: now)
        }
    }

    public func machineKeys() async throws -> [MachineKey] {
        try await read { connection in
            try await connection.all("SELECT * FROM machine_keys ORDER BY created_at, access_key", logger).map(PostgresStore.machineKey)
        }
    }

    public func machineKeySecret(_ accessKey: String) async throws -> (key: MachineKey, secret: String)? {
        let found: (MachineKey, Data)? = try await read { connection in
            guard let row = try await connection.one("SELECT * FROM machine_keys WHERE access_key = \(accessKey)", logger) else {
                return nil
            }
            return (try PostgresStore.machineKey(row), try row["secret"])
        }
        guard let (key, sealedData) = found else { return nil }
        let sealed = Array(sealedData)
        if let secret = openedSecrets.secret(accessKey, sealed: sealed) { return (key, secret) }
        guard let plain = try? sealer.open(sealed, recordID: accessKey) else { throw StoreError.unsealFailed }
        let secret = String(decoding: plain, as: UTF8.self)
        openedSecrets.remember(accessKey, sealed: sealed, secret: secret)
        return (key, secret)
    }

    public func revokeMachineKey(_ accessKey: String) async throws -> Bool {
        let now = now()
        return try await read { connection in
            try await connection.one(
                "UPDATE machine_keys SET revoked_at = \(now) WHERE access_key = \(accessKey) AND revoked_at IS NULL RETURNING 1", logger)
                != nil
        }
    }

    public func touchMachineKey(_ accessKey: String) async throws {
        let now = now()
        let cutoff = now - 60_000
        try await read { connection in
            try await connection.run(
                """
                UPDATE machine_keys SET last_used_at = \(now)
                WHERE access_key = \(accessKey) AND (last_used_at IS NULL OR last_used_at < \(cutoff))
                """, logger)
        }
    }

    static func machineKey(_ row: Fields) throws -> MachineKey {
        MachineKey(
            accessKey: try row["access_key"], orgID: try row["org_id"], createdAt: try row["created_at"],
            lastUsedAt: try row["last_used_at"], revokedAt: try row["revoked_at"])
    }

    // MARK: - Settings

    /// A sealed setting, created with `make` on first use; concurrent first uses on several nodes agree on one value.
    public func sealedSetting(_ key: String, make: @escaping @Sendable () -> [UInt8]) async throws -> [UInt8] {
        let candidate = Data(try sealer.seal(make(), recordID: key))
        let sealed: Data = try await write { connection in
            try await connection.run("INSERT INTO settings (key, value) VALUES (\(key), \(candidate)) ON CONFLICT (key) DO NOTHING", logger)
            guard let row = try await connection.one("SELECT value FROM settings WHERE key = \(key)", logger) else {
                throw StoreError.unavailable("the setting \(key) was not stored")
            }
            return try row["value"]
        }
        guard let plain = try? sealer.open(Array(sealed), recordID: key) else { throw StoreError.unsealFailed }
        return plain
    }

    // MARK: - Shared limits

    public func takeTokens(_ key: String, count: Double, rate: Double, burst: Double, now: Double) async throws -> Int? {
        try await write { connection in
            try await PostgresStore.takeTokens(connection, logger, key, count: count, rate: rate, burst: burst, now: now)
        }
    }

    /// `takeTokens` in the caller's transaction: the bucket's row stays locked until it ends, so nodes taking
    /// from one bucket at once queue on it instead of both spending the same tokens.
    static func takeTokens(
        _ connection: PostgresConnection, _ logger: Logger, _ key: String, count: Double, rate: Double, burst: Double, now: Double
    ) async throws -> Int? {
        try await connection.run(
            "INSERT INTO rate_buckets (key, tokens, updated) VALUES (\(key), \(burst), \(now)) ON CONFLICT (key) DO NOTHING", logger)
        guard let row = try await connection.one("SELECT tokens, updated FROM rate_buckets WHERE key = \(key) FOR UPDATE", logger) else {
            throw StoreError.unavailable("the rate bucket \(key) was not stored")
        }
        var bucket = TokenBucket(tokens: try row["tokens"], updated: try row["updated"])
        let wait = bucket.take(count, now: now, rate: rate, burst: burst)
        try await connection.run(
            "UPDATE rate_buckets SET tokens = \(bucket.tokens), updated = \(bucket.updated) WHERE key = \(key)", logger)
        return wait
    }

    // MARK: - Paging

    /// Appends the keyset condition and order (`created_at DESC, id DESC`) of `page` to `select` and maps the rows,
    /// exactly as the SQLite store pages.
    static func fetchPage<T: Sendable>(
        _ connection: PostgresConnection, _ logger: Logger, select: SQL, page: PageRequest, idColumn: String = "id",
        createdColumn: String = "created_at", map: (Fields) throws -> T, key: (T) -> Cursor
    ) async throws -> Page<T> {
        var sql = select
        if let after = page.after {
            sql.append(" AND (\(createdColumn) < ")
            sql.bind(after.createdAt)
            sql.append(" OR (\(createdColumn) = ")
            sql.bind(after.createdAt)
            sql.append(" AND \(idColumn) < ")
            sql.bind(after.id)
            sql.append("))")
        }
        sql.append(" ORDER BY \(createdColumn) DESC, \(idColumn) DESC LIMIT ")
        sql.bind(page.limit + 1)
        var records = try await connection.all(sql.query, logger).map(map)
        var next: Cursor?
        if records.count > page.limit {
            records.removeLast()
            next = records.last.map(key)
        }
        return Page(records: records, next: next, limit: page.limit)
    }

    /// `org_id = $1`, then `AND <column> = $n` for the workspace and each given filter value, in order.
    static func filtered(_ select: String, orgID: String, workspaceID: String?, _ filters: [(column: String, value: String?)] = []) -> SQL {
        var sql = SQL(select + " WHERE org_id = ")
        sql.bind(orgID)
        for (column, value) in [("workspace_id", workspaceID)] + filters {
            if let value {
                sql.append(" AND \(column) = ")
                sql.bind(value)
            }
        }
        return sql
    }
}

extension PostgresStore: MeshesStore {}
