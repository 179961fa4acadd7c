/// A validated `POST /sessions` body (§2.8) with defaults applied.
public struct SessionInput: Sendable, Equatable {
    /// `member` < `admin` < `owner`.
    public enum Role: String, Sendable, CaseIterable, Comparable {
        case member, admin, owner

        public static func < (lhs: Role, rhs: Role) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    /// `session_type`.
    public enum Kind: String, Sendable, CaseIterable {
        case workspace, resource, dashboard
    }

    /// `launch_page`.
    public enum LaunchPage: String, Sendable, CaseIterable {
        case dashboard, connections, rules, events
    }

    public var workspaceID: String
    public var role: Role
    public var sessionType: Kind
    public var externalUserID: String?
    public var ttlSeconds: Int
    public var launchTTLSeconds: Int
    public var launchPage: LaunchPage
    /// Set (both) only for `resource` sessions.
    public var resource: String?
    public var resourceID: String?
    /// Normalised origins (`scheme://host[:port]`, lowercase scheme and host), duplicates removed.
    public var allowedOrigins: [String]
    /// Duplicates removed; the only value is `events.payload:read`.
    public var scopes: [String]

    public init(
        workspaceID: String, role: Role, sessionType: Kind, externalUserID: String?, ttlSeconds: Int,
        launchTTLSeconds: Int, launchPage: LaunchPage, resource: String?, resourceID: String?,
        allowedOrigins: [String], scopes: [String]
    ) {
        self.workspaceID = workspaceID
        self.role = role
        self.sessionType = sessionType
        self.externalUserID = externalUserID
        self.ttlSeconds = ttlSeconds
        self.launchTTLSeconds = launchTTLSeconds
        self.launchPage = launchPage
        self.resource = resource
        self.resourceID = resourceID
        self.allowedOrigins = allowedOrigins
        self.scopes = scopes
    }
}
