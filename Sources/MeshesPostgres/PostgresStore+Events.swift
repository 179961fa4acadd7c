internal import Foundation
internal import Logging
public import MeshesCore
public import MeshesEngine
internal import PostgresNIO
internal import SharedCore

extension PostgresStore {
    // MARK: - Ingest and fan-out (§5.1)

    public func ingest(orgID: String, workspaceID: String, record: IngestRecord, createdBy: String) async throws -> Event {
        try await ingestMany(orgID: orgID, items: [IngestJob(workspaceID: workspaceID, record: record, createdBy: createdBy)])[0].get()
    }

    public func ingestMany(orgID: String, items: [IngestJob]) async throws -> [Result<Event, APIError>] {
        let now = now()
        // One transaction for the request; `insertEvent` throws its API errors before it writes anything, so a
        // rejected item leaves nothing behind and the others are stored.
        return try await write { connection in
            var batch = IngestBatch()
            var out: [Result<Event, APIError>] = []
            out.reserveCapacity(items.count)
            for item in items {
                do {
                    out.append(
                        .success(try await PostgresStore.insertEvent(connection, logger, orgID: orgID, item, now: now, batch: &batch)))
                } catch let error as APIError {
                    out.append(.failure(error))
                }
            }
            try await PostgresStore.finish(connection, logger, batch, now: now)
            return out
        }
    }

    /// What one ingest transaction looks up once and reuses for all its events, and what it writes once at the end.
    struct IngestBatch {
        struct MatchKey: Hashable {
            var workspaceID: String
            var event: String
            var resource: String
            var resourceID: String?
        }

        struct Match {
            var ruleID: String
            var connectionID: String
            var type: String
        }

        struct CatalogKey: Hashable {
            var workspaceID: String
            var kind: String
            var key: String
        }

        var workspaces: Set<String> = []
        var matches: [MatchKey: [Match]] = [:]
        var catalog: [CatalogKey] = []
        var catalogSeen: Set<CatalogKey> = []
        var due = false
    }

    /// Stores one event and its rule events (one statement) in the caller's transaction. API errors are thrown
    /// before the first write.
    static func insertEvent(
        _ connection: PostgresConnection, _ logger: Logger, orgID: String, _ item: IngestJob, now: Int64, batch: inout IngestBatch
    ) async throws -> Event {
        let workspaceID = item.workspaceID
        let record = item.record
        let createdBy = item.createdBy
        let eventID = Formats.uuid()
        if !batch.workspaces.contains(workspaceID) {
            guard
                try await !connection.rows(PostgresStatements.WorkspaceInOrg(workspaceID: workspaceID, orgID: orgID), logger).isEmpty
            else {
                throw APIError.notFound("Workspace")
            }
            batch.workspaces.insert(workspaceID)
        }
        let key = IngestBatch.MatchKey(
            workspaceID: workspaceID, event: record.event, resource: record.resource, resourceID: record.resourceID)
        let matches: [IngestBatch.Match]
        if let known = batch.matches[key] {
            matches = known
        } else {
            matches = try await connection.all(
                """
                SELECT r.id, r.connection_id, r.type FROM rules r JOIN connections c ON c.id = r.connection_id
                WHERE r.workspace_id = \(workspaceID) AND r.event = \(record.event) AND r.active AND c.active
                  AND (r.resource IS NULL OR r.resource = \(record.resource))
                  AND (r.resource_id IS NULL OR r.resource_id = \(record.resourceID))
                ORDER BY r.created_at, r.id
                """, logger
            ).map { IngestBatch.Match(ruleID: try $0["id"], connectionID: try $0["connection_id"], type: try $0["type"]) }
            batch.matches[key] = matches
        }
        let status: DeliveryStatus = matches.isEmpty ? .completed : .pending
        let statusName = status.rawValue
        let total = matches.count
        let completedAt: Int64? = matches.isEmpty ? now : nil
        let ruleEvents = matches.map { match in
            RuleEvent(
                id: Formats.uuid(), orgID: orgID, workspaceID: workspaceID, eventID: eventID, eventName: record.event,
                resource: record.resource, resourceID: record.resourceID, connectionID: match.connectionID,
                ruleID: match.ruleID, integrationType: match.type, status: .pending, attemptCount: 0, nextAttemptAt: now,
                cancelRequested: false, createdBy: createdBy, createdAt: now)
        }
        let row = PostgresStatements.NewEvent(
            id: eventID, orgID: orgID, workspaceID: workspaceID, event: record.event, resource: record.resource,
            resourceID: record.resourceID, payloadJSON: record.payloadJSON, status: statusName, totalRules: Int64(total),
            completedAt: completedAt, createdBy: createdBy, createdAt: now)
        if ruleEvents.isEmpty {
            _ = try await connection.rows(PostgresStatements.InsertEvent(event: row), logger)
        } else {
            _ = try await connection.rows(
                PostgresStatements.InsertEventWithDeliveries(
                    event: row, ids: ruleEvents.map(\.id), connectionIDs: ruleEvents.map(\.connectionID),
                    ruleIDs: ruleEvents.map(\.ruleID), types: ruleEvents.map(\.integrationType)), logger)
            batch.due = true
        }
        for (kind, key) in [(CatalogKind.eventType, record.event), (CatalogKind.resource, record.resource)] {
            let entry = IngestBatch.CatalogKey(workspaceID: workspaceID, kind: kind.rawValue, key: key)
            if batch.catalogSeen.insert(entry).inserted { batch.catalog.append(entry) }
        }
        return Event(
            id: eventID, orgID: orgID, workspaceID: workspaceID, event: record.event, resource: record.resource,
            resourceID: record.resourceID, status: status, totalRules: total, completedCount: 0, failedCount: 0,
            canceledCount: 0, completedAt: completedAt, createdBy: createdBy, createdAt: now,
            payload: .object(record.payload), ruleEvents: ruleEvents)
    }

    /// The writes an ingest transaction makes once: the catalogue entries its events named (new ones only), and
    /// the notification that wakes every node's scheduler when it commits.
    static func finish(_ connection: PostgresConnection, _ logger: Logger, _ batch: IngestBatch, now: Int64) async throws {
        if !batch.catalog.isEmpty {
            let ids = batch.catalog.map { _ in Formats.uuid() }
            let workspaces = batch.catalog.map(\.workspaceID)
            let kinds = batch.catalog.map(\.kind)
            let keys = batch.catalog.map(\.key)
            try await connection.run(
                """
                INSERT INTO catalog_items (id, workspace_id, kind, key, label, active, created_by, created_at, updated_at)
                SELECT u.id, u.workspace_id, u.kind, u.key, u.key, TRUE, 'system', \(now), \(now)
                FROM unnest(\(ids)::text[], \(workspaces)::text[], \(kinds)::text[], \(keys)::text[])
                    WITH ORDINALITY AS u(id, workspace_id, kind, key, position)
                ORDER BY u.position
                ON CONFLICT (workspace_id, kind, key) DO NOTHING
                """, logger)
        }
        if batch.due { try await connection.run("SELECT pg_notify(\(PostgresStore.workChannel), '')", logger) }
    }

    // MARK: - Reads

    static func ruleEvent(_ row: Fields) throws -> RuleEvent {
        let status: String = try row["status"]
        return RuleEvent(
            id: try row["id"], orgID: try row["org_id"], workspaceID: try row["workspace_id"], eventID: try row["event_id"],
            eventName: try row["event_name"], resource: try row["resource"], resourceID: try row["resource_id"],
            connectionID: try row["connection_id"], ruleID: try row["rule_id"], integrationType: try row["integration_type"],
            status: DeliveryStatus(rawValue: status) ?? .pending, attemptCount: Int(try row["attempt_count"] as Int64),
            nextAttemptAt: try row["next_attempt_at"], startedAt: try row["started_at"], completedAt: try row["completed_at"],
            lastError: try row["last_error"], cancelRequested: try row["cancel_requested"], createdBy: try row["created_by"],
            createdAt: try row["created_at"])
    }

    static func event(_ row: Fields, includePayload: Bool) throws -> Event {
        let status: String = try row["status"]
        return Event(
            id: try row["id"], orgID: try row["org_id"], workspaceID: try row["workspace_id"], event: try row["event"],
            resource: try row["resource"], resourceID: try row["resource_id"], status: DeliveryStatus(rawValue: status) ?? .pending,
            totalRules: Int(try row["total_rules"] as Int64), completedCount: Int(try row["completed_count"] as Int64),
            failedCount: Int(try row["failed_count"] as Int64), canceledCount: Int(try row["canceled_count"] as Int64),
            startedAt: try row["started_at"], completedAt: try row["completed_at"], createdBy: try row["created_by"],
            createdAt: try row["created_at"], payload: includePayload ? try row.json("payload") : nil, ruleEvents: [])
    }

    /// Attaches rule events (oldest first) to `events` with one query.
    static func attachRuleEvents(_ connection: PostgresConnection, _ logger: Logger, _ events: [Event]) async throws -> [Event] {
        guard !events.isEmpty else { return events }
        let ids = events.map(\.id)
        let rows = try await connection.all(
            """
            SELECT * FROM rule_events WHERE event_seq IN (SELECT seq FROM events WHERE id = ANY(\(ids)))
            ORDER BY created_at, id
            """, logger)
        var byEvent: [String: [RuleEvent]] = [:]
        for row in rows {
            let ruleEvent = try ruleEvent(row)
            byEvent[ruleEvent.eventID, default: []].append(ruleEvent)
        }
        return events.map { event in
            var event = event
            event.ruleEvents = byEvent[event.id] ?? []
            return event
        }
    }

    static func fetchEvent(_ connection: PostgresConnection, _ logger: Logger, orgID: String, id: String, includePayload: Bool)
        async throws -> Event?
    {
        guard let row = try await connection.one("SELECT * FROM events WHERE id = \(id) AND org_id = \(orgID)", logger) else {
            return nil
        }
        return try await attachRuleEvents(connection, logger, [event(row, includePayload: includePayload)]).first
    }

    public func event(orgID: String, id: String, includePayload: Bool) async throws -> Event? {
        try await read { connection in
            try await PostgresStore.fetchEvent(connection, logger, orgID: orgID, id: id, includePayload: includePayload)
        }
    }

    public func listEvents(orgID: String, workspaceID: String?, filter: EventFilter, page: PageRequest) async throws -> Page<Event> {
        try await read { connection in
            let select = PostgresStore.filtered(
                "SELECT * FROM events", orgID: orgID, workspaceID: workspaceID,
                [
                    ("event", filter.event), ("status", filter.status?.rawValue), ("resource", filter.resource),
                    ("resource_id", filter.resourceID),
                ])
            var page = try await PostgresStore.fetchPage(
                connection, logger, select: select, page: page, map: { try PostgresStore.event($0, includePayload: false) },
                key: { Cursor(createdAt: $0.createdAt, id: $0.id) })
            page.records = try await PostgresStore.attachRuleEvents(connection, logger, page.records)
            return page
        }
    }

    public func ruleEvent(orgID: String, eventID: String, ruleID: String) async throws -> RuleEvent? {
        try await read { connection in
            try await connection.one(
                """
                SELECT * FROM rule_events
                WHERE event_seq = (SELECT seq FROM events WHERE id = \(eventID)) AND rule_id = \(ruleID) AND org_id = \(orgID)
                """, logger
            ).map(PostgresStore.ruleEvent)
        }
    }

    // MARK: - Cancel (§5.6)

    public func cancelEvent(orgID: String, id: String) async throws -> Event {
        let now = now()
        return try await write { connection in
            guard let seq: Int64 = try await connection.one("SELECT seq FROM events WHERE id = \(id) AND org_id = \(orgID)", logger)?["seq"]
            else { throw APIError.notFound("Event") }
            try await PostgresStore.cancel(connection, logger, column: "event_seq", seq: seq, now: now)
            guard let event = try await PostgresStore.fetchEvent(connection, logger, orgID: orgID, id: id, includePayload: false) else {
                throw APIError.notFound("Event")
            }
            return event
        }
    }

    public func cancelRuleEvent(orgID: String, eventID: String, ruleID: String) async throws -> RuleEvent {
        let now = now()
        return try await write { connection in
            guard
                let row = try await connection.one(
                    """
                    SELECT * FROM rule_events
                    WHERE event_seq = (SELECT seq FROM events WHERE id = \(eventID)) AND rule_id = \(ruleID) AND org_id = \(orgID)
                    FOR UPDATE
                    """, logger)
            else { throw APIError.notFound("Rule event") }
            let existing = try PostgresStore.ruleEvent(row)
            let seq: Int64 = try row["seq"]
            if existing.status.isTerminal {
                throw APIError.conflict("delivery_terminal", "The delivery is already \(existing.status.rawValue)")
            }
            try await PostgresStore.cancel(connection, logger, column: "seq", seq: seq, now: now)
            guard let updated = try await connection.one("SELECT * FROM rule_events WHERE seq = \(seq)", logger) else {
                throw APIError.notFound("Rule event")
            }
            return try PostgresStore.ruleEvent(updated)
        }
    }

    /// Pending/retrying rule events whose `column` (`seq` or `event_seq`) equals `seq` become `canceled`; processing
    /// ones get `cancel_requested`.
    static func cancel(_ connection: PostgresConnection, _ logger: Logger, column: String, seq: Int64, now: Int64) async throws {
        var select = SQL("SELECT DISTINCT event_seq FROM rule_events WHERE status IN ('pending','retrying','processing') AND \(column) = ")
        select.bind(seq)
        let events: [Int64] = try await connection.all(select.query, logger).map { try $0["event_seq"] }
        var canceled = SQL("UPDATE rule_events SET status = 'canceled', next_attempt_at = NULL, completed_at = ")
        canceled.bind(now)
        canceled.append(" WHERE status IN ('pending','retrying') AND \(column) = ")
        canceled.bind(seq)
        try await connection.run(canceled.query, logger)
        var requested = SQL("UPDATE rule_events SET cancel_requested = TRUE WHERE status = 'processing' AND \(column) = ")
        requested.bind(seq)
        try await connection.run(requested.query, logger)
        try await recomputeEvents(connection, logger, Dictionary(events.map { ($0, now) }, uniquingKeysWith: { first, _ in first }))
    }

    /// Deleting a rule cancels its non-terminal rule events (§2.4).
    static func cancelRuleWork(_ connection: PostgresConnection, _ logger: Logger, ruleID: String, now: Int64) async throws {
        let events: [Int64] = try await connection.all(
            "SELECT DISTINCT event_seq FROM rule_events WHERE rule_id = \(ruleID) AND status IN ('pending','retrying','processing')",
            logger
        ).map { try $0["event_seq"] }
        try await connection.run(
            """
            UPDATE rule_events SET status = 'canceled', next_attempt_at = NULL, completed_at = \(now)
            WHERE rule_id = \(ruleID) AND status IN ('pending','retrying')
            """, logger)
        try await connection.run(
            "UPDATE rule_events SET cancel_requested = TRUE WHERE rule_id = \(ruleID) AND status = 'processing'", logger)
        try await recomputeEvents(connection, logger, Dictionary(events.map { ($0, now) }, uniquingKeysWith: { first, _ in first }))
    }

    /// An inactive connection fails its pending work without an attempt (§5.5).
    static func failPendingWork(_ connection: PostgresConnection, _ logger: Logger, connectionID: String, reason: String, now: Int64)
        async throws
    {
        let events: [Int64] = try await connection.all(
            """
            UPDATE rule_events SET status = 'failed', next_attempt_at = NULL, completed_at = \(now), last_error = \(reason)
            WHERE connection_id = \(connectionID) AND status IN ('pending','retrying')
            RETURNING event_seq
            """, logger
        ).map { try $0["event_seq"] }
        try await recomputeEvents(connection, logger, Dictionary(events.map { ($0, now) }, uniquingKeysWith: { first, _ in first }))
    }

    /// §5.7 aggregation of one event, in the caller's transaction. The event row is locked first, so two nodes
    /// changing rule events of the same event recompute one after the other and the later sees both changes.
    static func recomputeEvent(_ connection: PostgresConnection, _ logger: Logger, eventSeq seq: Int64, now: Int64) async throws {
        try await recomputeEvents(connection, logger, [seq: now])
    }

    /// §5.7 for several events (key → the time a terminal status takes when no rule event says), in three round trips
    /// whatever their number: the events locked in key order (so concurrent transactions lock them in the same order),
    /// their rule events counted per status, and every event updated from one array per column.
    static func recomputeEvents(_ connection: PostgresConnection, _ logger: Logger, _ events: [Int64: Int64]) async throws {
        guard !events.isEmpty else { return }
        let seqs = events.keys.sorted()
        var lock = SQL("SELECT seq FROM events WHERE seq = ANY(")
        lock.bind(seqs)
        lock.append(") ORDER BY seq FOR UPDATE")
        try await connection.run(lock.query, logger)
        struct Tally {
            var counts: [String: Int] = [:]
            var total = 0
            var started: Int64?
            var lastDone: Int64?
        }
        var tallies: [Int64: Tally] = [:]
        var select = SQL(
            "SELECT event_seq, status, COUNT(*) AS n, MIN(started_at) AS first_start, MAX(completed_at) AS last_done "
                + "FROM rule_events WHERE event_seq = ANY(")
        select.bind(seqs)
        select.append(") GROUP BY event_seq, status")
        for row in try await connection.all(select.query, logger) {
            let seq: Int64 = try row["event_seq"]
            var tally = tallies[seq] ?? Tally()
            let count = Int(try row["n"] as Int64)
            tally.counts[try row["status"]] = count
            tally.total += count
            if let value: Int64 = try row["first_start"] { tally.started = min(tally.started ?? value, value) }
            if let value: Int64 = try row["last_done"] { tally.lastDone = max(tally.lastDone ?? value, value) }
            tallies[seq] = tally
        }
        var statuses: [String] = []
        var completed: [Int64] = []
        var failed: [Int64] = []
        var canceled: [Int64] = []
        // Arrays cannot carry NULL here: -1 (never a time) stands for it.
        var started: [Int64] = []
        var completedAt: [Int64] = []
        for seq in seqs {
            let tally = tallies[seq] ?? Tally()
            let status = DeliveryStatus.aggregate(total: tally.total, counts: tally.counts, anyStarted: tally.started != nil)
            statuses.append(status.rawValue)
            completed.append(Int64(tally.counts["completed"] ?? 0))
            failed.append(Int64(tally.counts["failed"] ?? 0))
            canceled.append(Int64(tally.counts["canceled"] ?? 0))
            started.append(tally.started ?? -1)
            completedAt.append(status.isTerminal ? (tally.lastDone ?? events[seq] ?? 0) : -1)
        }
        try await connection.run(
            """
            UPDATE events e SET status = u.status, completed_count = u.completed, failed_count = u.failed,
                canceled_count = u.canceled, started_at = NULLIF(u.started, -1), completed_at = NULLIF(u.completed_at, -1)
            FROM unnest(\(seqs)::bigint[], \(statuses)::text[], \(completed)::bigint[], \(failed)::bigint[],
                \(canceled)::bigint[], \(started)::bigint[], \(completedAt)::bigint[])
                AS u(seq, status, completed, failed, canceled, started, completed_at)
            WHERE e.seq = u.seq
            """, logger)
    }

    // MARK: - Idempotency (§3.2)

    public func idempotencyBegin(orgID: String, key: String, path: String, bodyHash: String) async throws -> IdempotencyState {
        let now = now()
        return try await write { connection in
            // Two passes at most: when another node inserts the key between our read and our insert, the insert does
            // nothing and the second read sees its (committed) row.
            for _ in 0..<2 {
                if let row = try await connection.one(
                    "SELECT * FROM idempotency WHERE org_id = \(orgID) AND key = \(key) AND path = \(path) FOR UPDATE", logger)
                {
                    let state: String = try row["state"]
                    let completedAt: Int64? = try row["completed_at"]
                    let createdAt: Int64 = try row["created_at"]
                    let expired =
                        state == "done"
                        ? now - (completedAt ?? createdAt) > SQLiteStore.idempotencyLifetime
                        : now - createdAt > SQLiteStore.idempotencyStaleRunning
                    if !expired {
                        if (try row["body_hash"] as String) != bodyHash { return .mismatch }
                        if state != "done" { return .inProgress }
                        let status: Int64 = try row["status"] ?? 0
                        return .replay(status: Int(status), body: try row["response"] ?? "")
                    }
                    try await connection.run("DELETE FROM idempotency WHERE org_id = \(orgID) AND key = \(key) AND path = \(path)", logger)
                }
                if try await connection.one(
                    """
                    INSERT INTO idempotency (org_id, key, path, body_hash, state, created_at)
                    VALUES (\(orgID), \(key), \(path), \(bodyHash), 'running', \(now))
                    ON CONFLICT (org_id, key, path) DO NOTHING RETURNING 1 AS claimed
                    """, logger) != nil
                {
                    return .claimed
                }
            }
            return .inProgress
        }
    }

    public func idempotencyComplete(orgID: String, key: String, path: String, status: Int, body: String) async throws {
        let now = now()
        try await read { connection in
            try await connection.run(
                """
                UPDATE idempotency SET state = 'done', status = \(status), response = \(body), completed_at = \(now)
                WHERE org_id = \(orgID) AND key = \(key) AND path = \(path)
                """, logger)
        }
    }

    public func idempotencyAbandon(orgID: String, key: String, path: String) async throws {
        try await read { connection in
            try await connection.run("DELETE FROM idempotency WHERE org_id = \(orgID) AND key = \(key) AND path = \(path)", logger)
        }
    }

    // MARK: - Attempts

    static func attempt(_ row: Fields) throws -> Attempt {
        let number: Int64 = try row["attempt_number"]
        let status: Int64? = try row["response_status"]
        let duration: Int64 = try row["response_duration_ms"]
        return Attempt(
            id: try row["id"], ruleEventID: try row["rule_event_id"], eventID: try row["event_id"], ruleID: try row["rule_id"],
            connectionID: try row["connection_id"], attemptNumber: Int(number), trigger: try row["trigger"],
            outcomeCode: try row["outcome_code"], message: try row["message"], requestMethod: try row["request_method"],
            requestURL: try row["request_url"], responseStatus: status.map { Int($0) }, responseDurationMS: Int(duration),
            responseHeaders: try row.json("response_headers"), responseBody: try row["response_body"],
            responseTruncated: try row["response_truncated"], startedAt: try row["started_at"], endedAt: try row["ended_at"],
            nextAttemptAt: try row["next_attempt_at"], createdAt: try row["created_at"])
    }

    public func attempts(orgID: String, eventID: String, ruleID: String, page: PageRequest) async throws -> Page<Attempt> {
        try await read { connection in
            var select = SQL(
                "SELECT a.* FROM attempts a JOIN rule_events r ON r.seq = a.rule_event_seq WHERE r.org_id = ")
            select.bind(orgID)
            select.append(" AND r.event_seq = (SELECT seq FROM events WHERE id = ")
            select.bind(eventID)
            select.append(") AND r.rule_id = ")
            select.bind(ruleID)
            return try await PostgresStore.fetchPage(
                connection, logger, select: select, page: page, idColumn: "a.id", createdColumn: "a.created_at",
                map: PostgresStore.attempt, key: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    public func attempt(orgID: String, eventID: String, ruleID: String, id: String) async throws -> Attempt? {
        try await read { connection in
            try await connection.one(
                """
                SELECT a.* FROM attempts a JOIN rule_events r ON r.seq = a.rule_event_seq
                WHERE r.org_id = \(orgID) AND r.event_seq = (SELECT seq FROM events WHERE id = \(eventID)) AND r.rule_id = \(ruleID)
                  AND a.id = \(id)
                """, logger
            ).map(PostgresStore.attempt)
        }
    }
}
