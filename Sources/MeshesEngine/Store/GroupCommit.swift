internal import GRDB

/// The single writer of a store: jobs submitted while a transaction is running are committed together in
/// the next one (group commit), each inside its own savepoint so a failing job rolls back alone.
/// Callers resume only after the transaction holding their job has committed (or failed).
actor GroupCommit {
    private struct Job: Sendable {
        /// Runs the work inside a savepoint; returns how to resume the caller once the transaction settles.
        let run: @Sendable (Database) -> (@Sendable (_ transactionError: (any Error)?) -> Void)
        /// Resumes the caller with `error` when the job never ran.
        let fail: @Sendable (any Error) -> Void
        /// The request that submitted it, when `MESHES_TIMINGS=1` (gets its share of the transaction's CPU time).
        let trace: RequestTimings.Trace?
    }

    /// Jobs per transaction at most (keeps one transaction short under heavy load).
    static let maximumBatch = 512

    private let writer: any DatabaseWriter
    private var pending: [Job] = []
    private var draining = false

    init(writer: any DatabaseWriter) { self.writer = writer }

    /// Runs `work` in a write transaction shared with other concurrent submissions.
    func submit<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    let outcome: Result<T, any Error>
                    do {
                        outcome = .success(try GroupCommit.inSavepoint(db) { try work(db) })
                    } catch {
                        outcome = .failure(error)
                    }
                    return { transactionError in
                        if let transactionError { return continuation.resume(throwing: transactionError) }
                        continuation.resume(with: outcome)
                    }
                },
                fail: { error in continuation.resume(throwing: error) },
                trace: RequestTimings.current)
            pending.append(job)
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    /// Runs `work` in a savepoint of the current transaction: rolled back alone when it throws. The statements are
    /// cached and stepped through the C API (GRDB's `inSavepoint` compiles two statements per call, and its
    /// `execute` bookkeeping costs more than the statement: a single-event ingest is a few inserts).
    static func inSavepoint<T>(_ db: Database, _ work: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "SAVEPOINT job").run([], in: db)
        do {
            let value = try work()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT job").run([], in: db)
            return value
        } catch {
            try? db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT job").run([], in: db)
            try? db.cachedStatement(sql: "RELEASE SAVEPOINT job").run([], in: db)
            throw error
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(GroupCommit.maximumBatch))
            pending.removeFirst(batch.count)
            do {
                let (resumes, failure) = try await writer.writeWithoutTransaction { db in
                    let traced = batch.contains { $0.trace != nil }
                    let started = traced ? RequestTimings.now() : 0
                    defer {
                        if traced {
                            RequestTimings.shared.recordBatch(batch.count)
                            let share = (RequestTimings.now() &- started) / UInt64(batch.count)
                            for job in batch { job.trace?.add(.commit, share) }
                        }
                    }
                    var resumes: [@Sendable ((any Error)?) -> Void] = []
                    do {
                        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").run([], in: db)
                        resumes = batch.map { $0.run(db) }
                        try db.cachedStatement(sql: "COMMIT TRANSACTION").run([], in: db)
                        return (resumes, (any Error)?.none)
                    } catch {
                        if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK TRANSACTION").execute() }
                        return (resumes, Optional(error))
                    }
                }
                if resumes.count == batch.count {
                    for resume in resumes { resume(failure) }
                } else {
                    for job in batch { job.fail(failure ?? StoreError.unavailable("transaction failed")) }
                }
            } catch {
                for job in batch { job.fail(error) }
            }
        }
        draining = false
    }
}
