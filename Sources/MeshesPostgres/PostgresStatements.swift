internal import Foundation
internal import Logging
internal import PostgresNIO

/// The statements every ingest and every claim runs, prepared once per pooled connection (postgres-nio names and
/// caches them per connection) instead of parsed and planned on every call. The rest of the store's statements are
/// rarer and go as one-off extended-protocol queries with bound parameters.
enum PostgresStatements {
    /// Whether the workspace exists in the org (one row, or none).
    struct WorkspaceInOrg: PostgresPreparedStatement {
        static let sql = "SELECT 1::int4 FROM workspaces WHERE id = $1 AND org_id = $2"
        typealias Row = Int32

        var workspaceID: String
        var orgID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(workspaceID)
            bindings.append(orgID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
    }

    /// The columns of a new event, shared by the two insert statements ($1 … $12).
    struct NewEvent: Sendable {
        var id: String
        var orgID: String
        var workspaceID: String
        var event: String
        var resource: String
        var resourceID: String?
        var payloadJSON: String
        var status: String
        var totalRules: Int64
        var completedAt: Int64?
        var createdBy: String
        var createdAt: Int64

        static let columns = """
            INSERT INTO events (id, org_id, workspace_id, event, resource, resource_id, payload, status, total_rules,
                completed_at, created_by, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """

        func append(to bindings: inout PostgresBindings) {
            bindings.append(id)
            bindings.append(orgID)
            bindings.append(workspaceID)
            bindings.append(event)
            bindings.append(resource)
            if let resourceID { bindings.append(resourceID) } else { bindings.appendNull() }
            bindings.append(payloadJSON)
            bindings.append(status)
            bindings.append(totalRules)
            if let completedAt { bindings.append(completedAt) } else { bindings.appendNull() }
            bindings.append(createdBy)
            bindings.append(createdAt)
        }
    }

    /// An event no rule matched.
    struct InsertEvent: PostgresPreparedStatement {
        static let sql = NewEvent.columns
        typealias Row = Void

        var event: NewEvent

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 12)
            event.append(to: &bindings)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// An event and its rule events in one round trip: the rule events take the event's new `seq`, one per
    /// (id, connection, rule, type) of the arrays $13 … $16, in their order.
    struct InsertEventWithDeliveries: PostgresPreparedStatement {
        static let sql = """
            WITH e AS (\(NewEvent.columns) RETURNING seq)
            INSERT INTO rule_events (id, event_seq, org_id, workspace_id, event_id, event_name, resource, resource_id,
                connection_id, rule_id, integration_type, status, next_attempt_at, created_by, created_at)
            SELECT u.id, e.seq, $2, $3, $1, $4, $5, $6, u.connection_id, u.rule_id, u.integration_type, 'pending', $12, $11, $12
            FROM e, unnest($13::text[], $14::text[], $15::text[], $16::text[])
                WITH ORDINALITY AS u(id, connection_id, rule_id, integration_type, position)
            ORDER BY u.position
            """
        typealias Row = Void

        var event: NewEvent
        var ids: [String]
        var connectionIDs: [String]
        var ruleIDs: [String]
        var types: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 16)
            event.append(to: &bindings)
            bindings.append(ids)
            bindings.append(connectionIDs)
            bindings.append(ruleIDs)
            bindings.append(types)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Up to `limit` due rule events this node can lock now, oldest first; rows another node is claiming are
    /// skipped, not waited for.
    struct DueRuleEvents: PostgresPreparedStatement {
        static let sql = """
            SELECT seq FROM rule_events WHERE status IN ('pending', 'retrying') AND next_attempt_at <= $1
            ORDER BY next_attempt_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED
            """
        typealias Row = Int64

        var now: Int64
        var limit: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(now)
            bindings.append(limit)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }
}

extension PostgresConnection {
    /// Every row of a prepared statement, decoded.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement, _ logger: Logger) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        for try await row in try await execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}
