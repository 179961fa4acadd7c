/// The stable codes of `meshes migrate`'s own failures (connection failures keep the codes of `PostgresErrorCode`:
/// `DATABASE_URL_INVALID`, `DATABASE_UNREACHABLE`, `DATABASE_AUTH_FAILED`, …).
public enum MigrationErrorCode {
    /// `--from` names no SQLite store.
    public static let sourceMissing = "MIGRATION_SOURCE_MISSING"
    /// The source's sealed secrets open with none of the keys tried.
    public static let sourceKeyWrong = "MIGRATION_SOURCE_KEY_WRONG"
    /// The source changed since the interrupted copy being resumed began.
    public static let sourceChanged = "MIGRATION_SOURCE_CHANGED"
    /// The target already holds meshes data that no copy of this source put there (and `--force` was not given).
    public static let targetNotEmpty = "MIGRATION_TARGET_NOT_EMPTY"
    /// Another copy into the same target is running.
    public static let inProgress = "MIGRATION_IN_PROGRESS"
    /// A table of the target does not hold as many rows as the source after the copy.
    public static let verificationFailed = "MIGRATION_VERIFICATION_FAILED"
    /// The run was stopped by its fault-injection hook (tests only); starting it again resumes.
    public static let halted = "MIGRATION_HALTED"
}
