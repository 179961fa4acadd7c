internal import Foundation
internal import GRDB
internal import MeshesCore
internal import SharedCore

extension SQLiteStore {
    /// Extra lease time beyond the attempt's own timeout (§5.3).
    package static let leaseMarginMS: Int64 = 30_000

    // MARK: - Claims (§5.3)

    public func claimDue(owner: String, now: Int64, limit: Int) async throws -> [DeliveryJob] {
        guard limit > 0 else { return [] }
        let sealer = self.sealer
        return try await write { db in
            // Candidates in due order, with their event and rule, in one read; more than asked for, so that work
            // held back by a connection's limits does not starve the rest. Each status is read in the order of
            // its index (due time, then row order = creation order) and the two runs are merged.
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT * FROM (
                            SELECT seq FROM rule_events WHERE status = 'pending' AND next_attempt_at <= ?1
                            ORDER BY next_attempt_at, seq LIMIT ?2)
                        UNION ALL SELECT * FROM (
                            SELECT seq FROM rule_events WHERE status = 'retrying' AND next_attempt_at <= ?1
                            ORDER BY next_attempt_at, seq LIMIT ?2)
                        """), arguments: [now, limit * 4 + 16])
            guard !rows.isEmpty else { return [] }
            // Not a cached statement: the keys are spelled in the SQL (one statement per distinct list).
            let candidates = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.*, e.id AS e_id, e.event AS e_event, e.workspace_id AS e_workspace, e.resource AS e_resource,
                        e.resource_id AS e_resource_id, e.payload AS e_payload, e.created_at AS e_created_at, ru.metadata AS ru_metadata
                    FROM rule_events r JOIN events e ON e.seq = r.event_seq LEFT JOIN rules ru ON ru.id = r.rule_id
                    WHERE r.seq IN (\(rows.map { String($0[0] as Int64) }.joined(separator: ",")))
                    ORDER BY r.next_attempt_at, r.seq
                    """)
            var processing: [String: Int] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT connection_id, COUNT(*) FROM rule_events WHERE status = 'processing' GROUP BY connection_id"))
            {
                processing[row[0]] = row[1]
            }
            var connections: [String: DeliveryConnection?] = [:]
            var jobs: [DeliveryJob] = []
            var touchedEvents: Set<Int64> = []
            let lease = try db.cachedStatement(
                sql: """
                    UPDATE rule_events SET status = 'processing', lease_owner = ?, lease_expires_at = ?,
                        started_at = COALESCE(started_at, ?)
                    WHERE seq = ?
                    """)
            for row in candidates where jobs.count < limit {
                let connectionID: String = row[Int(SQLiteStore.RuleEventColumn.connectionID)]
                if connections[connectionID] == nil {
                    connections[connectionID] = try SQLiteStore.deliveryConnection(db, id: connectionID, sealer: sealer)
                }
                guard let connection = connections[connectionID] ?? nil else { continue }
                let busy = processing[connectionID] ?? 0
                guard busy < connection.maxConcurrency else { continue }
                // `rate_limit_per_second` across processes sharing the file: one bucket per connection in it.
                if let rate = connection.ratePerSecond.map(Double.init),
                    try SQLiteStore.takeTokens(
                        db, "connection-rate:" + connectionID, count: 1, rate: rate, burst: rate, now: Double(now) / 1000) != nil
                {
                    continue
                }
                processing[connectionID] = busy + 1
                let seq: Int64 = row[Int(SQLiteStore.RuleEventColumn.seq)]
                try lease.execute(arguments: [owner, now + Int64(connection.timeoutSeconds) * 1000 + SQLiteStore.leaseMarginMS, now, seq])
                jobs.append(SQLiteStore.job(row, connection: connection, owner: owner, trigger: .scheduled, now: now))
                touchedEvents.insert(row[Int(SQLiteStore.RuleEventColumn.eventSeq)])
            }
            for eventSeq in touchedEvents { try SQLiteStore.recomputeEvent(db, eventSeq: eventSeq, now: now) }
            return jobs
        }
    }

    /// The job of a leased row read with its event (`e_*` columns) and rule (`ru_metadata`).
    static func job(_ row: Row, connection: DeliveryConnection, owner: String, trigger: AttemptTrigger, now: Int64) -> DeliveryJob {
        let before = ruleEvent(row)
        let envelope = DeliveryEnvelope(
            eventID: row["e_id"], eventName: row["e_event"], workspaceID: row["e_workspace"], resource: row["e_resource"],
            resourceID: row["e_resource_id"], eventCreatedAt: row["e_created_at"], payload: row.jsonObject("e_payload"),
            ruleEventID: before.id, ruleID: before.ruleID, connectionID: connection.id)
        var leased = before
        leased.status = .processing
        leased.startedAt = before.startedAt ?? now
        return DeliveryJob(
            ruleEvent: leased, storeKey: row[Int(SQLiteStore.RuleEventColumn.seq)], previousStatus: before.status,
            previousNextAttemptAt: before.nextAttemptAt,
            scheduledFailures: row[Int(SQLiteStore.RuleEventColumn.scheduledFailures)], trigger: trigger, leaseOwner: owner,
            envelope: envelope,
            connection: connection, ruleMetadata: row.jsonObject("ru_metadata"), fields: JSONObject())
    }

    /// The connection with its secrets unsealed and its metadata parsed.
    static func deliveryConnection(_ db: Database, id: String, sealer: any SecretSealer) throws -> DeliveryConnection? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM connections WHERE id = ?"), arguments: [id]) else {
            return nil
        }
        let connection = connectionRow(row)
        var secrets: [String: String] = [:]
        if let sealed: Data = row["secrets"] {
            guard let plain = try? sealer.open(Array(sealed), recordID: id),
                let object = (try? JSONParser.parse(bytes: plain))?.objectValue
            else { throw StoreError.unsealFailed }
            for (key, value) in object { secrets[key] = value.stringValue }
        }
        return DeliveryConnection(
            id: id, type: connection.type, metadata: connection.metadata, secrets: secrets, active: connection.active)
    }

    /// Puts one rule event under `owner`'s lease and loads what its attempt needs.
    static func lease(
        _ db: Database, row: Row, connection: DeliveryConnection, owner: String, trigger: AttemptTrigger, now: Int64
    ) throws -> DeliveryJob? {
        let seq: Int64 = row[Int(SQLiteStore.RuleEventColumn.seq)]
        let leaseUntil = now + Int64(connection.timeoutSeconds) * 1000 + leaseMarginMS
        try db.cachedStatement(
            sql: """
                UPDATE rule_events SET status = 'processing', lease_owner = ?, lease_expires_at = ?,
                    started_at = COALESCE(started_at, ?)
                WHERE seq = ?
                """
        ).execute(arguments: [owner, leaseUntil, now, seq])
        guard
            let full = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT r.*, e.id AS e_id, e.event AS e_event, e.workspace_id AS e_workspace, e.resource AS e_resource,
                            e.resource_id AS e_resource_id, e.payload AS e_payload, e.created_at AS e_created_at,
                            ru.metadata AS ru_metadata
                        FROM rule_events r JOIN events e ON e.seq = r.event_seq LEFT JOIN rules ru ON ru.id = r.rule_id
                        WHERE r.seq = ?
                        """), arguments: [seq])
        else { return nil }
        // The job describes the row as it was before this lease.
        var job = job(full, connection: connection, owner: owner, trigger: trigger, now: now)
        let before = ruleEvent(row)
        job.previousStatus = before.status
        job.previousNextAttemptAt = before.nextAttemptAt
        job.ruleEvent.startedAt = before.startedAt ?? now
        return job
    }

    // MARK: - Manual retry (§5.6)

    public func claimManual(orgID: String, eventID: String, ruleID: String, owner: String, now: Int64) async throws -> Result<
        DeliveryJob, ManualRetryRefusal
    > {
        let sealer = self.sealer
        return try await write { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT * FROM rule_events WHERE event_seq = (SELECT seq FROM events WHERE id = ?) AND rule_id = ? AND org_id = ?"
                    ),
                    arguments: [eventID, ruleID, orgID])
            else { return .failure(.notFound) }
            let existing = SQLiteStore.ruleEvent(row)
            if existing.status == .completed || existing.status == .canceled { return .failure(.terminal(existing.status)) }
            guard let connection = try SQLiteStore.deliveryConnection(db, id: existing.connectionID, sealer: sealer), connection.active
            else { return .failure(.connectionInactive) }
            if existing.status == .processing { return .failure(.tooEarly) }
            if existing.status != .failed, let next = existing.nextAttemptAt, next - now <= 10_000 { return .failure(.tooEarly) }
            guard let job = try SQLiteStore.lease(db, row: row, connection: connection, owner: owner, trigger: .manual, now: now) else {
                return .failure(.notFound)
            }
            try SQLiteStore.recomputeEvent(db, eventID: existing.eventID, now: now)
            return .success(job)
        }
    }

    // MARK: - Finishing an attempt

    public func finishAttempt(_ job: DeliveryJob, report: AttemptReport, decision: AttemptDecision) async throws -> RuleEvent {
        let attemptID = Formats.uuid()
        return try await write { db in try SQLiteStore.finish(db, job, report, decision, attemptID: attemptID) }
    }

    public func finishAttempts(_ finished: [FinishedAttempt]) async throws -> [RuleEvent] {
        guard !finished.isEmpty else { return [] }
        let ids = finished.map { _ in Formats.uuid() }
        return try await write { db in
            try zip(finished, ids).map { item, id in try SQLiteStore.finish(db, item.job, item.report, item.decision, attemptID: id) }
        }
    }

    /// Records one attempt and applies its decision, in the caller's transaction.
    static func finish(_ db: Database, _ job: DeliveryJob, _ report: AttemptReport, _ decision: AttemptDecision, attemptID: String)
        throws -> RuleEvent
    {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM rule_events WHERE seq = ? AND id = ?"),
                arguments: [job.storeKey, job.ruleEvent.id])
        else { throw APIError.notFound("Rule event") }
        let seq: Int64 = row[Int(SQLiteStore.RuleEventColumn.seq)]
        var current = SQLiteStore.ruleEvent(row)
        let owned = (row[Int(SQLiteStore.RuleEventColumn.leaseOwner)] as String?) == job.leaseOwner && current.status == .processing
        try SQLiteStore.insertAttempt(
            db, id: attemptID, ruleEventSeq: seq, job: job, number: current.attemptCount + 1, report: report,
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
            try db.cachedStatement(
                sql: """
                    UPDATE rule_events SET status = ?, attempt_count = attempt_count + 1, scheduled_failures = ?,
                        next_attempt_at = ?, completed_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL,
                        cancel_requested = 0
                    WHERE seq = ?
                    """
            ).execute(arguments: [
                status.rawValue, decision.scheduledFailures, next, status.isTerminal ? report.endedAt : nil, lastError, seq,
            ])
            current.status = status
            current.nextAttemptAt = next
            current.completedAt = status.isTerminal ? report.endedAt : nil
            current.lastError = lastError
            current.cancelRequested = false
        } else {
            // The lease was lost (recovered elsewhere): the attempt is history, the state belongs to its new owner.
            try db.cachedStatement(sql: "UPDATE rule_events SET attempt_count = attempt_count + 1 WHERE seq = ?").execute(arguments: [
                seq
            ])
        }
        try SQLiteStore.applyHealth(db, connectionID: job.connection.id, report: report, now: report.endedAt)
        try SQLiteStore.recomputeEvent(db, eventSeq: row[Int(SQLiteStore.RuleEventColumn.eventSeq)], now: report.endedAt)
        return current
    }

    static func insertAttempt(
        _ db: Database, id: String, ruleEventSeq: Int64, job: DeliveryJob, number: Int, report: AttemptReport, nextAttemptAt: Int64?
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO attempts (id, rule_event_seq, rule_event_id, event_id, rule_id, connection_id, attempt_number, trigger,
                    outcome_code, message, request_method, request_url, response_status, response_duration_ms, response_headers,
                    response_body, response_truncated, started_at, ended_at, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, ruleEventSeq, job.ruleEvent.id, job.ruleEvent.eventID, job.ruleEvent.ruleID, job.connection.id, number,
            job.trigger.rawValue, report.outcome.rawValue, report.message, report.requestMethod, report.requestURL,
            report.responseStatus, max(0, report.endedAt - report.startedAt),
            report.responseHeaders.map { JSONEmitter.compact(.object($0)) },
            report.responseBody, report.responseTruncated, report.startedAt, report.endedAt, nextAttemptAt, report.endedAt,
        ])
    }

    /// §5.5: the failure streak, and switching the connection off (its pending work failed without attempts).
    static func applyHealth(_ db: Database, connectionID: String, report: AttemptReport, now: Int64) throws {
        // The common cases need no read: a success only resets a streak that is not already reset, and an outcome
        // that neither counts nor is a 410 changes nothing.
        if report.outcome == .delivered {
            try db.cachedStatement(
                sql: """
                    UPDATE connections SET failure_streak = 0, streak_auth_only = 1
                    WHERE id = ? AND (failure_streak != 0 OR streak_auth_only != 1)
                    """
            ).execute(arguments: [connectionID])
            return
        }
        guard report.outcome.countsTowardStreak || report.responseStatus == 410 else { return }
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT active, failure_streak, streak_auth_only FROM connections WHERE id = ?"),
                arguments: [connectionID])
        else { return }
        let active: Bool = row["active"]
        let health = ConnectionHealth(streak: row["failure_streak"], onlyAuthFailures: row["streak_auth_only"])
        let (next, deactivate) = health.after(report.outcome, status: report.responseStatus)
        if next != health {
            try db.cachedStatement(sql: "UPDATE connections SET failure_streak = ?, streak_auth_only = ? WHERE id = ?").execute(
                arguments: [next.streak, next.onlyAuthFailures, connectionID])
        }
        guard active, let reason = deactivate else { return }
        try db.cachedStatement(
            sql: "UPDATE connections SET active = 0, inactive_reason = ?, updated_at = ? WHERE id = ?"
        ).execute(arguments: [reason, now, connectionID])
        try failPendingWork(db, connectionID: connectionID, reason: "connection_inactive:" + reason, now: now)
    }

    // MARK: - Lease recovery (§5.3)

    public func recoverExpiredLeases(now: Int64) async throws -> Int {
        let sealer = self.sealer
        return try await write { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT * FROM rule_events WHERE status = 'processing' AND lease_expires_at < ? ORDER BY lease_expires_at"),
                arguments: [now])
            var events: Set<String> = []
            for row in rows {
                let seq: Int64 = row[Int(SQLiteStore.RuleEventColumn.seq)]
                let ruleEvent = SQLiteStore.ruleEvent(row)
                let recovery = LeaseRecovery(
                    ruleEvent: ruleEvent, storeKey: seq,
                    connection: try SQLiteStore.deliveryConnection(db, id: ruleEvent.connectionID, sealer: sealer),
                    scheduledFailures: row[Int(SQLiteStore.RuleEventColumn.scheduledFailures)],
                    cancelRequested: row[Int(SQLiteStore.RuleEventColumn.cancelRequested)],
                    leaseOwner: row[Int(SQLiteStore.RuleEventColumn.leaseOwner)],
                    leaseExpiresAt: row[Int(SQLiteStore.RuleEventColumn.leaseExpiresAt)], now: now)
                try SQLiteStore.insertAttempt(
                    db, id: Formats.uuid(), ruleEventSeq: seq, job: recovery.job, number: ruleEvent.attemptCount + 1,
                    report: recovery.report,
                    nextAttemptAt: recovery.nextAttemptAt)
                try db.cachedStatement(
                    sql: """
                        UPDATE rule_events SET status = ?, attempt_count = attempt_count + 1, scheduled_failures = ?, next_attempt_at = ?,
                            completed_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0
                        WHERE seq = ?
                        """
                ).execute(arguments: [
                    recovery.status.rawValue, recovery.scheduledFailures, recovery.nextAttemptAt,
                    recovery.status.isTerminal ? now : nil, recovery.lastError, seq,
                ])
                events.insert(ruleEvent.eventID)
            }
            for eventID in events { try SQLiteStore.recomputeEvent(db, eventID: eventID, now: now) }
            return rows.count
        }
    }

    public func nextDueAt() async throws -> Int64? {
        try await read { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT MIN(next_attempt_at) FROM rule_events WHERE status IN ('pending','retrying')"))
        }
    }
}
