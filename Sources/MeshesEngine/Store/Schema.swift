internal import GRDB

/// Forward-only schema migrations; the schema version lives in `PRAGMA user_version` (§1).
enum Schema {
    /// The version this engine writes.
    static let currentVersion = 7

    /// Statements per version; version `n` is `migrations[n - 1]`.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE settings (
                key TEXT PRIMARY KEY NOT NULL,
                value BLOB NOT NULL
            )
            """,
            """
            CREATE TABLE orgs (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                created_at INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE machine_keys (
                access_key TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                secret BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                last_used_at INTEGER,
                revoked_at INTEGER
            )
            """,
            """
            CREATE TABLE workspaces (
                id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                description TEXT,
                publishable_key TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (org_id, name_key)
            )
            """,
            "CREATE INDEX workspaces_org_order ON workspaces (org_id, created_at DESC, id DESC)",
            """
            CREATE TABLE connections (
                id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL REFERENCES workspaces(id),
                type TEXT NOT NULL,
                name TEXT NOT NULL,
                metadata TEXT NOT NULL,
                secrets BLOB,
                action_data TEXT,
                active INTEGER NOT NULL,
                inactive_reason TEXT,
                hidden INTEGER NOT NULL,
                failure_streak INTEGER NOT NULL DEFAULT 0,
                created_by TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (workspace_id, name)
            )
            """,
            "CREATE INDEX connections_org_order ON connections (org_id, created_at DESC, id DESC)",
            "CREATE INDEX connections_workspace_order ON connections (workspace_id, created_at DESC, id DESC)",
            """
            CREATE TABLE rules (
                id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                connection_id TEXT NOT NULL REFERENCES connections(id),
                type TEXT NOT NULL,
                event TEXT NOT NULL,
                resource TEXT,
                resource_id TEXT,
                metadata TEXT NOT NULL,
                dedup_key TEXT NOT NULL UNIQUE,
                active INTEGER NOT NULL,
                hidden INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            )
            """,
            "CREATE INDEX rules_match ON rules (workspace_id, event)",
            "CREATE INDEX rules_org_order ON rules (org_id, created_at DESC, id DESC)",
            "CREATE INDEX rules_connection ON rules (connection_id)",
            """
            CREATE TABLE events (
                id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                event TEXT NOT NULL,
                resource TEXT NOT NULL,
                resource_id TEXT,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                total_rules INTEGER NOT NULL,
                completed_count INTEGER NOT NULL DEFAULT 0,
                failed_count INTEGER NOT NULL DEFAULT 0,
                canceled_count INTEGER NOT NULL DEFAULT 0,
                started_at INTEGER,
                completed_at INTEGER,
                created_by TEXT NOT NULL,
                created_at INTEGER NOT NULL
            )
            """,
            "CREATE INDEX events_org_order ON events (org_id, created_at DESC, id DESC)",
            "CREATE INDEX events_workspace_order ON events (workspace_id, created_at DESC, id DESC)",
            """
            CREATE TABLE rule_events (
                id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                event_id TEXT NOT NULL REFERENCES events(id),
                event_name TEXT NOT NULL,
                resource TEXT NOT NULL,
                resource_id TEXT,
                connection_id TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                integration_type TEXT NOT NULL,
                status TEXT NOT NULL,
                attempt_count INTEGER NOT NULL DEFAULT 0,
                scheduled_failures INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER,
                started_at INTEGER,
                completed_at INTEGER,
                last_error TEXT,
                lease_owner TEXT,
                lease_expires_at INTEGER,
                cancel_requested INTEGER NOT NULL DEFAULT 0,
                created_by TEXT NOT NULL,
                created_at INTEGER NOT NULL
            )
            """,
            "CREATE INDEX rule_events_event ON rule_events (event_id, created_at, id)",
            "CREATE INDEX rule_events_due ON rule_events (status, next_attempt_at)",
            "CREATE INDEX rule_events_connection ON rule_events (connection_id, status)",
            """
            CREATE TABLE attempts (
                id TEXT PRIMARY KEY NOT NULL,
                rule_event_id TEXT NOT NULL REFERENCES rule_events(id),
                event_id TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                connection_id TEXT NOT NULL,
                attempt_number INTEGER NOT NULL,
                trigger TEXT NOT NULL,
                outcome_code TEXT NOT NULL,
                message TEXT NOT NULL,
                request_method TEXT NOT NULL,
                request_url TEXT NOT NULL,
                response_status INTEGER,
                response_duration_ms INTEGER NOT NULL,
                response_headers TEXT,
                response_body TEXT,
                response_truncated INTEGER NOT NULL DEFAULT 0,
                started_at INTEGER NOT NULL,
                ended_at INTEGER NOT NULL,
                next_attempt_at INTEGER,
                created_at INTEGER NOT NULL
            )
            """,
            "CREATE INDEX attempts_rule_event ON attempts (rule_event_id, created_at DESC, id DESC)",
            """
            CREATE TABLE catalog_items (
                id TEXT PRIMARY KEY NOT NULL,
                workspace_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                label TEXT NOT NULL,
                description TEXT,
                active INTEGER NOT NULL,
                created_by TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (workspace_id, kind, key)
            )
            """,
            """
            CREATE TABLE sessions (
                session_id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                role TEXT NOT NULL,
                session_type TEXT NOT NULL,
                external_user_id TEXT,
                resource TEXT,
                resource_id TEXT,
                ttl_seconds INTEGER NOT NULL,
                launch_page TEXT NOT NULL,
                allowed_origins TEXT NOT NULL,
                scopes TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            )
            """,
            "CREATE INDEX sessions_workspace_order ON sessions (workspace_id, created_at DESC, session_id DESC)",
            """
            CREATE TABLE launch_tokens (
                token_hash TEXT PRIMARY KEY NOT NULL,
                session_id TEXT NOT NULL,
                expires_at INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE idempotency (
                org_id TEXT NOT NULL,
                key TEXT NOT NULL,
                path TEXT NOT NULL,
                body_hash TEXT NOT NULL,
                state TEXT NOT NULL,
                status INTEGER,
                response TEXT,
                created_at INTEGER NOT NULL,
                completed_at INTEGER,
                PRIMARY KEY (org_id, key, path)
            )
            """,
        ],
        // 2: field catalogs and versioned default mappings of connections (§2.9). Rows go with their
        // connection (ON DELETE CASCADE), so deleting a connection needs no extra statements.
        [
            """
            CREATE TABLE field_catalogs (
                id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                connection_id TEXT NOT NULL UNIQUE REFERENCES connections(id) ON DELETE CASCADE,
                integration_type TEXT NOT NULL,
                catalog_version TEXT NOT NULL,
                fields TEXT NOT NULL,
                refreshed_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE default_mappings (
                id TEXT PRIMARY KEY NOT NULL,
                mapping_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                integration_type TEXT NOT NULL,
                name TEXT NOT NULL,
                schema TEXT NOT NULL,
                catalog_version TEXT,
                created_by TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (connection_id, version)
            )
            """,
        ],
        // 3: append-only keys for the ingest path. Events and rule events get an integer `seq` (the rowid), rule
        // events point at their event by `seq` and attempts at their rule event by `seq`, so storing an event
        // writes one random-key index entry (the event's public UUID) instead of three. Rule events are only ever
        // addressed through their event (§3 rows 29-34), so their UUID needs no index. Existing rows are copied
        // in creation order.
        [
            """
            CREATE TABLE events_v3 (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                event TEXT NOT NULL,
                resource TEXT NOT NULL,
                resource_id TEXT,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                total_rules INTEGER NOT NULL,
                completed_count INTEGER NOT NULL DEFAULT 0,
                failed_count INTEGER NOT NULL DEFAULT 0,
                canceled_count INTEGER NOT NULL DEFAULT 0,
                started_at INTEGER,
                completed_at INTEGER,
                created_by TEXT NOT NULL,
                created_at INTEGER NOT NULL
            )
            """,
            """
            INSERT INTO events_v3 (id, org_id, workspace_id, event, resource, resource_id, payload, status, total_rules,
                completed_count, failed_count, canceled_count, started_at, completed_at, created_by, created_at)
            SELECT id, org_id, workspace_id, event, resource, resource_id, payload, status, total_rules,
                completed_count, failed_count, canceled_count, started_at, completed_at, created_by, created_at
            FROM events ORDER BY created_at, id
            """,
            """
            CREATE TABLE rule_events_v3 (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL,
                event_seq INTEGER NOT NULL REFERENCES events_v3(seq),
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                event_name TEXT NOT NULL,
                resource TEXT NOT NULL,
                resource_id TEXT,
                connection_id TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                integration_type TEXT NOT NULL,
                status TEXT NOT NULL,
                attempt_count INTEGER NOT NULL DEFAULT 0,
                scheduled_failures INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER,
                started_at INTEGER,
                completed_at INTEGER,
                last_error TEXT,
                lease_owner TEXT,
                lease_expires_at INTEGER,
                cancel_requested INTEGER NOT NULL DEFAULT 0,
                created_by TEXT NOT NULL,
                created_at INTEGER NOT NULL
            )
            """,
            """
            INSERT INTO rule_events_v3 (id, event_seq, org_id, workspace_id, event_id, event_name, resource, resource_id,
                connection_id, rule_id, integration_type, status, attempt_count, scheduled_failures, next_attempt_at,
                started_at, completed_at, last_error, lease_owner, lease_expires_at, cancel_requested, created_by, created_at)
            SELECT r.id, e.seq, r.org_id, r.workspace_id, r.event_id, r.event_name, r.resource, r.resource_id,
                r.connection_id, r.rule_id, r.integration_type, r.status, r.attempt_count, r.scheduled_failures,
                r.next_attempt_at, r.started_at, r.completed_at, r.last_error, r.lease_owner, r.lease_expires_at,
                r.cancel_requested, r.created_by, r.created_at
            FROM rule_events r JOIN events_v3 e ON e.id = r.event_id ORDER BY e.seq, r.created_at, r.id
            """,
            """
            CREATE TABLE attempts_v3 (
                id TEXT PRIMARY KEY NOT NULL,
                rule_event_seq INTEGER NOT NULL REFERENCES rule_events_v3(seq),
                rule_event_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                connection_id TEXT NOT NULL,
                attempt_number INTEGER NOT NULL,
                trigger TEXT NOT NULL,
                outcome_code TEXT NOT NULL,
                message TEXT NOT NULL,
                request_method TEXT NOT NULL,
                request_url TEXT NOT NULL,
                response_status INTEGER,
                response_duration_ms INTEGER NOT NULL,
                response_headers TEXT,
                response_body TEXT,
                response_truncated INTEGER NOT NULL DEFAULT 0,
                started_at INTEGER NOT NULL,
                ended_at INTEGER NOT NULL,
                next_attempt_at INTEGER,
                created_at INTEGER NOT NULL
            )
            """,
            """
            INSERT INTO attempts_v3 (id, rule_event_seq, rule_event_id, event_id, rule_id, connection_id, attempt_number,
                trigger, outcome_code, message, request_method, request_url, response_status, response_duration_ms,
                response_headers, response_body, response_truncated, started_at, ended_at, next_attempt_at, created_at)
            SELECT a.id, r.seq, a.rule_event_id, a.event_id, a.rule_id, a.connection_id, a.attempt_number, a.trigger,
                a.outcome_code, a.message, a.request_method, a.request_url, a.response_status, a.response_duration_ms,
                a.response_headers, a.response_body, a.response_truncated, a.started_at, a.ended_at, a.next_attempt_at,
                a.created_at
            FROM attempts a JOIN rule_events_v3 r ON r.id = a.rule_event_id
            """,
            "DROP TABLE attempts",
            "DROP TABLE rule_events",
            "DROP TABLE events",
            "ALTER TABLE events_v3 RENAME TO events",
            "ALTER TABLE rule_events_v3 RENAME TO rule_events",
            "ALTER TABLE attempts_v3 RENAME TO attempts",
            "CREATE INDEX events_org_order ON events (org_id, created_at DESC, id DESC)",
            "CREATE INDEX events_workspace_order ON events (workspace_id, created_at DESC, id DESC)",
            "CREATE INDEX rule_events_event ON rule_events (event_seq, rule_id)",
            "CREATE INDEX rule_events_due ON rule_events (status, next_attempt_at)",
            "CREATE INDEX rule_events_connection ON rule_events (connection_id, status)",
            "CREATE INDEX rule_events_rule ON rule_events (rule_id, status)",
            "CREATE INDEX attempts_rule_event ON attempts (rule_event_seq, created_at DESC, id DESC)",
        ],
        // 4: delivery. Whether every failure of a connection's current streak was `auth_failed` (§5.5).
        [
            "ALTER TABLE connections ADD COLUMN streak_auth_only INTEGER NOT NULL DEFAULT 1"
        ],
        // 5: limits shared by every process on the database (manual retries per org, §5.9).
        [
            "CREATE TABLE rate_buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL)"
        ],
        // 6: an event's rule events are read in their API order (created_at, id) straight from the index, without a
        // sort per read; a lookup by (event, rule) reads the event's few entries.
        [
            "DROP INDEX rule_events_event",
            "CREATE INDEX rule_events_event ON rule_events (event_seq, created_at, id)",
        ],
        // 7: a routing version for the ingest path's rule-match cache: a new random value on every change that can
        // change which rules an event matches (rules written, a connection enabled, disabled or deleted), whoever
        // makes it. Random rather than counted, so that a value never comes back after a rolled-back change.
        [
            "CREATE TABLE store_versions (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID",
            "INSERT INTO store_versions (name, value) VALUES ('routing', random())",
            """
            CREATE TRIGGER rules_routing_insert AFTER INSERT ON rules
            BEGIN UPDATE store_versions SET value = random() WHERE name = 'routing'; END
            """,
            """
            CREATE TRIGGER rules_routing_update AFTER UPDATE ON rules
            BEGIN UPDATE store_versions SET value = random() WHERE name = 'routing'; END
            """,
            """
            CREATE TRIGGER rules_routing_delete AFTER DELETE ON rules
            BEGIN UPDATE store_versions SET value = random() WHERE name = 'routing'; END
            """,
            """
            CREATE TRIGGER connections_routing_update AFTER UPDATE OF active ON connections
            BEGIN UPDATE store_versions SET value = random() WHERE name = 'routing'; END
            """,
            """
            CREATE TRIGGER connections_routing_delete AFTER DELETE ON connections
            BEGIN UPDATE store_versions SET value = random() WHERE name = 'routing'; END
            """,
        ],
    ]

    /// Applies the missing migrations in one transaction; refuses a database from a newer engine.
    static func migrate(_ db: Database) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard version <= currentVersion else { throw StoreError.newerSchema(version) }
        guard version < currentVersion else { return }
        for index in version..<currentVersion {
            for statement in migrations[index] { try db.execute(sql: statement) }
        }
        try db.execute(sql: "PRAGMA user_version = \(currentVersion)")
    }
}

/// Store failures that are not API errors.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database was written by a newer engine (`PRAGMA user_version` above ours).
    case newerSchema(Int)
    /// The file cannot be opened or prepared.
    case unavailable(String)
    /// A sealed value cannot be opened (wrong or lost master key).
    case unsealFailed

    public var description: String {
        switch self {
        case .newerSchema(let version):
            return "the database was written by a newer meshes engine (schema \(version) > \(Schema.currentVersion)); upgrade meshes"
        case .unavailable(let reason): return "cannot open the database: \(reason)"
        case .unsealFailed: return "a sealed secret cannot be opened: the master key is wrong or lost"
        }
    }
}
