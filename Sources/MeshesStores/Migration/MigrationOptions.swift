internal import MeshesEngine
internal import MeshesPostgres
public import SharedCore

/// What `meshes migrate` was asked to do: the flags, checked once by `validated()`.
public struct MigrationOptions: Sendable {
    /// The SQLite store to copy, as the user named it (messages quote it as given).
    public var from: String
    /// The PostgreSQL URL to copy into (never quoted: it may hold a password).
    public var to: String
    /// Empty a target that holds other meshes data before copying, instead of refusing it.
    public var force = false
    /// Rows per batch: one read from the source, one transaction in the target.
    public var batchSize = MigrationOptions.defaultBatchSize
    /// The variables the keys come from (`MESHES_MASTER_KEY`, `MESHES_SOURCE_MASTER_KEY`).
    public var environment: [String: String]
    /// Fault injection for the resume tests; nil in real runs.
    public var fault: MigrationFault?

    public static let defaultBatchSize = 1000
    public static let batchSizes = 1...10_000

    public init(from: String, to: String, environment: [String: String]) {
        self.from = from
        self.to = to
        self.environment = environment
    }

    /// `--from` when given, else `MESHES_DB` when it names a file, else `.meshes/meshes.db`: the store every
    /// other verb opens by default (a `MESHES_DB` that already points at PostgreSQL is the target, not the source).
    public static func defaultSource(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        let path = MeshesEngine.databasePath(flag: nil, environment: environment)
        return PostgresLocation.isURL(path) ? MeshesEngine.defaultDatabasePath : path
    }

    /// The options checked: a batch size in range, a SQLite source and a PostgreSQL target.
    /// - Throws: `ToolError` `VALIDATION_FAILED`, or `DATABASE_URL_INVALID` for a `--to` that is no PostgreSQL URL.
    public func validated() throws(ToolError) -> MigrationOptions {
        guard Self.batchSizes.contains(batchSize) else {
            throw ToolError(
                ErrorCode.validationFailed, "--batch-size must be from \(Self.batchSizes.lowerBound) to \(Self.batchSizes.upperBound)")
        }
        guard !PostgresLocation.isURL(from) else {
            throw ToolError(ErrorCode.validationFailed, "--from must be the SQLite store to copy, not a PostgreSQL URL")
        }
        guard PostgresLocation.isURL(to) else {
            // Not quoted: whatever was typed may hold a password.
            throw ToolError(
                PostgresErrorCode.invalidURL, "--to must be a PostgreSQL URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        return self
    }
}

/// Fault injection, to reproduce a crash at a chosen point: once `afterBatches` batches of this run are committed,
/// `halt` runs (the CLI kills its own process there) and the run stops with `MIGRATION_HALTED`.
public struct MigrationFault: Sendable {
    public var afterBatches: Int
    public var halt: @Sendable () async -> Void

    public init(afterBatches: Int, halt: @escaping @Sendable () async -> Void) {
        self.afterBatches = afterBatches
        self.halt = halt
    }

    /// Parses `kill-after-batches:3` (the `MESHES_MIGRATE_FAULT` variable); nil for anything else.
    public static func parse(_ text: String, halt: @escaping @Sendable () async -> Void) -> MigrationFault? {
        let prefix = "kill-after-batches:"
        guard text.hasPrefix(prefix), let count = Int(text.dropFirst(prefix.count)), count >= 1 else { return nil }
        return MigrationFault(afterBatches: count, halt: halt)
    }
}
