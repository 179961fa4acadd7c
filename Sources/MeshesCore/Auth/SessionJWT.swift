internal import SharedCore

/// Session access tokens (§4.3): HS256 JWTs signed with the store's session-signing key, `kid` =
/// `sess-<n>`, verified with the same steps as machine tokens but a lifetime up to the session TTL.
public enum SessionJWT {
    /// The `iss` of every session token.
    public static let issuer = "urn:meshes:session"
    /// The only accepted `aud`, always a string.
    public static let audience = "meshes-api"
    /// The largest session TTL (`ttl_seconds` ≤ 3600), the default bound on `exp − iat`.
    public static let maxLifetime = 3600
    /// Prefix of the `kid` header.
    public static let keyIDPrefix = "sess-"

    /// The claims of one session token. `role` and `sessionType` are carried as the wire strings
    /// (`member|admin|owner`, `workspace|resource|dashboard`); the session row stays authoritative.
    public struct Claims: Sendable, Equatable {
        /// `sub`: the session id (`ses_…`).
        public var sessionID: String
        /// `org`.
        public var orgID: String
        /// `ws`: the workspace the session is confined to.
        public var workspaceID: String
        /// `role`.
        public var role: String
        /// `st`: the session type.
        public var sessionType: String
        /// `res`, for `resource` sessions.
        public var resource: String?
        /// `rid`, for `resource` sessions.
        public var resourceID: String?
        /// `scp`.
        public var scopes: [String]
        /// `iat`, in unix seconds.
        public var issuedAt: Int
        /// `exp`, in unix seconds.
        public var expiresAt: Int

        /// Claims for one access token.
        public init(
            sessionID: String, orgID: String, workspaceID: String, role: String, sessionType: String,
            resource: String? = nil, resourceID: String? = nil, scopes: [String] = [], issuedAt: Int, expiresAt: Int
        ) {
            self.sessionID = sessionID
            self.orgID = orgID
            self.workspaceID = workspaceID
            self.role = role
            self.sessionType = sessionType
            self.resource = resource
            self.resourceID = resourceID
            self.scopes = scopes
            self.issuedAt = issuedAt
            self.expiresAt = expiresAt
        }

        /// The claims object in wire order: iss, aud, sub, org, ws, role, st, res?, rid?, scp, iat, exp.
        var json: JSONObject {
            var object: JSONObject = [
                "iss": .string(SessionJWT.issuer), "aud": .string(SessionJWT.audience), "sub": .string(sessionID),
                "org": .string(orgID), "ws": .string(workspaceID), "role": .string(role), "st": .string(sessionType),
            ]
            if let resource { object["res"] = .string(resource) }
            if let resourceID { object["rid"] = .string(resourceID) }
            object["scp"] = .strings(scopes)
            object["iat"] = .int(issuedAt)
            object["exp"] = .int(expiresAt)
            return object
        }
    }

    /// The `kid` of signing key number `number`: `sess-<number>`.
    public static func keyID(_ number: Int) -> String { keyIDPrefix + String(number) }

    /// The key number in a `sess-<n>` kid: plain decimal digits without a sign or leading zeros.
    public static func keyNumber(fromKeyID keyID: String) -> Int? {
        let bytes = keyID.utf8
        guard bytes.starts(with: keyIDPrefix.utf8) else { return nil }
        let digits = bytes.dropFirst(keyIDPrefix.utf8.count)
        guard !digits.isEmpty, digits.count <= 18,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            digits.count == 1 || digits.first != UInt8(ascii: "0")
        else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    /// A signed access token for `claims`, under the raw signing key numbered `keyNumber`.
    public static func mint(_ claims: Claims, keyNumber: Int, signingKey: [UInt8]) -> String {
        let header: JSONObject = ["alg": "HS256", "typ": "JWT", "kid": .string(keyID(keyNumber))]
        return CompactJWT.encode(header: header, claims: claims.json, key: signingKey)
    }

    /// Verifies `token` with the §4.1 steps (issuer `urn:meshes:session`, no org binding) and returns its
    /// claims. The caller then checks that the session row exists and is active, and the `Origin`.
    ///
    /// `signingKey` maps a key number to the unsealed 32-byte key, `nil` when unknown.
    /// - Parameters:
    ///   - now: the verifier's clock in unix seconds.
    ///   - maxLifetime: the largest accepted `exp − iat`.
    /// - Throws: `TokenRejection` naming the first failed check.
    public static func verify(
        _ token: String, now: Int, maxLifetime: Int = SessionJWT.maxLifetime, signingKey: (Int) -> [UInt8]?
    ) throws(TokenRejection) -> Claims {
        let jwt = try CompactJWT.decode(token)

        guard let keyID = jwt.keyID, let number = keyNumber(fromKeyID: keyID) else { throw TokenRejection(.badKeyID) }
        guard let key = signingKey(number) else { throw TokenRejection(.unknownKey) }

        try jwt.verifySignature(key: key)

        let object = try jwt.claims()
        guard object["iss"] == .string(issuer) else { throw TokenRejection(.badIssuer) }
        guard object["aud"] == .string(audience) else { throw TokenRejection(.badAudience) }
        guard let sessionID = object["sub"]?.stringValue, KeyFormats.isSessionID(sessionID),
            let orgID = object["org"]?.stringValue, let workspaceID = object["ws"]?.stringValue,
            let role = object["role"]?.stringValue, let sessionType = object["st"]?.stringValue,
            let scopeValues = object["scp"]?.arrayValue
        else { throw TokenRejection(.badClaims) }
        var scopes: [String] = []
        for value in scopeValues {
            guard let scope = value.stringValue else { throw TokenRejection(.badClaims) }
            scopes.append(scope)
        }
        let resource = object["res"]
        let resourceID = object["rid"]
        guard resource == nil || resource?.stringValue != nil, resourceID == nil || resourceID?.stringValue != nil
        else { throw TokenRejection(.badClaims) }

        let times = try CompactJWT.checkTimes(object, now: now, maxLifetime: maxLifetime)
        return Claims(
            sessionID: sessionID, orgID: orgID, workspaceID: workspaceID, role: role, sessionType: sessionType,
            resource: resource?.stringValue, resourceID: resourceID?.stringValue, scopes: scopes,
            issuedAt: times.issuedAt, expiresAt: times.expiresAt)
    }
}
