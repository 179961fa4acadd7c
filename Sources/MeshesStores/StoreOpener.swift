public import MeshesCore
public import MeshesEngine
internal import MeshesPostgres
public import SharedCore

/// Opens the store `--db` / `MESHES_DB` names: a `postgres://` (or `postgresql://`) URL opens a `PostgresStore`,
/// anything else is a SQLite file (default `.meshes/meshes.db`). Lives above both stores so that the engine never
/// depends on PostgreSQL.
public enum StoreOpener {
    /// `flag` is `--db`; errors are `ToolError`s (bad URL, unreachable server, failed authentication, missing master
    /// key) or `StoreError`s, and never contain a password.
    /// `cacheMiB` is the SQLite page cache (a PostgreSQL server manages its own); `poolFlag` is `--db-pool`, the
    /// PostgreSQL connections of this process (else `MESHES_DB_POOL`, else 16; 1...200).
    public static func open(
        flag: String?, environment: [String: String], cacheMiB: Int = SQLiteStore.defaultCacheMiB, poolFlag: Int? = nil
    ) async throws -> any MeshesStore {
        let target = MeshesEngine.databasePath(flag: flag, environment: environment)
        guard PostgresLocation.isURL(target) else {
            return try MeshesEngine.openStore(path: target, environment: environment, cacheMiB: cacheMiB)
        }
        let location = try PostgresLocation(url: target)
        let pool = try poolSize(flag: poolFlag, environment: environment)
        let key = try postgresMasterKey(environment: environment)
        return try await PostgresStore.open(location: location, sealer: Sealer(masterKey: key), maximumConnections: pool)
    }

    /// The master key of a PostgreSQL store: `MESHES_MASTER_KEY`, required. Every node must seal and open secrets
    /// with the same key, so a PostgreSQL store never falls back to a key file created on one machine.
    /// - Throws: `ToolError` `VALIDATION_FAILED` when the variable is missing or malformed.
    public static func postgresMasterKey(environment: [String: String]) throws(ToolError) -> MasterKey {
        guard let key = try MasterKey.load(variable: MasterKey.environmentVariable, environment: environment) else {
            throw ToolError(
                ErrorCode.validationFailed,
                "a PostgreSQL store needs \(MasterKey.environmentVariable) (the same 32-byte base64url key on every node)")
        }
        return key
    }

    /// The connections a PostgreSQL store may hold: `--db-pool`, else `MESHES_DB_POOL`, else 16.
    public static func poolSize(flag: Int?, environment: [String: String]) throws -> Int {
        let source = flag.map { ("--db-pool", String($0)) } ?? environment["MESHES_DB_POOL"].map { ("MESHES_DB_POOL", $0) }
        guard let (name, text) = source else { return 16 }
        guard let size = Int(text), (1...200).contains(size) else {
            throw ToolError(ErrorCode.validationFailed, "\(name) must be a whole number of connections from 1 to 200 (got '\(text)')")
        }
        return size
    }
}
