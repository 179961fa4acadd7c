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
    /// `cacheMiB` is the SQLite page cache (a PostgreSQL server manages its own).
    public static func open(
        flag: String?, environment: [String: String], cacheMiB: Int = SQLiteStore.defaultCacheMiB
    ) async throws -> any MeshesStore {
        let target = MeshesEngine.databasePath(flag: flag, environment: environment)
        guard PostgresLocation.isURL(target) else {
            return try MeshesEngine.openStore(path: target, environment: environment, cacheMiB: cacheMiB)
        }
        let location = try PostgresLocation(url: target)
        let key = try postgresMasterKey(environment: environment)
        return try await PostgresStore.open(location: location, sealer: Sealer(masterKey: key))
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
}
