internal import SharedCore

/// The machine-key JWT of §4.1: remote clients mint one per request from an access key and its secret;
/// `meshes serve` verifies it.
public enum MachineJWT {
    /// The only accepted `aud`, always a string.
    public static let audience = "meshes-api"
    /// `iss` is this prefix followed by the access key.
    public static let issuerPrefix = "urn:meshes:m2m:"
    /// `exp − iat` of minted tokens, in seconds.
    public static let lifetime = 30
    /// The largest `exp − iat` a verifier accepts, in seconds.
    public static let maxLifetime = 60
    /// The clock skew a verifier allows both ways, in seconds (§4.1 step 5).
    public static let clockLeeway = CompactJWT.clockLeeway

    /// What the store knows about an access key, returned by the verifier's lookup.
    public struct KeyRecord: Sendable, Equatable {
        /// The unsealed secret string; its UTF-8 bytes are the HMAC key.
        public var secret: String
        /// The org the key belongs to.
        public var orgID: String
        /// Whether the key has been revoked.
        public var revoked: Bool

        /// A record for one key.
        public init(secret: String, orgID: String, revoked: Bool) {
            self.secret = secret
            self.orgID = orgID
            self.revoked = revoked
        }
    }

    /// The principal of a verified token.
    public struct Identity: Sendable, Equatable {
        /// The access key (`kid`).
        public var accessKey: String
        /// The key's org.
        public var orgID: String
        /// `iat`, in unix seconds.
        public var issuedAt: Int
        /// `exp`, in unix seconds.
        public var expiresAt: Int
    }

    /// A token for one request: header `{"alg","typ","kid"}` and claims `{"iss","aud","org","iat","exp"}`,
    /// serialised in exactly that order, `exp = iat + 30`, signed with the UTF-8 bytes of `secret`.
    /// `tokenID` adds a `jti` claim after `exp` (the engine's own clients send none; benchmarks use it to make
    /// every token distinct).
    public static func mint(accessKey: String, secret: String, orgID: String, issuedAt: Int, tokenID: String? = nil) -> String {
        let header: JSONObject = ["alg": "HS256", "typ": "JWT", "kid": .string(accessKey)]
        var claims: JSONObject = [
            "iss": .string(issuerPrefix + accessKey), "aud": .string(audience), "org": .string(orgID),
            "iat": .int(issuedAt), "exp": .int(issuedAt + lifetime),
        ]
        if let tokenID { claims["jti"] = .string(tokenID) }
        return CompactJWT.encode(header: header, claims: claims, key: Array(secret.utf8))
    }

    /// Verifies `token` following §4.1 steps 1–5 in order; step 6 (`last_used_at`) is the caller's.
    ///
    /// `lookup` receives the `kid` once it has the access-key format and returns the key's record, or
    /// `nil` when there is no such key. A lookup that fails for another reason (a store error) should
    /// remember that error and return `nil`, so the caller can answer 500 instead of 401.
    /// - Parameter now: the verifier's clock in unix seconds.
    /// - Throws: `TokenRejection` naming the first failed check.
    public static func verify(
        _ token: String, now: Int, lookup: (String) -> KeyRecord?
    ) throws(TokenRejection) -> Identity {
        let jwt = try CompactJWT.decode(token)

        guard let accessKey = jwt.keyID, KeyFormats.isAccessKey(accessKey) else { throw TokenRejection(.badKeyID) }
        guard let record = lookup(accessKey) else { throw TokenRejection(.unknownKey) }
        guard !record.revoked else { throw TokenRejection(.revokedKey) }

        try jwt.verifySignature(key: Array(record.secret.utf8))

        let claims = try jwt.claims()
        guard claims["iss"] == .string(issuerPrefix + accessKey) else { throw TokenRejection(.badIssuer) }
        guard claims["aud"] == .string(audience) else { throw TokenRejection(.badAudience) }
        guard claims["org"] == .string(record.orgID) else { throw TokenRejection(.orgMismatch) }

        let times = try CompactJWT.checkTimes(claims, now: now, maxLifetime: maxLifetime)
        return Identity(accessKey: accessKey, orgID: record.orgID, issuedAt: times.issuedAt, expiresAt: times.expiresAt)
    }
}
