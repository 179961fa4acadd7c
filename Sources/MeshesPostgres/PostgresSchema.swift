internal import Logging
internal import MeshesCore
internal import MeshesEngine
internal import PostgresNIO
internal import SharedCore

/// Forward-only schema migrations of the PostgreSQL store. The version lives in `meshes_schema`; migrations run at
/// open under a session advisory lock, so several nodes starting at once migrate once and the others wait for it.
/// The tables mirror the SQLite store's (schema version 4 there): milliseconds as BIGINT, flags as BOOLEAN, sealed
/// values as BYTEA, JSON as TEXT, and the same integer `seq` keys for events and rule events.
enum PostgresSchema {
    /// The version this engine writes.
    static let currentVersion = 2

    /// The advisory lock key of migrations ("meshes" in ASCII, then 1).
    static let migrationLock: Int64 = 0x6D65_7368_6573_0001

    /// Statements per version; version `n` is `migrations[n - 1]`.
    static let migrations: [[String]] = [
        [
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value BYTEA NOT NULL)",
            "CREATE TABLE orgs (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL)",
            """
            CREATE TABLE machine_keys (
                access_key TEXT PRIMARY KEY,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                secret BYTEA NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT,
                revoked_at BIGINT
            )
            """,
            """
            CREATE TABLE workspaces (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                description TEXT,
                publishable_key TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                CONSTRAINT workspaces_name_unique UNIQUE (org_id, name_key)
            )
            """,
            "CREATE INDEX workspaces_org_order ON workspaces (org_id, created_at DESC, id DESC)",
            """
            CREATE TABLE connections (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL REFERENCES workspaces(id),
                type TEXT NOT NULL,
                name TEXT NOT NULL,
                metadata TEXT NOT NULL,
                secrets BYTEA,
                action_data TEXT,
                active BOOLEAN NOT NULL,
                inactive_reason TEXT,
                hidden BOOLEAN NOT NULL,
                failure_streak BIGINT NOT NULL DEFAULT 0,
                streak_auth_only BOOLEAN NOT NULL DEFAULT TRUE,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                CONSTRAINT connections_name_unique UNIQUE (workspace_id, name)
            )
            """,
            "CREATE INDEX connections_org_order ON connections (org_id, created_at DESC, id DESC)",
            "CREATE INDEX connections_workspace_order ON connections (workspace_id, created_at DESC, id DESC)",
            """
            CREATE TABLE rules (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                connection_id TEXT NOT NULL REFERENCES connections(id),
                type TEXT NOT NULL,
                event TEXT NOT NULL,
                resource TEXT,
                resource_id TEXT,
                metadata TEXT NOT NULL,
                dedup_key TEXT NOT NULL,
                active BOOLEAN NOT NULL,
                hidden BOOLEAN NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                CONSTRAINT rules_dedup_unique UNIQUE (dedup_key)
            )
            """,
            "CREATE INDEX rules_match ON rules (workspace_id, event)",
            "CREATE INDEX rules_org_order ON rules (org_id, created_at DESC, id DESC)",
            "CREATE INDEX rules_connection ON rules (connection_id)",
            """
            CREATE TABLE events (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                event TEXT NOT NULL,
                resource TEXT NOT NULL,
                resource_id TEXT,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                total_rules BIGINT NOT NULL,
                completed_count BIGINT NOT NULL DEFAULT 0,
                failed_count BIGINT NOT NULL DEFAULT 0,
                canceled_count BIGINT NOT NULL DEFAULT 0,
                started_at BIGINT,
                completed_at BIGINT,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX events_org_order ON events (org_id, created_at DESC, id DESC)",
            "CREATE INDEX events_workspace_order ON events (workspace_id, created_at DESC, id DESC)",
            """
            CREATE TABLE rule_events (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id TEXT NOT NULL,
                event_seq BIGINT NOT NULL REFERENCES events(seq),
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
                attempt_count BIGINT NOT NULL DEFAULT 0,
                scheduled_failures BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT,
                started_at BIGINT,
                completed_at BIGINT,
                last_error TEXT,
                lease_owner TEXT,
                lease_expires_at BIGINT,
                cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX rule_events_event ON rule_events (event_seq, rule_id)",
            "CREATE INDEX rule_events_due ON rule_events (next_attempt_at, seq) WHERE status IN ('pending', 'retrying')",
            "CREATE INDEX rule_events_processing ON rule_events (lease_expires_at) WHERE status = 'processing'",
            "CREATE INDEX rule_events_connection ON rule_events (connection_id, status)",
            "CREATE INDEX rule_events_rule ON rule_events (rule_id, status)",
            """
            CREATE TABLE attempts (
                id TEXT PRIMARY KEY,
                rule_event_seq BIGINT NOT NULL REFERENCES rule_events(seq),
                rule_event_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                connection_id TEXT NOT NULL,
                attempt_number BIGINT NOT NULL,
                trigger TEXT NOT NULL,
                outcome_code TEXT NOT NULL,
                message TEXT NOT NULL,
                request_method TEXT NOT NULL,
                request_url TEXT NOT NULL,
                response_status BIGINT,
                response_duration_ms BIGINT NOT NULL,
                response_headers TEXT,
                response_body TEXT,
                response_truncated BOOLEAN NOT NULL DEFAULT FALSE,
                started_at BIGINT NOT NULL,
                ended_at BIGINT NOT NULL,
                next_attempt_at BIGINT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX attempts_rule_event ON attempts (rule_event_seq, created_at DESC, id DESC)",
            """
            CREATE TABLE catalog_items (
                id TEXT PRIMARY KEY,
                workspace_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                label TEXT NOT NULL,
                description TEXT,
                active BOOLEAN NOT NULL,
                created_by TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (workspace_id, kind, key)
            )
            """,
            """
            CREATE TABLE sessions (
                session_id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                role TEXT NOT NULL,
                session_type TEXT NOT NULL,
                external_user_id TEXT,
                resource TEXT,
                resource_id TEXT,
                ttl_seconds BIGINT NOT NULL,
                launch_page TEXT NOT NULL,
                allowed_origins TEXT NOT NULL,
                scopes TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX sessions_workspace_order ON sessions (workspace_id, created_at DESC, session_id DESC)",
            "CREATE TABLE launch_tokens (token_hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, expires_at BIGINT NOT NULL)",
            """
            CREATE TABLE idempotency (
                org_id TEXT NOT NULL,
                key TEXT NOT NULL,
                path TEXT NOT NULL,
                body_hash TEXT NOT NULL,
                state TEXT NOT NULL,
                status BIGINT,
                response TEXT,
                created_at BIGINT NOT NULL,
                completed_at BIGINT,
                PRIMARY KEY (org_id, key, path)
            )
            """,
            """
            CREATE TABLE field_catalogs (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                connection_id TEXT NOT NULL UNIQUE REFERENCES connections(id) ON DELETE CASCADE,
                integration_type TEXT NOT NULL,
                catalog_version TEXT NOT NULL,
                fields TEXT NOT NULL,
                refreshed_at BIGINT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE default_mappings (
                id TEXT PRIMARY KEY,
                mapping_id TEXT NOT NULL,
                version BIGINT NOT NULL,
                org_id TEXT NOT NULL,
                workspace_id TEXT NOT NULL,
                connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                integration_type TEXT NOT NULL,
                name TEXT NOT NULL,
                schema TEXT NOT NULL,
                catalog_version TEXT,
                created_by TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (connection_id, version)
            )
            """,
        ],
        // 2: limits shared by every node (manual retries per org, connections' rate_limit_per_second); the text keys
        // that order pages and break ties compare bytewise ("C"), as SQLite does, whatever the database's default
        // collation (en_US ignores '-' at first, which would order ids and cursors differently).
        [
            "CREATE TABLE rate_buckets (key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION NOT NULL)",
            #"ALTER TABLE machine_keys ALTER COLUMN access_key TYPE TEXT COLLATE "C""#,
            #"ALTER TABLE workspaces ALTER COLUMN id TYPE TEXT COLLATE "C""#,
            #"ALTER TABLE connections ALTER COLUMN id TYPE TEXT COLLATE "C", ALTER COLUMN workspace_id TYPE TEXT COLLATE "C""#,
            #"ALTER TABLE rules ALTER COLUMN id TYPE TEXT COLLATE "C", ALTER COLUMN connection_id TYPE TEXT COLLATE "C""#,
            #"ALTER TABLE field_catalogs ALTER COLUMN connection_id TYPE TEXT COLLATE "C""#,
            #"ALTER TABLE default_mappings ALTER COLUMN connection_id TYPE TEXT COLLATE "C""#,
            #"ALTER TABLE events ALTER COLUMN id TYPE TEXT COLLATE "C""#,
            #"ALTER TABLE attempts ALTER COLUMN id TYPE TEXT COLLATE "C""#,
            #"ALTER TABLE sessions ALTER COLUMN session_id TYPE TEXT COLLATE "C""#,
            #"ALTER TABLE catalog_items ALTER COLUMN key TYPE TEXT COLLATE "C""#,
        ],
    ]

    /// Under the migration lock: refuses a newer schema, applies the missing migrations in one transaction, and
    /// returns the default org (created when the store is new).
    static func prepare(_ connection: PostgresConnection, logger: Logger, now: Int64) async throws -> Org {
        try await connection.run("SELECT pg_advisory_lock(\(migrationLock))", logger)
        do {
            let org = try await migrateLocked(connection, logger: logger, now: now)
            try await connection.run("SELECT pg_advisory_unlock(\(migrationLock))", logger)
            return org
        } catch {
            _ = try? await connection.run("SELECT pg_advisory_unlock(\(migrationLock))", logger)
            throw error
        }
    }

    /// The schema version stored in the database (0 when it has none yet).
    static func version(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        guard try await connection.one("SELECT to_regclass('meshes_schema') IS NOT NULL AS present", logger)?["present"] == true else {
            return 0
        }
        return try await connection.one("SELECT version FROM meshes_schema", logger)?["version"] ?? 0
    }

    private static func migrateLocked(_ connection: PostgresConnection, logger: Logger, now: Int64) async throws -> Org {
        let version = try await version(connection, logger: logger)
        guard version <= currentVersion else {
            throw ToolError(
                PostgresErrorCode.newerSchema,
                "the database was written by a newer meshes engine (schema \(version) > \(currentVersion)); upgrade meshes")
        }
        try await connection.run("BEGIN", logger)
        do {
            if version == 0 {
                try await connection.run("CREATE TABLE meshes_schema (version BIGINT NOT NULL)", logger)
                try await connection.run("INSERT INTO meshes_schema (version) VALUES (0)", logger)
            }
            for index in version..<currentVersion {
                for statement in migrations[index] { try await connection.run(PostgresQuery(unsafeSQL: statement), logger) }
            }
            try await connection.run("UPDATE meshes_schema SET version = \(currentVersion)", logger)
            let org: Org
            if let row = try await connection.one("SELECT id, name, created_at FROM orgs ORDER BY created_at, id LIMIT 1", logger) {
                org = try PostgresStore.org(row)
            } else {
                org = Org(id: Formats.uuid(), name: "Default", createdAt: now)
                try await connection.run(
                    "INSERT INTO orgs (id, name, created_at) VALUES (\(org.id), \(org.name), \(org.createdAt))", logger)
            }
            try await connection.run("COMMIT", logger)
            return org
        } catch {
            _ = try? await connection.run("ROLLBACK", logger)
            throw error
        }
    }
}
