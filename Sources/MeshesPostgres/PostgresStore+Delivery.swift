internal import Foundation
internal import Logging
internal import MeshesCore
public import MeshesEngine
internal import PostgresNIO
internal import SharedCore

extension PostgresStore {
    /// A claimed row read with its event (`e_*` columns) and rule (`ru_metadata`).
    static let claimedRow = """
        SELECT r.*, e.id AS e_id, e.event AS e_event, e.workspace_id AS e_workspace, e.resource AS e_resource,
            e.resource_id AS e_resource_id, e.payload AS e_payload, e.created_at AS e_created_at, ru.metadata AS ru_metadata
        FROM rule_events r JOIN events e ON e.seq = r.event_seq LEFT JOIN rules ru ON ru.id = r.rule_id
        """

    // MARK: - Wake-ups across nodes

    /// The channel ingests notify when they store due work.
    static let workChannel = "meshes_work"

    /// Listens on `workChannel` over a connection of its own (outside the pool), reconnecting with a growing
    /// pause (0.1 s to 5 s) when it drops; signals once after every (re)connection for what was stored meanwhile.
    public func watchNewWork(_ signal: @escaping @Sendable () -> Void) -> Task<Void, Never>? {
        let location = self.location
        let logger = self.logger
        return Task {
            var pause = 0.1
            while !Task.isCancelled {
                if let connection = try? await PostgresConnection.connect(
                    configuration: try location.connectionConfiguration(), id: 2, logger: logger)
                {
                    pause = 0.1
                    signal()
                    await withTaskCancellationHandler {
                        _ = try? await connection.listen(on: PostgresStore.workChannel) { notifications in
                            for try await _ in notifications { signal() }
                        }
                    } onCancel: {
                        let closing: EventLoopFuture<Void> = connection.close()
                        _ = closing
                    }
                    try? await connection.close()
                }
                if Task.isCancelled { break }
                try? await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
                pause = min(pause * 2, 5)
            }
        }
    }

    // MARK: - Claims (§5.3)

    /// The first key of the advisory locks claims take per connection ("claim" in ASCII).
    static let claimLockSpace: Int32 = 0x636C_6169

    public func claimDue(owner: String, now: Int64, limit: Int) async throws -> [DeliveryJob] {
        guard limit > 0 else { return [] }
        let window = limit * 4 + 16
        return try await write { connection in
            // Due rows this node can lock now, oldest first; rows another node is claiming are skipped, not waited for,
            // so several nodes claim disjoint work. More than asked for, so work held back by a connection's limits
            // does not starve the rest.
            let seqs = try await connection.rows(PostgresStatements.DueRuleEvents(now: now, limit: Int64(window)), logger)
            guard !seqs.isEmpty else { return [] }
            var select = SQL(PostgresStore.claimedRow + " WHERE r.seq = ANY(")
            select.bind(seqs)
            select.append(") ORDER BY r.next_attempt_at, r.seq")
            let candidates = try await connection.all(select.query, logger)
            // The limits of a connection hold across nodes: its claims queue on a transaction-scoped advisory lock
            // (taken in id order, so two claims never wait on each other in a cycle), and the count of its
            // processing rows is read after the lock, when every earlier claim of it has committed.
            let connectionIDs = Set(try candidates.map { row -> String in try row["connection_id"] }).sorted()
            for id in connectionIDs {
                try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresStore.claimLockSpace), hashtext(\(id)))", logger)
            }
            var processing: [String: Int] = [:]
            var limits = SQL(
                "SELECT connection_id, COUNT(*) AS n FROM rule_events WHERE status = 'processing' AND connection_id = ANY(")
            limits.bind(connectionIDs)
            limits.append(") GROUP BY connection_id")
            for row in try await connection.all(limits.query, logger) {
                processing[try row["connection_id"]] = Int(try row["n"] as Int64)
            }
            var connections: [String: DeliveryConnection?] = [:]
            var jobs: [DeliveryJob] = []
            var touchedEvents: Set<Int64> = []
            var leased: [Int64] = []
            var leases: [Int64] = []
            let nowSeconds = Double(now) / 1000
            for row in candidates where jobs.count < limit {
                let connectionID: String = try row["connection_id"]
                if connections[connectionID] == nil {
                    connections[connectionID] = try await self.deliveryConnection(connection, id: connectionID)
                }
                guard let target = connections[connectionID] ?? nil else { continue }
                let busy = processing[connectionID] ?? 0
                guard busy < target.maxConcurrency else { continue }
                // `rate_limit_per_second` across nodes: one bucket per connection in the database (burst = the rate).
                if let rate = target.ratePerSecond.map(Double.init),
                    try await PostgresStore.takeTokens(
                        connection, logger, "connection-rate:" + connectionID, count: 1, rate: rate, burst: rate, now: nowSeconds) != nil
                {
                    continue
                }
                processing[connectionID] = busy + 1
                leased.append(try row["seq"])
                leases.append(now + Int64(target.timeoutSeconds) * 1000 + SQLiteStore.leaseMarginMS)
                jobs.append(try PostgresStore.job(row, connection: target, owner: owner, trigger: .scheduled, now: now))
                touchedEvents.insert(try row["event_seq"])
            }
            guard !jobs.isEmpty else { return [] }
            // Every lease in one statement (each with its connection's timeout).
            try await connection.run(
                """
                UPDATE rule_events r SET status = 'processing', lease_owner = \(owner), lease_expires_at = u.lease,
                    started_at = COALESCE(r.started_at, \(now))
                FROM unnest(\(leased)::bigint[], \(leases)::bigint[]) AS u(seq, lease)
                WHERE r.seq = u.seq
                """, logger)
            try await PostgresStore.recomputeEvents(connection, logger, Dictionary(uniqueKeysWithValues: touchedEvents.map { ($0, now) }))
            return jobs
        }
    }

    /// The job of a leased row read with `claimedRow`; it describes the row as it was before the lease.
    static func job(_ row: Fields, connection: DeliveryConnection, owner: String, trigger: AttemptTrigger, now: Int64) throws -> DeliveryJob
    {
        let before = try ruleEvent(row)
        let envelope = DeliveryEnvelope(
            eventID: try row["e_id"], eventName: try row["e_event"], workspaceID: try row["e_workspace"], resource: try row["e_resource"],
            resourceID: try row["e_resource_id"], eventCreatedAt: try row["e_created_at"], payload: try row.jsonObject("e_payload"),
            ruleEventID: before.id, ruleID: before.ruleID, connectionID: connection.id)
        var leased = before
        leased.status = .processing
        leased.startedAt = before.startedAt ?? now
        let failures: Int64 = try row["scheduled_failures"]
        return DeliveryJob(
            ruleEvent: leased, storeKey: try row["seq"], previousStatus: before.status, previousNextAttemptAt: before.nextAttemptAt,
            scheduledFailures: Int(failures), trigger: trigger, leaseOwner: owner, envelope: envelope, connection: connection,
            ruleMetadata: try row.jsonObject("ru_metadata"), fields: JSONObject())
    }

    /// The connection with its secrets unsealed and its metadata parsed; nil when it no longer exists.
    func deliveryConnection(_ connection: PostgresConnection, id: String) async throws -> DeliveryConnection? {
        guard let row = try await connection.one("SELECT * FROM connections WHERE id = \(id)", logger) else { return nil }
        let stored = try PostgresStore.connectionRow(row)
        let sealed: Data? = try row["secrets"]
        let secrets = try sealed.map { try openSecrets($0, id: id) } ?? [:]
        return DeliveryConnection(id: id, type: stored.type, metadata: stored.metadata, secrets: secrets, active: stored.active)
    }

    // MARK: - Manual retry (§5.6)

    public func claimManual(orgID: String, eventID: String, ruleID: String, owner: String, now: Int64) async throws -> Result<
        DeliveryJob, ManualRetryRefusal
    > {
        try await write { connection in
            guard
                let row = try await connection.one(
                    """
                    SELECT * FROM rule_events
                    WHERE event_seq = (SELECT seq FROM events WHERE id = \(eventID)) AND rule_id = \(ruleID) AND org_id = \(orgID)
                    FOR UPDATE
                    """, logger)
            else { return .failure(.notFound) }
            let existing = try PostgresStore.ruleEvent(row)
            if existing.status == .completed || existing.status == .canceled { return .failure(.terminal(existing.status)) }
            guard let target = try await self.deliveryConnection(connection, id: existing.connectionID), target.active else {
                return .failure(.connectionInactive)
            }
            if existing.status == .processing { return .failure(.tooEarly) }
            if existing.status != .failed, let next = existing.nextAttemptAt, next - now <= 10_000 { return .failure(.tooEarly) }
            let seq: Int64 = try row["seq"]
            let leaseUntil = now + Int64(target.timeoutSeconds) * 1000 + SQLiteStore.leaseMarginMS
            try await connection.run(
                """
                UPDATE rule_events SET status = 'processing', lease_owner = \(owner), lease_expires_at = \(leaseUntil),
                    started_at = COALESCE(started_at, \(now))
                WHERE seq = \(seq)
                """, logger)
            var select = SQL(PostgresStore.claimedRow + " WHERE r.seq = ")
            select.bind(seq)
            guard let full = try await connection.one(select.query, logger) else { return .failure(.notFound) }
            // `full` is already leased: the job takes the status and schedule from before the lease.
            var job = try PostgresStore.job(full, connection: target, owner: owner, trigger: .manual, now: now)
            job.previousStatus = existing.status
            job.previousNextAttemptAt = existing.nextAttemptAt
            job.ruleEvent.startedAt = existing.startedAt ?? now
            try await PostgresStore.recomputeEvent(connection, logger, eventSeq: try row["event_seq"], now: now)
            return .success(job)
        }
    }

    // MARK: - Finishing an attempt

    public func finishAttempt(_ job: DeliveryJob, report: AttemptReport, decision: AttemptDecision) async throws -> RuleEvent {
        let attemptID = Formats.uuid()
        return try await write { connection in
            let (ruleEvent, eventSeq) = try await PostgresStore.finish(connection, logger, job, report, decision, attemptID: attemptID)
            try await PostgresStore.recomputeEvent(connection, logger, eventSeq: eventSeq, now: report.endedAt)
            return ruleEvent
        }
    }

    public func finishAttempts(_ finished: [FinishedAttempt]) async throws -> [RuleEvent] {
        guard !finished.isEmpty else { return [] }
        let ids = finished.map { _ in Formats.uuid() }
        return try await write { connection in
            var out: [RuleEvent] = []
            var events: [Int64: Int64] = [:]
            for (item, id) in zip(finished, ids) {
                let (ruleEvent, eventSeq) = try await PostgresStore.finish(
                    connection, logger, item.job, item.report, item.decision, attemptID: id)
                out.append(ruleEvent)
                events[eventSeq] = max(events[eventSeq] ?? item.report.endedAt, item.report.endedAt)
            }
            // Events are recomputed last and in key order, so concurrent batches lock them in the same order.
            try await PostgresStore.recomputeEvents(connection, logger, events)
            return out
        }
    }

    /// Records one attempt and applies its decision and the connection's health in the caller's transaction; returns
    /// the rule event and the key of its event (to recompute).
    static func finish(
        _ connection: PostgresConnection, _ logger: Logger, _ job: DeliveryJob, _ report: AttemptReport, _ decision: AttemptDecision,
        attemptID: String
    ) async throws -> (RuleEvent, Int64) {
        guard
            let row = try await connection.one(
                "SELECT * FROM rule_events WHERE seq = \(job.storeKey) AND id = \(job.ruleEvent.id) FOR UPDATE", logger)
        else { throw APIError.notFound("Rule event") }
        let seq: Int64 = try row["seq"]
        var current = try ruleEvent(row)
        let leaseOwner: String? = try row["lease_owner"]
        let owned = leaseOwner == job.leaseOwner && current.status == .processing
        try await insertAttempt(
            connection, logger, id: attemptID, ruleEventSeq: seq, job: job, number: current.attemptCount + 1, report: report,
            nextAttemptAt: decision.scheduledNext ? decision.nextAttemptAt : nil)
        current.attemptCount += 1
        if owned {
            // A cancel asked for while the attempt ran wins over the decision made before it was known.
            var status = decision.status
            var next = decision.nextAttemptAt
            if current.cancelRequested && !job.ruleEvent.cancelRequested {
                status = report.outcome == .delivered ? .completed : .canceled
                next = nil
            }
            let lastError = status == .completed ? nil : decision.lastError
            let statusName = status.rawValue
            let completedAt: Int64? = status.isTerminal ? report.endedAt : nil
            try await connection.run(
                """
                UPDATE rule_events SET status = \(statusName), attempt_count = attempt_count + 1,
                    scheduled_failures = \(decision.scheduledFailures), next_attempt_at = \(next), completed_at = \(completedAt),
                    last_error = \(lastError), lease_owner = NULL, lease_expires_at = NULL, cancel_requested = FALSE
                WHERE seq = \(seq)
                """, logger)
            current.status = status
            current.nextAttemptAt = next
            current.completedAt = completedAt
            current.lastError = lastError
            current.cancelRequested = false
        } else {
            // The lease was lost (recovered elsewhere): the attempt is history, the state belongs to its new owner.
            try await connection.run("UPDATE rule_events SET attempt_count = attempt_count + 1 WHERE seq = \(seq)", logger)
        }
        try await applyHealth(connection, logger, connectionID: job.connection.id, report: report, now: report.endedAt)
        return (current, try row["event_seq"])
    }

    static func insertAttempt(
        _ connection: PostgresConnection, _ logger: Logger, id: String, ruleEventSeq: Int64, job: DeliveryJob, number: Int,
        report: AttemptReport, nextAttemptAt: Int64?
    ) async throws {
        let headers = report.responseHeaders.map { JSONEmitter.compact(.object($0)) }
        let duration = max(0, report.endedAt - report.startedAt)
        let trigger = job.trigger.rawValue
        let outcome = report.outcome.rawValue
        try await connection.run(
            """
            INSERT INTO attempts (id, rule_event_seq, rule_event_id, event_id, rule_id, connection_id, attempt_number, trigger,
                outcome_code, message, request_method, request_url, response_status, response_duration_ms, response_headers,
                response_body, response_truncated, started_at, ended_at, next_attempt_at, created_at)
            VALUES (\(id), \(ruleEventSeq), \(job.ruleEvent.id), \(job.ruleEvent.eventID), \(job.ruleEvent.ruleID), \(job.connection.id),
                \(number), \(trigger), \(outcome), \(report.message), \(report.requestMethod), \(report.requestURL),
                \(report.responseStatus), \(duration), \(headers), \(report.responseBody), \(report.responseTruncated),
                \(report.startedAt), \(report.endedAt), \(nextAttemptAt), \(report.endedAt))
            """, logger)
    }

    /// §5.5: the failure streak, and switching the connection off (its pending work failed without attempts).
    static func applyHealth(_ connection: PostgresConnection, _ logger: Logger, connectionID: String, report: AttemptReport, now: Int64)
        async throws
    {
        if report.outcome == .delivered {
            try await connection.run(
                """
                UPDATE connections SET failure_streak = 0, streak_auth_only = TRUE
                WHERE id = \(connectionID) AND (failure_streak != 0 OR NOT streak_auth_only)
                """, logger)
            return
        }
        guard report.outcome.countsTowardStreak || report.responseStatus == 410 else { return }
        guard
            let row = try await connection.one(
                "SELECT active, failure_streak, streak_auth_only FROM connections WHERE id = \(connectionID) FOR UPDATE", logger)
        else { return }
        let active: Bool = try row["active"]
        let streak: Int64 = try row["failure_streak"]
        let health = ConnectionHealth(streak: Int(streak), onlyAuthFailures: try row["streak_auth_only"])
        let (next, deactivate) = health.after(report.outcome, status: report.responseStatus)
        if next != health {
            try await connection.run(
                "UPDATE connections SET failure_streak = \(next.streak), streak_auth_only = \(next.onlyAuthFailures) WHERE id = \(connectionID)",
                logger)
        }
        guard active, let reason = deactivate else { return }
        try await connection.run(
            "UPDATE connections SET active = FALSE, inactive_reason = \(reason), updated_at = \(now) WHERE id = \(connectionID)", logger)
        try await failPendingWork(connection, logger, connectionID: connectionID, reason: "connection_inactive:" + reason, now: now)
    }

    // MARK: - Lease recovery (§5.3)

    public func recoverExpiredLeases(now: Int64) async throws -> Int {
        try await write { connection in
            // SKIP LOCKED: a lease another node is recovering (or finishing) right now is left to it.
            let rows = try await connection.all(
                """
                SELECT * FROM rule_events WHERE status = 'processing' AND lease_expires_at < \(now)
                ORDER BY lease_expires_at FOR UPDATE SKIP LOCKED
                """, logger)
            var events: Set<Int64> = []
            for row in rows {
                let seq: Int64 = try row["seq"]
                let ruleEvent = try PostgresStore.ruleEvent(row)
                let failures: Int64 = try row["scheduled_failures"]
                let recovery = LeaseRecovery(
                    ruleEvent: ruleEvent, storeKey: seq,
                    connection: try await self.deliveryConnection(connection, id: ruleEvent.connectionID),
                    scheduledFailures: Int(failures), cancelRequested: try row["cancel_requested"], leaseOwner: try row["lease_owner"],
                    leaseExpiresAt: try row["lease_expires_at"], now: now)
                try await PostgresStore.insertAttempt(
                    connection, logger, id: Formats.uuid(), ruleEventSeq: seq, job: recovery.job, number: ruleEvent.attemptCount + 1,
                    report: recovery.report, nextAttemptAt: recovery.nextAttemptAt)
                let statusName = recovery.status.rawValue
                let completedAt: Int64? = recovery.status.isTerminal ? now : nil
                try await connection.run(
                    """
                    UPDATE rule_events SET status = \(statusName), attempt_count = attempt_count + 1,
                        scheduled_failures = \(recovery.scheduledFailures), next_attempt_at = \(recovery.nextAttemptAt),
                        completed_at = \(completedAt), last_error = \(recovery.lastError), lease_owner = NULL, lease_expires_at = NULL,
                        cancel_requested = FALSE
                    WHERE seq = \(seq)
                    """, logger)
                events.insert(try row["event_seq"])
            }
            try await PostgresStore.recomputeEvents(connection, logger, Dictionary(uniqueKeysWithValues: events.map { ($0, now) }))
            return rows.count
        }
    }

    public func nextDueAt() async throws -> Int64? {
        try await read { connection in
            try await connection.one("SELECT MIN(next_attempt_at) AS due FROM rule_events WHERE status IN ('pending','retrying')", logger)?[
                "due"]
        }
    }
}
