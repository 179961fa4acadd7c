internal import Foundation
internal import GRDB
public import MeshesCore
internal import SharedCore

extension SQLiteStore {
    // MARK: - Ingest and fan-out (§5.1)

    public func ingest(orgID: String, workspaceID: String, record: IngestRecord, createdBy: String) async throws -> Event {
        let item = IngestJob(workspaceID: workspaceID, record: record, createdBy: createdBy)
        let facts = item.facts(orgID: orgID)
        let known = ingestCache.lookup(facts)
        let now = now()
        let routes = routingCache
        let event: Event = try await write { db in
            try SQLiteStore.insertEvent(
                db, orgID: orgID, item, known: known, now: now, routes: routes, version: try SQLiteStore.routingVersion(db))
        }
        if known.contains(false) { ingestCache.remember(facts) }
        return event
    }

    public func ingestMany(orgID: String, items: [IngestJob]) async throws -> [Result<Event, APIError>] {
        let facts = items.map { $0.facts(orgID: orgID) }
        let known = ingestCache.lookup(facts.flatMap { $0 })
        let now = now()
        let routes = routingCache
        let results: [Result<Event, APIError>] = try await write { db in
            var out: [Result<Event, APIError>] = []
            out.reserveCapacity(items.count)
            // No savepoint per item: `insertEvent` throws its API errors before it writes anything, and any
            // other error fails the whole job (rolled back by the job's savepoint).
            let version = try SQLiteStore.routingVersion(db)
            for (index, item) in items.enumerated() {
                do {
                    let event = try SQLiteStore.insertEvent(
                        db, orgID: orgID, item, known: Array(known[(index * 3)..<(index * 3 + 3)]), now: now, routes: routes,
                        version: version)
                    out.append(.success(event))
                } catch let error as APIError {
                    out.append(.failure(error))
                }
            }
            return out
        }
        var learned: [String] = []
        for (index, result) in results.enumerated() {
            if case .success = result, known[(index * 3)..<(index * 3 + 3)].contains(false) { learned += facts[index] }
        }
        if !learned.isEmpty { ingestCache.remember(learned) }
        return results
    }

    /// The database's routing version (schema v7), read in the caller's transaction.
    static func routingVersion(_ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: "SELECT value FROM store_versions WHERE name = 'routing'").int64(in: db) ?? 0
    }

    /// Stores one event and its rule events (§5.1) in the caller's transaction. API errors (unknown workspace)
    /// are thrown before the first write. `version` is the routing version read in this transaction.
    static func insertEvent(
        _ db: Database, orgID: String, _ item: IngestJob, known: [Bool], now: Int64, routes: RoutingCache, version: Int64
    ) throws -> Event {
        let workspaceID = item.workspaceID
        let record = item.record
        let createdBy = item.createdBy
        let eventID = Formats.uuid()
        let payload = record.payloadJSON
        if !known[0] {
            guard
                try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT 1 FROM workspaces WHERE id = ? AND org_id = ?"), arguments: [workspaceID, orgID]) != nil
            else { throw APIError.notFound("Workspace") }
        }
        let key = MatchKey(workspaceID: workspaceID, event: record.event, resource: record.resource, resourceID: record.resourceID)
        let matches = try routes.matches(key, version: version) {
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT r.id, r.connection_id, r.type FROM rules r JOIN connections c ON c.id = r.connection_id
                        WHERE r.workspace_id = ? AND r.event = ? AND r.active = 1 AND c.active = 1
                          AND (r.resource IS NULL OR r.resource = ?) AND (r.resource_id IS NULL OR r.resource_id = ?)
                        ORDER BY r.created_at, r.id
                        """),
                arguments: [workspaceID, record.event, record.resource, record.resourceID]
            ).map { RuleMatch(ruleID: $0["id"], connectionID: $0["connection_id"], integrationType: $0["type"]) }
        }
        let status: DeliveryStatus = matches.isEmpty ? .completed : .pending
        // `OR FAIL`: a single-row insert checks its constraints before it writes, so SQLite need not open a
        // statement journal per insert (it does for the default ABORT); the job's savepoint undoes the whole
        // job when anything fails.
        try db.cachedStatement(
            sql: """
                INSERT OR FAIL INTO events (id, org_id, workspace_id, event, resource, resource_id, payload, status, total_rules,
                    completed_at, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).run(
            [
                .text(eventID), .text(orgID), .text(workspaceID), .text(record.event), .text(record.resource),
                ReaderValue(record.resourceID), .text(payload), .text(status.rawValue), .int(Int64(matches.count)),
                matches.isEmpty ? .int(now) : .null, .text(createdBy), .int(now),
            ], in: db)
        let eventSeq = db.lastInsertedRowID
        var ruleEvents: [RuleEvent] = []
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR FAIL INTO rule_events (id, event_seq, org_id, workspace_id, event_id, event_name, resource, resource_id,
                    connection_id, rule_id, integration_type, status, next_attempt_at, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
                """)
        for match in matches {
            let ruleEvent = RuleEvent(
                id: Formats.uuid(), orgID: orgID, workspaceID: workspaceID, eventID: eventID, eventName: record.event,
                resource: record.resource, resourceID: record.resourceID, connectionID: match.connectionID,
                ruleID: match.ruleID, integrationType: match.integrationType, status: .pending, attemptCount: 0, nextAttemptAt: now,
                cancelRequested: false, createdBy: createdBy, createdAt: now)
            try insert.run(
                [
                    .text(ruleEvent.id), .int(eventSeq), .text(orgID), .text(workspaceID), .text(eventID), .text(record.event),
                    .text(record.resource), ReaderValue(record.resourceID), .text(ruleEvent.connectionID), .text(ruleEvent.ruleID),
                    .text(ruleEvent.integrationType), .int(now), .text(createdBy), .int(now),
                ], in: db)
            ruleEvents.append(ruleEvent)
        }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO catalog_items (id, workspace_id, kind, key, label, active, created_by, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 1, 'system', ?, ?)
                """)
        if !known[1] {
            try upsert.execute(arguments: [
                Formats.uuid(), workspaceID, CatalogKind.eventType.rawValue, record.event, record.event, now, now,
            ])
        }
        if !known[2] {
            try upsert.execute(arguments: [
                Formats.uuid(), workspaceID, CatalogKind.resource.rawValue, record.resource, record.resource, now, now,
            ])
        }
        return Event(
            id: eventID, orgID: orgID, workspaceID: workspaceID, event: record.event, resource: record.resource,
            resourceID: record.resourceID, status: status, totalRules: matches.count, completedCount: 0, failedCount: 0,
            canceledCount: 0, completedAt: matches.isEmpty ? now : nil, createdBy: createdBy, createdAt: now,
            payload: .object(record.payload), ruleEvents: ruleEvents)
    }

    /// What decides the rules an event matches (§5.1).
    struct MatchKey: Hashable, Sendable {
        let workspaceID: String
        let event: String
        let resource: String
        let resourceID: String?
    }

    /// One active rule (with an active connection) an event fans out to.
    struct RuleMatch: Sendable {
        let ruleID: String
        let connectionID: String
        let integrationType: String
    }

    // MARK: - Reads

    /// Decodes a `rule_events` row read with `SELECT *` (or `r.*` first): by position, in table order (the
    /// delivery paths decode thousands per second; a lookup by name costs more than the row).
    static func ruleEvent(_ row: some ColumnReader) -> RuleEvent {
        typealias C = RuleEventColumn
        return RuleEvent(
            id: row.string(C.id), orgID: row.string(C.orgID), workspaceID: row.string(C.workspaceID), eventID: row.string(C.eventID),
            eventName: row.string(C.eventName), resource: row.string(C.resource), resourceID: row.optionalString(C.resourceID),
            connectionID: row.string(C.connectionID), ruleID: row.string(C.ruleID), integrationType: row.string(C.integrationType),
            status: DeliveryStatus(rawValue: row.string(C.status)) ?? .pending, attemptCount: row.int(C.attemptCount),
            nextAttemptAt: row.optionalInt64(C.nextAttemptAt), startedAt: row.optionalInt64(C.startedAt),
            completedAt: row.optionalInt64(C.completedAt), lastError: row.optionalString(C.lastError),
            cancelRequested: row.bool(C.cancelRequested), createdBy: row.string(C.createdBy), createdAt: row.int64(C.createdAt))
    }

    /// Positions of the `rule_events` columns (table order, schema v3), for rows read with `SELECT *`.
    enum RuleEventColumn {
        static let seq: Int32 = 0
        static let id: Int32 = 1
        static let eventSeq: Int32 = 2
        static let orgID: Int32 = 3
        static let workspaceID: Int32 = 4
        static let eventID: Int32 = 5
        static let eventName: Int32 = 6
        static let resource: Int32 = 7
        static let resourceID: Int32 = 8
        static let connectionID: Int32 = 9
        static let ruleID: Int32 = 10
        static let integrationType: Int32 = 11
        static let status: Int32 = 12
        static let attemptCount: Int32 = 13
        static let scheduledFailures: Int32 = 14
        static let nextAttemptAt: Int32 = 15
        static let startedAt: Int32 = 16
        static let completedAt: Int32 = 17
        static let lastError: Int32 = 18
        static let leaseOwner: Int32 = 19
        static let leaseExpiresAt: Int32 = 20
        static let cancelRequested: Int32 = 21
        static let createdBy: Int32 = 22
        static let createdAt: Int32 = 23
    }

    /// The `events` columns `event(_:)` decodes, in `EventColumn` order; `payload` last (NULL unless asked for).
    static func eventColumns(payload: Bool) -> String {
        "id, org_id, workspace_id, event, resource, resource_id, status, total_rules, completed_count, failed_count, "
            + "canceled_count, started_at, completed_at, created_by, created_at, " + (payload ? "payload" : "NULL")
    }

    /// Positions of the columns of `eventColumns`; the hot reads select `seq` after them.
    enum EventColumn {
        static let id: Int32 = 0
        static let orgID: Int32 = 1
        static let workspaceID: Int32 = 2
        static let event: Int32 = 3
        static let resource: Int32 = 4
        static let resourceID: Int32 = 5
        static let status: Int32 = 6
        static let totalRules: Int32 = 7
        static let completedCount: Int32 = 8
        static let failedCount: Int32 = 9
        static let canceledCount: Int32 = 10
        static let startedAt: Int32 = 11
        static let completedAt: Int32 = 12
        static let createdBy: Int32 = 13
        static let createdAt: Int32 = 14
        static let payload: Int32 = 15
        static let seq: Int32 = 16
    }

    /// Decodes a row read with `eventColumns` (by position: pages decode thousands of rows per second).
    static func event(_ row: some ColumnReader) -> Event {
        typealias C = EventColumn
        return Event(
            id: row.string(C.id), orgID: row.string(C.orgID), workspaceID: row.string(C.workspaceID), event: row.string(C.event),
            resource: row.string(C.resource), resourceID: row.optionalString(C.resourceID),
            status: DeliveryStatus(rawValue: row.string(C.status)) ?? .pending, totalRules: row.int(C.totalRules),
            completedCount: row.int(C.completedCount), failedCount: row.int(C.failedCount), canceledCount: row.int(C.canceledCount),
            startedAt: row.optionalInt64(C.startedAt), completedAt: row.optionalInt64(C.completedAt), createdBy: row.string(C.createdBy),
            createdAt: row.int64(C.createdAt), payload: row.optionalString(C.payload).flatMap(eventPayload), ruleEvents: [])
    }

    /// The stored payload text as a value (nil when it does not parse).
    static func eventPayload(_ text: String) -> JSONValue? { try? JSONParser.parse(bytes: Array(text.utf8)) }

    /// `attachRuleEvents` on a raw connection, for events read with their `seq` (the key of `rule_events`).
    static func attachRuleEvents(_ connection: ReaderConnection, _ events: [(event: Event, seq: Int64)]) throws -> [Event] {
        guard !events.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: events.count).joined(separator: ",")
        var byEvent: [String: [RuleEvent]] = [:]
        try connection.query(
            "SELECT * FROM rule_events WHERE event_seq IN (\(placeholders)) ORDER BY event_seq, created_at, id", events.map { .int($0.seq) }
        ) { row in
            let ruleEvent = ruleEvent(row)
            byEvent[ruleEvent.eventID, default: []].append(ruleEvent)
        }
        return events.map { item in
            var event = item.event
            event.ruleEvents = byEvent[event.id] ?? []
            return event
        }
    }

    /// Attaches rule events (oldest first) to `events` with one query.
    static func attachRuleEvents(_ db: Database, _ events: [Event]) throws -> [Event] {
        guard !events.isEmpty else { return events }
        let placeholders = Array(repeating: "?", count: events.count).joined(separator: ",")
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT * FROM rule_events WHERE event_seq IN (SELECT seq FROM events WHERE id IN (\(placeholders)))
                    ORDER BY event_seq, created_at, id
                    """),
            arguments: StatementArguments(events.map(\.id)))
        var byEvent: [String: [RuleEvent]] = [:]
        while let row = try rows.next() {
            let ruleEvent = ruleEvent(row)
            byEvent[ruleEvent.eventID, default: []].append(ruleEvent)
        }
        return events.map { event in
            var event = event
            event.ruleEvents = byEvent[event.id] ?? []
            return event
        }
    }

    static func fetchEvent(_ db: Database, orgID: String, id: String, includePayload: Bool) throws -> Event? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(eventColumns(payload: includePayload)) FROM events WHERE id = ? AND org_id = ?"),
                arguments: [id, orgID])
        else { return nil }
        return try attachRuleEvents(db, [event(row)]).first
    }

    public func event(orgID: String, id: String, includePayload: Bool) async throws -> Event? {
        try readRaw { connection in
            var found: (event: Event, seq: Int64)?
            try connection.query(
                "SELECT \(SQLiteStore.eventColumns(payload: includePayload)), seq FROM events WHERE id = ? AND org_id = ?",
                [.text(id), .text(orgID)]
            ) { found = (SQLiteStore.event($0), $0.int64(SQLiteStore.EventColumn.seq)) }
            guard let found else { return nil }
            return try SQLiteStore.attachRuleEvents(connection, [found]).first
        }
    }

    public func listEvents(orgID: String, workspaceID: String?, filter: EventFilter, page: PageRequest) async throws -> Page<Event> {
        try readRaw { connection in
            let (sql, arguments) = SQLiteStore.eventPageQuery(orgID: orgID, workspaceID: workspaceID, filter: filter, page: page)
            var records: [(event: Event, seq: Int64)] = []
            records.reserveCapacity(page.limit + 1)
            try connection.query(sql, arguments) { records.append((SQLiteStore.event($0), $0.int64(SQLiteStore.EventColumn.seq))) }
            var next: Cursor?
            if records.count > page.limit {
                records.removeLast()
                next = records.last.map { Cursor(createdAt: $0.event.createdAt, id: $0.event.id) }
            }
            return Page(records: try SQLiteStore.attachRuleEvents(connection, records), next: next, limit: page.limit)
        }
    }

    /// The query of one page of events, newest first, with one row more than the page (to know whether another
    /// follows): `eventColumns` and `seq`.
    static func eventPageQuery(orgID: String, workspaceID: String?, filter: EventFilter, page: PageRequest) -> (String, [ReaderValue]) {
        var condition = "org_id = ?"
        var arguments: [ReaderValue] = [.text(orgID)]
        let filters = [
            ("workspace_id", workspaceID), ("event", filter.event), ("status", filter.status?.rawValue), ("resource", filter.resource),
            ("resource_id", filter.resourceID),
        ]
        for case (let column, let value?) in filters {
            condition += " AND \(column) = ?"
            arguments.append(.text(value))
        }
        if let after = page.after {
            condition += " AND (created_at < ? OR (created_at = ? AND id < ?))"
            arguments += [.int(after.createdAt), .int(after.createdAt), .text(after.id)]
        }
        arguments.append(.int(Int64(page.limit + 1)))
        let sql = "SELECT \(eventColumns(payload: false)), seq FROM events WHERE \(condition) ORDER BY created_at DESC, id DESC LIMIT ?"
        return (sql, arguments)
    }

    public func ruleEvent(orgID: String, eventID: String, ruleID: String) async throws -> RuleEvent? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT * FROM rule_events WHERE event_seq = (SELECT seq FROM events WHERE id = ?) AND rule_id = ? AND org_id = ?"),
                arguments: [eventID, ruleID, orgID]
            ).map(SQLiteStore.ruleEvent)
        }
    }

    // MARK: - Cancel (§5.6)

    public func cancelEvent(orgID: String, id: String) async throws -> Event {
        let now = now()
        return try await write { db in
            guard
                try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM events WHERE id = ? AND org_id = ?"), arguments: [id, orgID])
                    != nil
            else {
                throw APIError.notFound("Event")
            }
            try SQLiteStore.cancel(db, where: "event_seq = (SELECT seq FROM events WHERE id = ?)", arguments: [id], now: now)
            return try SQLiteStore.fetchEvent(db, orgID: orgID, id: id, includePayload: false)!
        }
    }

    public func cancelRuleEvent(orgID: String, eventID: String, ruleID: String) async throws -> RuleEvent {
        let now = now()
        return try await write { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT * FROM rule_events WHERE event_seq = (SELECT seq FROM events WHERE id = ?) AND rule_id = ? AND org_id = ?"
                    ),
                    arguments: [eventID, ruleID, orgID]
                )
            else { throw APIError.notFound("Rule event") }
            let existing = SQLiteStore.ruleEvent(row)
            let seq: Int64 = row["seq"]
            if existing.status.isTerminal {
                throw APIError.conflict("delivery_terminal", "The delivery is already \(existing.status.rawValue)")
            }
            try SQLiteStore.cancel(db, where: "seq = ?", arguments: [seq], now: now)
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM rule_events WHERE seq = ?"), arguments: [seq]).map(
                SQLiteStore.ruleEvent)!
        }
    }

    /// Pending/retrying rule events matching the condition become `canceled`; processing ones get `cancel_requested`.
    static func cancel(_ db: Database, where condition: String, arguments: StatementArguments, now: Int64) throws {
        let eventIDs = try String.fetchAll(
            db.cachedStatement(
                sql: "SELECT DISTINCT event_id FROM rule_events WHERE \(condition) AND status IN ('pending','retrying','processing')"),
            arguments: arguments)
        try db.cachedStatement(
            sql: """
                UPDATE rule_events SET status = 'canceled', next_attempt_at = NULL, completed_at = ?
                WHERE \(condition) AND status IN ('pending','retrying')
                """
        ).execute(arguments: [now] + arguments)
        try db.cachedStatement(
            sql: "UPDATE rule_events SET cancel_requested = 1 WHERE \(condition) AND status = 'processing'"
        ).execute(arguments: arguments)
        for eventID in eventIDs { try recomputeEvent(db, eventID: eventID, now: now) }
    }

    /// Deleting a rule cancels its non-terminal rule events (§2.4).
    static func cancelRuleWork(_ db: Database, ruleID: String, now: Int64) throws {
        try cancel(db, where: "rule_id = ?", arguments: [ruleID], now: now)
    }

    /// An inactive connection fails its pending work without an attempt (§5.5).
    static func failPendingWork(_ db: Database, connectionID: String, reason: String, now: Int64) throws {
        let eventIDs = try String.fetchAll(
            db.cachedStatement(
                sql: "SELECT DISTINCT event_id FROM rule_events WHERE connection_id = ? AND status IN ('pending','retrying')"),
            arguments: [connectionID])
        try db.cachedStatement(
            sql: """
                UPDATE rule_events SET status = 'failed', next_attempt_at = NULL, completed_at = ?, last_error = ?
                WHERE connection_id = ? AND status IN ('pending','retrying')
                """
        ).execute(arguments: [now, reason, connectionID])
        for eventID in eventIDs { try recomputeEvent(db, eventID: eventID, now: now) }
    }

    /// §5.7 aggregation, in the caller's transaction.
    static func recomputeEvent(_ db: Database, eventID: String, now: Int64) throws {
        guard let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM events WHERE id = ?"), arguments: [eventID]) else {
            return
        }
        try recomputeEvent(db, eventSeq: seq, now: now)
    }

    /// §5.7 aggregation of the event with this row key: one read of its rule events, one write.
    static func recomputeEvent(_ db: Database, eventSeq seq: Int64, now: Int64) throws {
        var counts: [String: Int] = [:]
        var total = 0
        var started: Int64?
        var lastDone: Int64?
        for row in try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT status, COUNT(*), MIN(started_at), MAX(completed_at) FROM rule_events WHERE event_seq = ?
                    GROUP BY status
                    """), arguments: [seq])
        {
            let count: Int = row[1]
            counts[row[0]] = count
            total += count
            if let value: Int64 = row[2] { started = min(started ?? value, value) }
            if let value: Int64 = row[3] { lastDone = max(lastDone ?? value, value) }
        }
        let status = DeliveryStatus.aggregate(total: total, counts: counts, anyStarted: started != nil)
        try db.cachedStatement(
            sql: """
                UPDATE events SET status = ?, completed_count = ?, failed_count = ?, canceled_count = ?, started_at = ?,
                    completed_at = ?
                WHERE seq = ?
                """
        ).execute(arguments: [
            status.rawValue, counts["completed"] ?? 0, counts["failed"] ?? 0, counts["canceled"] ?? 0, started,
            status.isTerminal ? (lastDone ?? now) : nil, seq,
        ])
    }

    // MARK: - Idempotency (§3.2)

    /// Finished entries live this long.
    package static let idempotencyLifetime: Int64 = 24 * 3600 * 1000
    /// A running entry older than this belongs to a request that died; it can be reclaimed.
    package static let idempotencyStaleRunning: Int64 = 5 * 60 * 1000

    public func idempotencyBegin(orgID: String, key: String, path: String, bodyHash: String) async throws -> IdempotencyState {
        let now = now()
        return try await write { db in
            if let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM idempotency WHERE org_id = ? AND key = ? AND path = ?"),
                arguments: [orgID, key, path])
            {
                let state: String = row["state"]
                let completedAt: Int64? = row["completed_at"]
                let createdAt: Int64 = row["created_at"]
                let expired =
                    state == "done"
                    ? now - (completedAt ?? createdAt) > SQLiteStore.idempotencyLifetime
                    : now - createdAt > SQLiteStore.idempotencyStaleRunning
                if !expired {
                    if (row["body_hash"] as String) != bodyHash { return .mismatch }
                    if state != "done" { return .inProgress }
                    return .replay(status: row["status"], body: row["response"])
                }
                try db.cachedStatement(
                    sql: "DELETE FROM idempotency WHERE org_id = ? AND key = ? AND path = ?"
                ).execute(arguments: [orgID, key, path])
            }
            try db.cachedStatement(
                sql: "INSERT INTO idempotency (org_id, key, path, body_hash, state, created_at) VALUES (?, ?, ?, ?, 'running', ?)"
            ).execute(arguments: [orgID, key, path, bodyHash, now])
            return .claimed
        }
    }

    public func idempotencyComplete(orgID: String, key: String, path: String, status: Int, body: String) async throws {
        let now = now()
        _ = try await write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE idempotency SET state = 'done', status = ?, response = ?, completed_at = ?
                    WHERE org_id = ? AND key = ? AND path = ?
                    """
            ).execute(arguments: [status, body, now, orgID, key, path])
        }
    }

    public func idempotencyAbandon(orgID: String, key: String, path: String) async throws {
        _ = try await write { db in
            try db.cachedStatement(sql: "DELETE FROM idempotency WHERE org_id = ? AND key = ? AND path = ?").execute(arguments: [
                orgID, key, path,
            ])
        }
    }
}

extension SQLiteStore {
    // MARK: - Attempts

    static func attempt(_ row: Row) -> Attempt {
        Attempt(
            id: row["id"], ruleEventID: row["rule_event_id"], eventID: row["event_id"], ruleID: row["rule_id"],
            connectionID: row["connection_id"], attemptNumber: row["attempt_number"], trigger: row["trigger"],
            outcomeCode: row["outcome_code"], message: row["message"], requestMethod: row["request_method"],
            requestURL: row["request_url"], responseStatus: row["response_status"], responseDurationMS: row["response_duration_ms"],
            responseHeaders: row.json("response_headers"), responseBody: row["response_body"],
            responseTruncated: row["response_truncated"], startedAt: row["started_at"], endedAt: row["ended_at"],
            nextAttemptAt: row["next_attempt_at"], createdAt: row["created_at"])
    }

    public func attempts(orgID: String, eventID: String, ruleID: String, page: PageRequest) async throws -> Page<Attempt> {
        try await read { db in
            try SQLiteStore.fetchPage(
                db,
                select: """
                    SELECT a.* FROM attempts a JOIN rule_events r ON r.seq = a.rule_event_seq
                    WHERE r.org_id = ? AND r.event_seq = (SELECT seq FROM events WHERE id = ?) AND r.rule_id = ?
                    """,
                arguments: [orgID, eventID, ruleID], page: page, idColumn: "a.id", createdColumn: "a.created_at", map: SQLiteStore.attempt,
                key: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    public func attempt(orgID: String, eventID: String, ruleID: String, id: String) async throws -> Attempt? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT a.* FROM attempts a JOIN rule_events r ON r.seq = a.rule_event_seq
                        WHERE r.org_id = ? AND r.event_seq = (SELECT seq FROM events WHERE id = ?) AND r.rule_id = ? AND a.id = ?
                        """),
                arguments: [orgID, eventID, ruleID, id]
            ).map(SQLiteStore.attempt)
        }
    }
}
