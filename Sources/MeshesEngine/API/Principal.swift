internal import Foundation
public import MeshesCore
internal import SharedCore
internal import Synchronization

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
    /// Machine tokens already verified, by their exact string (§4.1 allows it for a token's remaining lifetime).
    let verified = VerifiedTokens()
    /// When this process last wrote each key's `last_used_at` (step 6: at most once a minute).
    let touched = TouchThrottle()

    /// The principal of `request`; every failure is a generic 401 (the reason is not leaked).
    func authenticate(_ request: APIRequest, acceptsPublishableKey: Bool) async throws(APIError) -> Principal {
        if let authorization = request.header("authorization") {
            guard let token = Authenticator.bearerToken(authorization) else { throw APIError.unauthorized }
            let now = nowSeconds()
            if let known = verified.lookup(token, now: now) {
                return try await confirm(known, now: now)
            }
            if let kid = Authenticator.keyID(of: token), kid.hasPrefix(SessionJWT.keyIDPrefix) {
                return try await verifySessionToken(token, origin: request.header("origin"))
            }
            return try await verifyMachineToken(token, now: now)
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

    /// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive, blanks around the token
    /// ignored), or nil.
    static func bearerToken(_ value: String) -> String? {
        let bytes = value.utf8
        guard bytes.count > 7 else { return nil }
        var index = bytes.startIndex
        for expected in "bearer".utf8 {
            guard bytes[index] | 0x20 == expected else { return nil }
            index = bytes.index(after: index)
        }
        guard bytes[index] == 0x20 else { return nil }
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        var start = bytes.index(after: index)
        var end = bytes.endIndex
        while start < end, isBlank(bytes[start]) { start = bytes.index(after: start) }
        while end > start, isBlank(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        guard start < end else { return nil }
        return String(value[start..<end])
    }

    /// The key record of `accessKey` as the store has it now (nil: no such key), unsealed.
    private func keyRecord(_ accessKey: String) async throws(APIError) -> MachineJWT.KeyRecord? {
        do {
            return try await store.machineKeySecret(accessKey).map {
                MachineJWT.KeyRecord(secret: $0.secret, orgID: $0.key.orgID, revoked: $0.key.revokedAt != nil)
            }
        } catch StoreError.unsealFailed {
            throw APIError.unauthorized
        } catch {
            throw APIError.internalError()
        }
    }

    /// A token verified earlier: its key is read again, so a revoked (or replaced) key fails on the next request.
    private func confirm(_ known: VerifiedTokens.Entry, now: Int) async throws(APIError) -> Principal {
        guard let record = try await keyRecord(known.accessKey), !record.revoked, record.orgID == known.orgID,
            record.secret == known.secret
        else { throw APIError.unauthorized }
        await touch(known.accessKey, now: now)
        return .machine(orgID: known.orgID, accessKey: known.accessKey)
    }

    private func verifyMachineToken(_ token: String, now: Int) async throws(APIError) -> Principal {
        guard let kid = Authenticator.keyID(of: token), KeyFormats.isAccessKey(kid) else { throw APIError.unauthorized }
        let record = try await keyRecord(kid)
        let identity: MachineJWT.Identity
        do {
            identity = try MachineJWT.verify(token, now: now) { $0 == kid ? record : nil }
        } catch {
            throw APIError.unauthorized
        }
        if let record {
            verified.remember(
                token,
                VerifiedTokens.Entry(
                    accessKey: identity.accessKey, orgID: identity.orgID, secret: record.secret,
                    validUntil: identity.expiresAt + MachineJWT.clockLeeway), now: now)
        }
        await touch(identity.accessKey, now: now)
        return .machine(orgID: identity.orgID, accessKey: identity.accessKey)
    }

    /// Step 6: `last_used_at`, written at most once a minute per key by this process (the store's own
    /// condition keeps several processes to about the same).
    private func touch(_ accessKey: String, now: Int) async {
        guard touched.due(accessKey, now: now) else { return }
        try? await store.touchMachineKey(accessKey)
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
        let utf8 = token.utf8
        let header = utf8.firstIndex(of: UInt8(ascii: ".")).map { token[..<$0] } ?? token[...]
        guard let bytes = Base64URL.decode(String(header)), let value = try? JSONParser.parse(bytes: bytes) else { return nil }
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

/// Machine tokens this process has verified, by their exact string, until `exp` + leeway. A hit skips the
/// signature and claim checks (the key is still read on every request, so revocation is not delayed).
/// Bounded: expired entries are dropped when it fills, and everything when it is still full.
final class VerifiedTokens: Sendable {
    struct Entry: Sendable {
        let accessKey: String
        let orgID: String
        /// The secret the token was verified with: a key whose secret changed no longer matches.
        let secret: String
        /// The first second (unix) at which the token is no longer accepted.
        let validUntil: Int
    }

    static let capacity = 10_000
    private let entries = Mutex<[String: Entry]>([:])

    func lookup(_ token: String, now: Int) -> Entry? {
        guard let entry = entries.withLock({ $0[token] }), now < entry.validUntil else { return nil }
        return entry
    }

    func remember(_ token: String, _ entry: Entry, now: Int) {
        entries.withLock { entries in
            if entries.count >= VerifiedTokens.capacity {
                entries = entries.filter { $0.value.validUntil > now }
                if entries.count >= VerifiedTokens.capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = entry
        }
    }
}

/// When this process last wrote each machine key's `last_used_at`.
final class TouchThrottle: Sendable {
    static let interval = 60
    private let last = Mutex<[String: Int]>([:])

    /// Whether `accessKey` is due a write at `now` (and, if so, records it as written).
    func due(_ accessKey: String, now: Int) -> Bool {
        last.withLock { last in
            if let previous = last[accessKey], now - previous < TouchThrottle.interval { return false }
            last[accessKey] = now
            return true
        }
    }
}
