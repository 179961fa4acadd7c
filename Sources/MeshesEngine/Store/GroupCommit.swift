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
                        var value: T?
                        try db.inSavepoint {
                            value = try work(db)
                            return .commit
                        }
                        if let value { outcome = .success(value) } else { outcome = .failure(StoreError.unavailable("no result")) }
                    } catch {
                        outcome = .failure(error)
                    }
                    return { transactionError in
                        if let transactionError { return continuation.resume(throwing: transactionError) }
                        continuation.resume(with: outcome)
                    }
                },
                fail: { error in continuation.resume(throwing: error) })
            pending.append(job)
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(GroupCommit.maximumBatch))
            pending.removeFirst(batch.count)
            do {
                let (resumes, failure) = try await writer.writeWithoutTransaction { db in
                    var resumes: [@Sendable ((any Error)?) -> Void] = []
                    do {
                        try db.inTransaction {
                            resumes = batch.map { $0.run(db) }
                            return .commit
                        }
                        return (resumes, (any Error)?.none)
                    } catch {
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
