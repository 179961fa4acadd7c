internal import Foundation
internal import GRDB
internal import MeshesCore
internal import SharedCore

extension SQLiteStore {
    static func sessionRecord(_ row: Row) -> SessionRecord {
        SessionRecord(
            sessionID: row["session_id"], orgID: row["org_id"], workspaceID: row["workspace_id"], role: row["role"],
            sessionType: row["session_type"], externalUserID: row["external_user_id"], resource: row["resource"],
            resourceID: row["resource_id"], ttlSeconds: row["ttl_seconds"], launchPage: row["launch_page"],
            allowedOrigins: row.json("allowed_origins")?.stringList ?? [], scopes: row.json("scopes")?.stringList ?? [],
            status: row["status"], createdAt: row["created_at"], expiresAt: row["expires_at"])
    }

    public func createSession(_ session: SessionRecord, launchTokenHash: String, launchExpiresAt: Int64) async throws {
        _ = try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO sessions (session_id, org_id, workspace_id, role, session_type, external_user_id, resource,
                        resource_id, ttl_seconds, launch_page, allowed_origins, scopes, status, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                session.sessionID, session.orgID, session.workspaceID, session.role, session.sessionType,
                session.externalUserID, session.resource, session.resourceID, session.ttlSeconds, session.launchPage,
                JSONEmitter.compact(.strings(session.allowedOrigins)), JSONEmitter.compact(.strings(session.scopes)),
                session.status, session.createdAt, session.expiresAt,
            ])
            try db.cachedStatement(
                sql: "INSERT INTO launch_tokens (token_hash, session_id, expires_at) VALUES (?, ?, ?)"
            ).execute(arguments: [launchTokenHash, session.sessionID, launchExpiresAt])
        }
    }

    public func session(id: String) async throws -> SessionRecord? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sessions WHERE session_id = ?"), arguments: [id]).map(
                SQLiteStore.sessionRecord)
        }
    }

    public func listSessions(orgID: String, workspaceID: String, filter: SessionFilter, page: PageRequest) async throws -> Page<
        SessionRecord
    > {
        try await read { db in
            var condition = "org_id = ? AND workspace_id = ?"
            var arguments: StatementArguments = [orgID, workspaceID]
            for (column, value) in [("status", filter.status), ("resource", filter.resource), ("resource_id", filter.resourceID)] {
                if let value {
                    condition += " AND \(column) = ?"
                    arguments += [value]
                }
            }
            return try SQLiteStore.fetchPage(
                db, select: "SELECT * FROM sessions WHERE \(condition)", arguments: arguments, page: page, idColumn: "session_id",
                map: SQLiteStore.sessionRecord, key: { Cursor(createdAt: $0.createdAt, id: $0.sessionID) })
        }
    }

    public func refreshSession(orgID: String, id: String, expiresAt: Int64) async throws -> SessionRecord {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE sessions SET expires_at = ? WHERE session_id = ? AND org_id = ?"
            ).execute(arguments: [expiresAt, id, orgID])
            guard
                let session = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM sessions WHERE session_id = ? AND org_id = ?"), arguments: [id, orgID]
                ).map(SQLiteStore.sessionRecord)
            else { throw APIError.notFound("Session") }
            return session
        }
    }

    public func revokeSession(orgID: String, id: String) async throws -> Bool {
        try await write { db in
            guard
                let status = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT status FROM sessions WHERE session_id = ? AND org_id = ?"), arguments: [id, orgID])
            else { throw APIError.notFound("Session") }
            guard status == "active" else { return false }
            try db.cachedStatement(sql: "UPDATE sessions SET status = 'revoked' WHERE session_id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM launch_tokens WHERE session_id = ?").execute(arguments: [id])
            return true
        }
    }

    public func consumeLaunchToken(hash: String, now: Int64) async throws -> SessionRecord? {
        try await write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM launch_tokens WHERE token_hash = ?"), arguments: [hash])
            else {
                return nil
            }
            try db.cachedStatement(sql: "DELETE FROM launch_tokens WHERE token_hash = ?").execute(arguments: [hash])
            guard (row["expires_at"] as Int64) > now else { return nil }
            let session = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM sessions WHERE session_id = ?"), arguments: [row["session_id"] as String]
            ).map(SQLiteStore.sessionRecord)
            return session?.isActive == true ? session : nil
        }
    }
}
