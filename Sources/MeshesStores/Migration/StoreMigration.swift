internal import MeshesCore
internal import MeshesEngine
internal import MeshesPostgres
internal import SharedCore

/// `meshes migrate`: copies an embedded SQLite store into PostgreSQL, table by table in dependency order, in
/// batches that each commit together with the copy's checkpoint, keeping ids, `seq` keys, timestamps and every
/// other value as they are; sealed secrets are opened with the source's key and sealed again with the target's.
///
/// The source is read through one snapshot and never written. The target must hold no meshes data, or be an
/// interrupted copy of the same source (then the copy resumes after its last batch), or `force` empties its meshes
/// tables first. At the end every table's rows are counted on both sides.
public actor StoreMigration {
    let options: MigrationOptions
    private var progress: (@Sendable (MigrationProgress) -> Void)?
    private var lastProgress: Double = 0

    public init(options: MigrationOptions) {
        self.options = options
    }

    /// Runs the copy. `progress` gets readings (at most ten a second); `notice` gets what the user must know before
    /// data goes (what `force` empties).
    /// - Throws: `ToolError`s with the codes of `MigrationErrorCode` and `PostgresErrorCode`, `VALIDATION_FAILED` for
    ///   flags and keys, `StoreError` for a source that cannot be read. Never a password.
    public func run(
        progress: (@Sendable (MigrationProgress) -> Void)? = nil, notice: (@Sendable (String) -> Void)? = nil
    ) async throws -> MigrationSummary {
        self.progress = progress
        let started = Clock.now()
        let options = try options.validated()
        let location = try PostgresLocation(url: options.to)
        let targetSealer = Sealer(masterKey: try StoreOpener.postgresMasterKey(environment: options.environment))

        // The source: an existing store, read through one snapshot with the key that opens its secrets.
        guard FileSystem.exists(options.from), !FileSystem.isDirectory(options.from) else {
            throw ToolError(MigrationErrorCode.sourceMissing, "no SQLite store at \(options.from) (--from names the store to copy)")
        }
        let candidates = try SourceKeys.candidates(sourcePath: options.from, environment: options.environment)
        guard let first = candidates.first else { throw ToolError(ErrorCode.validationFailed, "no master key for the source") }
        let store = try SQLiteStore(path: options.from, sealer: Sealer(masterKey: first.key))
        let snapshot = try store.snapshot()
        var sourceRows: [String: Int] = [:]
        for table in StoreTable.all { sourceRows[table.name] = try await snapshot.count(table) }
        let sourceSealer = try await SourceKeys.choose(candidates, snapshot: snapshot, sourceName: options.from)

        let target = try await PostgresMigrationTarget.open(location: location)
        do {
            guard try await target.lock() else {
                throw ToolError(
                    MigrationErrorCode.inProgress,
                    "another meshes migrate is copying into PostgreSQL at \(location.endpoint); wait for it to end")
            }
            var summary = MigrationSummary(source: options.from, target: location.redacted, tables: sourceRows)
            var checkpoint = try await begin(
                target, options: options, source: snapshot.defaultOrgID, sourceRows: sourceRows, summary: &summary, notice: notice)
            try await copy(
                snapshot, into: target, checkpoint: &checkpoint, options: options, sealers: (sourceSealer, targetSealer), summary: &summary,
                started: started)
            checkpoint.completed = true
            try await target.finish(progress: checkpoint.text)
            try StoreMigration.verify(source: sourceRows, target: try await target.counts(), location: location)
            await target.close()
            summary.elapsed = Clock.now() - started
            return summary
        } catch {
            await target.close()
            throw error
        }
    }

    /// Decides between a fresh copy, a resumed one, an emptied target and a refusal; returns the checkpoint to go on from.
    private func begin(
        _ target: PostgresMigrationTarget, options: MigrationOptions, source: String, sourceRows: [String: Int],
        summary: inout MigrationSummary, notice: (@Sendable (String) -> Void)?
    ) async throws -> MigrationCheckpoint {
        let counts = try await target.counts()
        let storedText = try await target.progress()
        let stored = storedText.flatMap(MigrationCheckpoint.init(text:))
        if let stored, stored.source == source, !options.force {
            guard stored.sourceRows == sourceRows else {
                throw ToolError(
                    MigrationErrorCode.sourceChanged,
                    "\(options.from) changed since the interrupted copy into \(target.location.endpoint) began "
                        + "(\(StoreMigration.describe(stored.sourceRows)) then, \(StoreMigration.describe(sourceRows)) now); "
                        + "pass --force to empty the target and copy again")
            }
            summary.resumed = true
            return stored
        }
        let fresh = MigrationCheckpoint(source: source, sourceRows: sourceRows)
        // A new database holds the default org its first open made, and nothing else.
        let held = counts.filter { $0.value > (($0.key == "orgs" && storedText == nil) ? 1 : 0) }
        let isEmpty = storedText == nil && held.isEmpty
        if isEmpty {
            try await target.start(emptying: false, progress: fresh.text)
            return fresh
        }
        let contents = counts.values.contains { $0 > 0 } ? StoreMigration.describe(counts) : "no rows"
        let origin = storedText == nil ? "" : " from a copy of another store"
        guard options.force else {
            throw ToolError(
                MigrationErrorCode.targetNotEmpty,
                "PostgreSQL at \(target.location.endpoint) already holds meshes data\(origin) (\(contents)); nothing was written. "
                    + "Pass --force to empty its meshes tables and copy again")
        }
        notice?("--force: emptying the meshes tables of PostgreSQL at \(target.location.endpoint) (\(contents)) before copying")
        try await target.start(emptying: true, progress: fresh.text)
        summary.emptiedTarget = true
        return fresh
    }

    /// Copies every table from where the checkpoint stands, one batch per target transaction.
    private func copy(
        _ snapshot: SQLiteSnapshot, into target: PostgresMigrationTarget, checkpoint: inout MigrationCheckpoint, options: MigrationOptions,
        sealers: (source: Sealer, target: Sealer), summary: inout MigrationSummary, started: Double
    ) async throws {
        let total = checkpoint.sourceRows.values.reduce(0, +)
        var copied = checkpoint.tables.values.reduce(0) { $0 + $1.copied }
        for table in StoreTable.all {
            var state = checkpoint.tables[table.name] ?? MigrationCheckpoint.TableState()
            let keyIndexes = table.key.compactMap { table.index(of: $0) }
            while true {
                let rows = try await snapshot.rows(table, after: state.after, limit: options.batchSize)
                guard let last = rows.last else { break }
                let resealed = try StoreMigration.reseal(rows, table, sealers: sealers)
                state.after = keyIndexes.map { last[$0] }
                state.copied += rows.count
                checkpoint.tables[table.name] = state
                try await target.insert(table, rows: resealed, progress: checkpoint.text)
                summary.batches += 1
                summary.copiedThisRun += rows.count
                copied += rows.count
                report(
                    MigrationProgress(
                        table: table.name, copied: copied, total: total, copiedThisRun: summary.copiedThisRun,
                        elapsed: Clock.now() - started))
                if let fault = options.fault, summary.batches == fault.afterBatches {
                    await fault.halt()
                    throw ToolError(MigrationErrorCode.halted, "halted by fault injection after \(summary.batches) batches")
                }
                if rows.count < options.batchSize { break }
            }
        }
        report(
            MigrationProgress(
                table: "done", copied: copied, total: total, copiedThisRun: summary.copiedThisRun, elapsed: Clock.now() - started),
            force: true)
    }

    private func report(_ reading: MigrationProgress, force: Bool = false) {
        guard let progress else { return }
        let now = Clock.now()
        guard force || now - lastProgress >= 0.1 else { return }
        lastProgress = now
        progress(reading)
    }

    /// The rows with their sealed column opened with the source's key and sealed again with the target's.
    static func reseal(_ rows: [[StoreValue]], _ table: StoreTable, sealers: (source: Sealer, target: Sealer)) throws -> [[StoreValue]] {
        guard let sealed = table.sealed, let column = table.index(of: sealed.column), let record = table.index(of: sealed.recordIDColumn)
        else { return rows }
        return try rows.map { row in
            guard let value = row[column].bytes, let recordID = row[record].text else { return row }
            let plain: [UInt8]
            do {
                plain = try sealers.source.open(value, recordID: recordID)
            } catch {
                throw ToolError(
                    MigrationErrorCode.sourceKeyWrong,
                    "\(table.name) \(recordID): its sealed \(sealed.column) does not open with the source's key")
            }
            var out = row
            out[column] = .bytes(try sealers.target.seal(plain, recordID: recordID))
            return out
        }
    }

    /// Every table must hold as many rows in the target as in the source.
    /// - Throws: `MIGRATION_VERIFICATION_FAILED` naming each table that differs, with both counts in `details`.
    static func verify(source: [String: Int], target: [String: Int], location: PostgresLocation) throws {
        var differences: [String] = []
        var details = JSONObject()
        for table in StoreTable.all {
            let expected = source[table.name] ?? 0
            let found = target[table.name] ?? 0
            guard expected != found else { continue }
            differences.append("\(table.name) \(expected) in the source, \(found) in PostgreSQL")
            details[table.name] = ["source": .int(expected), "target": .int(found)]
        }
        guard differences.isEmpty else {
            throw ToolError(
                MigrationErrorCode.verificationFailed,
                "the copy in PostgreSQL at \(location.endpoint) does not match the source: \(differences.joined(separator: "; "))",
                details: ["tables": .object(details)])
        }
    }

    /// `orgs 1, workspaces 2, events 300`: the tables with rows, in copy order.
    static func describe(_ counts: [String: Int]) -> String {
        let held = StoreTable.all.compactMap { table in (counts[table.name] ?? 0) > 0 ? "\(table.name) \(counts[table.name] ?? 0)" : nil }
        return held.isEmpty ? "no rows" : held.joined(separator: ", ")
    }
}
