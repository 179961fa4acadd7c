internal import Foundation
internal import Logging
internal import MeshesCore
public import MeshesEngine
internal import PostgresNIO
internal import SharedCore

extension PostgresStore {
    static func sessionRecord(_ row: Fields) throws -> SessionRecord {
        let ttl: Int64 = try row["ttl_seconds"]
        return SessionRecord(
            sessionID: try row["session_id"], orgID: try row["org_id"], workspaceID: try row["workspace_id"], role: try row["role"],
            sessionType: try row["session_type"], externalUserID: try row["external_user_id"], resource: try row["resource"],
            resourceID: try row["resource_id"], ttlSeconds: Int(ttl), launchPage: try row["launch_page"],
            allowedOrigins: try row.json("allowed_origins")?.stringList ?? [], scopes: try row.json("scopes")?.stringList ?? [],
            status: try row["status"], createdAt: try row["created_at"], expiresAt: try row["expires_at"])
    }

    public func createSession(_ session: SessionRecord, launchTokenHash: String, launchExpiresAt: Int64) async throws {
        let origins = JSONEmitter.compact(.strings(session.allowedOrigins))
        let scopes = JSONEmitter.compact(.strings(session.scopes))
        try await write { connection in
            try await connection.run(
                """
                INSERT INTO sessions (session_id, org_id, workspace_id, role, session_type, external_user_id, resource,
                    resource_id, ttl_seconds, launch_page, allowed_origins, scopes, status, created_at, expires_at)
                VALUES (\(session.sessionID), \(session.orgID), \(session.workspaceID), \(session.role), \(session.sessionType),
                    \(session.externalUserID), \(session.resource), \(session.resourceID), \(session.ttlSeconds), \(session.launchPage),
                    \(origins), \(scopes), \(session.status), \(session.createdAt), \(session.expiresAt))
                """, logger)
            try await connection.run(
                "INSERT INTO launch_tokens (token_hash, session_id, expires_at) VALUES (\(launchTokenHash), \(session.sessionID), \(launchExpiresAt))",
                logger)
        }
    }

    public func session(id: String) async throws -> SessionRecord? {
        try await read { connection in
            try await connection.one("SELECT * FROM sessions WHERE session_id = \(id)", logger).map(PostgresStore.sessionRecord)
        }
    }

    public func listSessions(orgID: String, workspaceID: String, filter: SessionFilter, page: PageRequest) async throws -> Page<
        SessionRecord
    > {
        try await read { connection in
            let select = PostgresStore.filtered(
                "SELECT * FROM sessions", orgID: orgID, workspaceID: workspaceID,
                [("status", filter.status), ("resource", filter.resource), ("resource_id", filter.resourceID)])
            return try await PostgresStore.fetchPage(
                connection, logger, select: select, page: page, idColumn: "session_id", map: PostgresStore.sessionRecord,
                key: { Cursor(createdAt: $0.createdAt, id: $0.sessionID) })
        }
    }

    public func refreshSession(orgID: String, id: String, expiresAt: Int64) async throws -> SessionRecord {
        try await read { connection in
            guard
                let row = try await connection.one(
                    "UPDATE sessions SET expires_at = \(expiresAt) WHERE session_id = \(id) AND org_id = \(orgID) RETURNING *", logger)
            else { throw APIError.notFound("Session") }
            return try PostgresStore.sessionRecord(row)
        }
    }

    public func revokeSession(orgID: String, id: String) async throws -> Bool {
        try await write { connection in
            guard
                let status: String = try await connection.one(
                    "SELECT status FROM sessions WHERE session_id = \(id) AND org_id = \(orgID) FOR UPDATE", logger)?["status"]
            else { throw APIError.notFound("Session") }
            guard status == "active" else { return false }
            try await connection.run("UPDATE sessions SET status = 'revoked' WHERE session_id = \(id)", logger)
            try await connection.run("DELETE FROM launch_tokens WHERE session_id = \(id)", logger)
            return true
        }
    }

    public func consumeLaunchToken(hash: String, now: Int64) async throws -> SessionRecord? {
        try await write { connection in
            // DELETE … RETURNING: of two nodes exchanging the same token at once, exactly one gets its row.
            guard
                let token = try await connection.one(
                    "DELETE FROM launch_tokens WHERE token_hash = \(hash) RETURNING session_id, expires_at", logger)
            else { return nil }
            guard (try token["expires_at"] as Int64) > now else { return nil }
            let sessionID: String = try token["session_id"]
            let session = try await connection.one("SELECT * FROM sessions WHERE session_id = \(sessionID)", logger)
                .map(PostgresStore.sessionRecord)
            return session?.isActive == true ? session : nil
        }
    }
}
