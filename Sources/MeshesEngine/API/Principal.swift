internal import Foundation
public import MeshesCore
internal import SharedCore

/// Who is calling (§4).
public enum Principal: Sendable, Equatable {
    /// A verified machine-key JWT.
    case machine(orgID: String, accessKey: String)
    /// A publishable key (ingest routes only).
    case publishable(orgID: String, workspaceID: String)
    /// An in-process caller (embedded mode: CLI, MCP) acting as the store's default org.
    case embedded(orgID: String)
    /// A verified session access token (§4.3).
    case session(SessionGrant)

    public var orgID: String {
        switch self {
        case .machine(let org, _), .publishable(let org, _), .embedded(let org): return org
        case .session(let grant): return grant.orgID
        }
    }

    /// The `created_by` value of records this principal creates (§2).
    public var createdBy: String {
        switch self {
        case .machine(_, let key): return key
        case .publishable(_, let workspace): return "pub:\(workspace)"
        case .embedded: return "system"
        case .session(let grant): return "session:\(grant.sessionID)"
        }
    }

    /// The session grant, when the caller is a session.
    var grant: SessionGrant? {
        if case .session(let grant) = self { return grant }
        return nil
    }
}

/// What a session token allows (§4.3).
public struct SessionGrant: Sendable, Equatable {
    public var orgID: String
    public var sessionID: String
    public var workspaceID: String
    public var role: SessionInput.Role
    public var type: SessionInput.Kind
    public var resource: String?
    public var resourceID: String?
    public var scopes: [String]
}

/// Verifies credentials of §4.1 and §4.2 against the store.
struct Authenticator: Sendable {
    let store: any MeshesStore
    let nowSeconds: @Sendable () -> Int

    /// The principal of `request`; every failure is a generic 401 (the reason is not leaked).
    func authenticate(_ request: APIRequest, acceptsPublishableKey: Bool) async throws(APIError) -> Principal {
        if let authorization = request.header("authorization") {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.unauthorized }
            let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
            if let kid = Authenticator.keyID(of: token), kid.hasPrefix(SessionJWT.keyIDPrefix) {
                return try await verifySessionToken(token, origin: request.header("origin"))
            }
            return try await verifyMachineToken(token)
        }
        if let key = request.header("x-meshes-publishable-key") {
            guard acceptsPublishableKey, PublishableKey(key) != nil else { throw APIError.unauthorized }
            let found: Workspace?
            do {
                found = try await store.workspace(publishableKey: key)
            } catch {
                throw APIError.internalError()
            }
            guard let workspace = found else { throw APIError.unauthorized }
            return .publishable(orgID: workspace.orgID, workspaceID: workspace.id)
        }
        throw APIError.unauthorized
    }

    private func verifyMachineToken(_ token: String) async throws(APIError) -> Principal {
        guard let kid = Authenticator.keyID(of: token), KeyFormats.isAccessKey(kid) else { throw APIError.unauthorized }
        let record: MachineJWT.KeyRecord?
        do {
            record = try await store.machineKeySecret(kid).map {
                MachineJWT.KeyRecord(secret: $0.secret, orgID: $0.key.orgID, revoked: $0.key.revokedAt != nil)
            }
        } catch StoreError.unsealFailed {
            throw APIError.unauthorized
        } catch {
            throw APIError.internalError()
        }
        let identity: MachineJWT.Identity
        do {
            identity = try MachineJWT.verify(token, now: nowSeconds()) { $0 == kid ? record : nil }
        } catch {
            throw APIError.unauthorized
        }
        try? await store.touchMachineKey(identity.accessKey)
        return .machine(orgID: identity.orgID, accessKey: identity.accessKey)
    }

    /// The session-signing key (number 1), created sealed on first use.
    static func sessionSigningKey(_ store: any MeshesStore) async throws -> [UInt8] {
        try await store.sealedSetting("session-signing-key-1") { SecureRandom.bytes(32) }
    }

    private func verifySessionToken(_ token: String, origin: String?) async throws(APIError) -> Principal {
        let key: [UInt8]
        do {
            key = try await Authenticator.sessionSigningKey(store)
        } catch {
            throw APIError.unauthorized
        }
        let claims: SessionJWT.Claims
        do {
            claims = try SessionJWT.verify(token, now: nowSeconds()) { $0 == 1 ? key : nil }
        } catch {
            throw APIError.unauthorized
        }
        let stored: SessionRecord?
        do {
            stored = try await store.session(id: claims.sessionID)
        } catch {
            throw APIError.internalError()
        }
        guard let session = stored, session.isActive, session.orgID == claims.orgID,
            let role = SessionInput.Role(rawValue: claims.role), let type = SessionInput.Kind(rawValue: claims.sessionType)
        else { throw APIError.unauthorized }
        if let origin, !session.allowedOrigins.isEmpty {
            guard let normalised = SessionValidator.normalisedOrigin(origin), session.allowedOrigins.contains(normalised) else {
                throw APIError.forbidden("Origin is not allowed for this session")
            }
        }
        return .session(
            SessionGrant(
                orgID: claims.orgID, sessionID: claims.sessionID, workspaceID: claims.workspaceID, role: role, type: type,
                resource: claims.resource, resourceID: claims.resourceID, scopes: claims.scopes))
    }

    /// The `kid` of a compact JWT's header, when it parses.
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first,
            let bytes = Base64URL.decode(String(header)), let value = try? JSONParser.parse(bytes: bytes)
        else { return nil }
        return value["kid"]?.stringValue
    }
}

/// Token buckets per org for `--ingest-rate` (burst = 2 × rate) and the manual-retry limit.
actor RateLimiter {
    private let rate: Double
    private let burst: Double
    private var buckets: [String: TokenBucket] = [:]

    init(perSecond rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Takes `count` tokens for `key`; returns the seconds to wait when there are not enough (nothing is taken).
    func take(_ key: String, count: Double = 1, now: Double) -> Int? {
        var bucket = buckets[key] ?? TokenBucket(tokens: burst, updated: now)
        let wait = bucket.take(count, now: now, rate: rate, burst: burst)
        buckets[key] = bucket
        return wait
    }
}

/// A token bucket's state and arithmetic: refilled at `rate` per second up to `burst`. Kept in memory by
/// `RateLimiter` and in the database (`rate_buckets`) when a limit must hold across processes and nodes.
public struct TokenBucket: Sendable, Equatable {
    public var tokens: Double
    /// Seconds since 1970 of the last refill.
    public var updated: Double

    public init(tokens: Double, updated: Double) {
        self.tokens = tokens
        self.updated = updated
    }

    /// Refills up to `now`, then takes `count` tokens; returns the whole seconds to wait (at least 1) when there
    /// are not enough, and then takes nothing.
    public mutating func take(_ count: Double, now: Double, rate: Double, burst: Double) -> Int? {
        tokens = min(burst, tokens + max(0, now - updated) * rate)
        updated = max(updated, now)
        if tokens >= count {
            tokens -= count
            return nil
        }
        return max(1, Int(((count - tokens) / rate).rounded(.up)))
    }
}
