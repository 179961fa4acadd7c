internal import MeshesCore
public import SharedCore

/// A stored embedded-dashboard session (§2.8).
public struct SessionRecord: Sendable, Equatable {
    public var sessionID: String
    public var orgID: String
    public var workspaceID: String
    public var role: String
    public var sessionType: String
    public var externalUserID: String?
    public var resource: String?
    public var resourceID: String?
    public var ttlSeconds: Int
    public var launchPage: String
    public var allowedOrigins: [String]
    public var scopes: [String]
    public var status: String
    public var createdAt: Int64
    public var expiresAt: Int64

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(
        sessionID: String, orgID: String, workspaceID: String, role: String, sessionType: String, externalUserID: String? = nil,
        resource: String? = nil, resourceID: String? = nil, ttlSeconds: Int, launchPage: String, allowedOrigins: [String], scopes: [String],
        status: String, createdAt: Int64, expiresAt: Int64
    ) {
        self.sessionID = sessionID
        self.orgID = orgID
        self.workspaceID = workspaceID
        self.role = role
        self.sessionType = sessionType
        self.externalUserID = externalUserID
        self.resource = resource
        self.resourceID = resourceID
        self.ttlSeconds = ttlSeconds
        self.launchPage = launchPage
        self.allowedOrigins = allowedOrigins
        self.scopes = scopes
        self.status = status
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public var isActive: Bool { status == "active" }

    /// The list form (`GET /sessions`).
    public func json(now: Int64) -> JSONValue {
        var object = JSONObject()
        object["session_id"] = .string(sessionID)
        object["workspace_id"] = .string(workspaceID)
        object["role"] = .string(role)
        if let externalUserID { object["external_user_id"] = .string(externalUserID) }
        object["status"] = .string(status)
        object["created_at"] = iso(createdAt)
        object["expires_at"] = iso(expiresAt)
        object["is_expired"] = .bool(now > expiresAt)
        object["session_type"] = .string(sessionType)
        if let resource { object["resource"] = .string(resource) }
        if let resourceID { object["resource_id"] = .string(resourceID) }
        return .object(object)
    }
}

/// Filters of `GET /sessions`.
public struct SessionFilter: Sendable, Equatable {
    public var status: String?
    public var resource: String?
    public var resourceID: String?

    public init(status: String? = nil, resource: String? = nil, resourceID: String? = nil) {
        self.status = status
        self.resource = resource
        self.resourceID = resourceID
    }
}

/// Embedded dashboard sessions (§2.8, §4.3).
public protocol SessionStore: Sendable {
    /// Stores a session and its single-use launch token (kept as its SHA-256).
    func createSession(_ session: SessionRecord, launchTokenHash: String, launchExpiresAt: Int64) async throws
    func session(id: String) async throws -> SessionRecord?
    func listSessions(orgID: String, workspaceID: String, filter: SessionFilter, page: PageRequest) async throws -> Page<SessionRecord>
    /// Moves `expires_at`; returns the updated session.
    func refreshSession(orgID: String, id: String, expiresAt: Int64) async throws -> SessionRecord
    /// Returns false when it was already revoked.
    func revokeSession(orgID: String, id: String) async throws -> Bool
    /// Consumes a launch token: its session when the token exists and has not expired, then it is gone.
    func consumeLaunchToken(hash: String, now: Int64) async throws -> SessionRecord?
}
