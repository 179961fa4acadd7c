internal import GRDBSQLite
internal import MeshesCore
internal import SharedCore

/// The event reads of the API written to JSON straight from the rows: a page of 50 events with their rule events
/// is ~1,300 column values, and making a `String` and a struct of each cost more than writing them.
extension SQLiteStore {
    public func renderedEvent(orgID: String, id: String, includePayload: Bool) async throws -> RenderedEvent? {
        try readRaw { connection in
            var rendered: RenderedEvent?
            let sql = "SELECT \(SQLiteStore.eventColumns(payload: includePayload)), seq FROM events WHERE id = ? AND org_id = ?"
            try connection.rows(sql, [.text(id), .text(orgID)]) { statement in
                let row = EventRow(statement: statement)
                let payload = includePayload ? row.payload : nil
                var writer = JSONWriter(capacity: 2048)
                try EventJSON.write(row, to: &writer, payload: payload) { writer in
                    try SQLiteStore.writeRuleEvents(connection, eventSeq: row.seq, to: &writer)
                }
                let columns = Columns(statement: statement, connection: connection)
                rendered = RenderedEvent(
                    json: writer.bytes, workspaceID: columns.string(EventColumn.workspaceID),
                    resource: columns.string(EventColumn.resource),
                    resourceID: columns.optionalString(EventColumn.resourceID))
                return false
            }
            return rendered
        }
    }

    public func renderedEvents(orgID: String, workspaceID: String?, filter: EventFilter, page: PageRequest) async throws -> [UInt8] {
        try readRaw { connection in
            let (sql, arguments) = SQLiteStore.eventPageQuery(orgID: orgID, workspaceID: workspaceID, filter: filter, page: page)
            // The events first, each with an empty `rule_events` array whose inside is remembered (`splices`); then
            // the rule events of all of them with one query; then both merged. (One query per event cost more than
            // the whole page.)
            var records = JSONWriter(capacity: 900 * max(1, page.limit))
            var splices: [(seq: Int64, at: Int)] = []
            splices.reserveCapacity(page.limit)
            var last: (createdAt: Int64, id: [UInt8]) = (0, [])
            var more = false
            try connection.rows(sql, arguments) { statement in
                guard splices.count < page.limit else {
                    more = true
                    return false
                }
                let row = EventRow(statement: statement)
                EventJSON.write(row, to: &records, payload: nil) { writer in splices.append((row.seq, writer.count)) }
                last.createdAt = row.createdAt
                last.id.removeAll(keepingCapacity: true)
                if let text = sqlite3_column_text(statement, EventColumn.id) {
                    last.id.append(
                        contentsOf: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, EventColumn.id))))
                }
                return true
            }
            var rules = JSONWriter(capacity: 600 * max(1, splices.count))
            let ranges = try SQLiteStore.writeRuleEvents(connection, eventSeqs: splices.map(\.seq), to: &rules)
            let next = more ? Cursor(createdAt: last.createdAt, id: String(decoding: last.id, as: UTF8.self)) : nil
            var writer = JSONWriter(capacity: records.count + rules.count + 256)
            Page<Event>.writeEnvelope(to: &writer, count: splices.count, limit: page.limit, next: next) { writer in
                records.withBytes { events in
                    rules.withBytes { rules in
                        writer.raw(UnsafeBufferPointer(rebasing: events[0..<(splices.first?.at ?? events.count)]))
                        for (index, splice) in splices.enumerated() {
                            if let range = ranges[splice.seq] { writer.rawContinued(UnsafeBufferPointer(rebasing: rules[range])) }
                            let end = index + 1 < splices.count ? splices[index + 1].at : events.count
                            writer.rawContinued(UnsafeBufferPointer(rebasing: events[splice.at..<end]))
                        }
                    }
                }
            }
            return writer.bytes
        }
    }

    /// The rule events of the events with these keys, oldest first within each event (the order of
    /// `attachRuleEvents`), written to `writer`: the JSON objects of each event's, comma-separated, at the returned
    /// `[seq]` range of its bytes.
    static func writeRuleEvents(_ connection: ReaderConnection, eventSeqs: [Int64], to writer: inout JSONWriter) throws -> [Int64: Range<
        Int
    >] {
        guard !eventSeqs.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: eventSeqs.count).joined(separator: ",")
        var ranges: [Int64: Range<Int>] = [:]
        var current: (seq: Int64, start: Int)?
        func close(_ writer: inout JSONWriter) {
            guard let open = current else { return }
            ranges[open.seq] = open.start..<writer.count
            writer.endArray()
        }
        try connection.rows(
            "SELECT * FROM rule_events WHERE event_seq IN (\(placeholders)) ORDER BY event_seq, created_at, id", eventSeqs.map { .int($0) }
        ) { statement in
            let seq = sqlite3_column_int64(statement, RuleEventColumn.eventSeq)
            if current?.seq != seq {
                close(&writer)
                // Each event's objects in an array of their own, so that commas never cross events; the range
                // is the inside.
                writer.beginArray()
                current = (seq, writer.count)
            }
            EventJSON.write(RuleEventRow(statement: statement), to: &writer)
            return true
        }
        close(&writer)
        return ranges
    }

    /// The rule events of one event, oldest first (the order of `attachRuleEvents`).
    static func writeRuleEvents(_ connection: ReaderConnection, eventSeq: Int64, to writer: inout JSONWriter) throws {
        try connection.rows("SELECT * FROM rule_events WHERE event_seq = ? ORDER BY created_at, id", eventSeq) { statement in
            EventJSON.write(RuleEventRow(statement: statement), to: &writer)
            return true
        }
    }
}

/// A text column of a raw statement's current row, written without making a `String` (NULL writes as "").
struct ColumnText: JSONText {
    let statement: OpaquePointer
    let index: Int32

    init(_ statement: OpaquePointer, _ index: Int32) {
        self.statement = statement
        self.index = index
    }

    /// The column, or nil when it is NULL.
    static func optional(_ statement: OpaquePointer, _ index: Int32) -> ColumnText? {
        sqlite3_column_type(statement, index) == SQLITE_NULL ? nil : ColumnText(statement, index)
    }

    func write(to writer: inout JSONWriter) {
        guard let text = sqlite3_column_text(statement, index) else { return writer.string("") }
        writer.string(utf8: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))))
    }
}

/// The current row of a query of `eventColumns` and `seq`, as the fields of the event's JSON form.
struct EventRow: EventFields {
    typealias C = SQLiteStore.EventColumn
    let statement: OpaquePointer

    var id: ColumnText { ColumnText(statement, C.id) }
    var workspaceID: ColumnText { ColumnText(statement, C.workspaceID) }
    var event: ColumnText { ColumnText(statement, C.event) }
    var resource: ColumnText { ColumnText(statement, C.resource) }
    var resourceID: ColumnText? { .optional(statement, C.resourceID) }
    var statusText: String { SQLiteStore.statusText(statement, C.status) }
    var totalRules: Int { Int(sqlite3_column_int64(statement, C.totalRules)) }
    var completedCount: Int { Int(sqlite3_column_int64(statement, C.completedCount)) }
    var failedCount: Int { Int(sqlite3_column_int64(statement, C.failedCount)) }
    var canceledCount: Int { Int(sqlite3_column_int64(statement, C.canceledCount)) }
    var startedAt: Int64? { SQLiteStore.optionalInt64(statement, C.startedAt) }
    var completedAt: Int64? { SQLiteStore.optionalInt64(statement, C.completedAt) }
    var createdBy: ColumnText { ColumnText(statement, C.createdBy) }
    var createdAt: Int64 { sqlite3_column_int64(statement, C.createdAt) }
    var seq: Int64 { sqlite3_column_int64(statement, C.seq) }

    /// The stored payload as a value (parsed: the form the API writes is the emitter's, whatever the stored text).
    var payload: JSONValue? {
        guard sqlite3_column_type(statement, C.payload) != SQLITE_NULL, let text = sqlite3_column_text(statement, C.payload) else {
            return nil
        }
        let count = Int(sqlite3_column_bytes(statement, C.payload))
        return SQLiteStore.eventPayload(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
    }
}

/// The current row of a `SELECT * FROM rule_events` query, as the fields of the rule event's JSON form.
struct RuleEventRow: RuleEventFields {
    typealias C = SQLiteStore.RuleEventColumn
    let statement: OpaquePointer

    var id: ColumnText { ColumnText(statement, C.id) }
    var workspaceID: ColumnText { ColumnText(statement, C.workspaceID) }
    var eventName: ColumnText { ColumnText(statement, C.eventName) }
    var eventID: ColumnText { ColumnText(statement, C.eventID) }
    var resource: ColumnText { ColumnText(statement, C.resource) }
    var resourceID: ColumnText? { .optional(statement, C.resourceID) }
    var connectionID: ColumnText { ColumnText(statement, C.connectionID) }
    var ruleID: ColumnText { ColumnText(statement, C.ruleID) }
    var integrationType: ColumnText { ColumnText(statement, C.integrationType) }
    var statusText: String { SQLiteStore.statusText(statement, C.status) }
    var attemptCount: Int { Int(sqlite3_column_int64(statement, C.attemptCount)) }
    var nextAttemptAt: Int64? { SQLiteStore.optionalInt64(statement, C.nextAttemptAt) }
    var startedAt: Int64? { SQLiteStore.optionalInt64(statement, C.startedAt) }
    var completedAt: Int64? { SQLiteStore.optionalInt64(statement, C.completedAt) }
    var lastError: ColumnText? { .optional(statement, C.lastError) }
    var createdBy: ColumnText { ColumnText(statement, C.createdBy) }
    var createdAt: Int64 { sqlite3_column_int64(statement, C.createdAt) }
}

extension SQLiteStore {
    /// A status column as the decoders read it (an unknown value reads as `pending`). Statuses are short enough
    /// for a `String` without allocation.
    static func statusText(_ statement: OpaquePointer, _ index: Int32) -> String {
        guard let text = sqlite3_column_text(statement, index) else { return DeliveryStatus.pending.rawValue }
        let value = String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))), as: UTF8.self)
        return (DeliveryStatus(rawValue: value) ?? .pending).rawValue
    }

    static func optionalInt64(_ statement: OpaquePointer, _ index: Int32) -> Int64? {
        sqlite3_column_type(statement, index) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, index)
    }
}
