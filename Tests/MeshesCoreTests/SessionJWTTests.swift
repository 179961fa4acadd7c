import SharedCore
import Testing

@testable import MeshesCore

@Suite("Session JWT (§4.3)")
struct SessionJWTTests {
    static let key = Array(UInt8(0)...UInt8(31))
    static let iat = 1_767_225_600
    static let claims = SessionJWT.Claims(
        sessionID: "ses_0123456789abcdefABCDEF", orgID: "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b",
        workspaceID: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", role: "admin", sessionType: "resource", resource: "plan",
        resourceID: "pro", scopes: ["events.payload:read"], issuedAt: iat, expiresAt: iat + 1800)

    static func lookup(_ number: Int) -> [UInt8]? { number == 3 ? key : nil }

    static func expectRejection(
        _ token: String, _ reason: TokenRejection.Reason, now: Int = iat, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(throws: TokenRejection(reason), sourceLocation: sourceLocation) {
            try SessionJWT.verify(token, now: now, signingKey: lookup)
        }
    }

    /// A session token with the given claims object, signed by key 3 unless told otherwise.
    static func token(_ claims: JSONObject, kid: String = "sess-3", key: [UInt8] = SessionJWTTests.key) -> String {
        signedToken(header: ["alg": "HS256", "typ": "JWT", "kid": .string(kid)], claims: claims, key: key)
    }

    static func claimsObject(_ changes: [String: JSONValue?]) -> JSONObject {
        var object = claims.json
        for (key, value) in changes { object[key] = value }
        return object
    }

    @Test("minting writes the header and the claims in wire order")
    func wireOrder() {
        let token = SessionJWT.mint(Self.claims, keyNumber: 3, signingKey: Self.key)
        #expect(segmentText(token, 0) == #"{"alg":"HS256","typ":"JWT","kid":"sess-3"}"#)
        #expect(
            segmentText(token, 1)
                == #"{"iss":"urn:meshes:session","aud":"meshes-api","sub":"ses_0123456789abcdefABCDEF","org":"3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b","ws":"9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a","role":"admin","st":"resource","res":"plan","rid":"pro","scp":["events.payload:read"],"iat":1767225600,"exp":1767227400}"#
        )
    }

    @Test("res and rid are omitted when unset, and scp may be empty")
    func optionalClaims() throws {
        var claims = Self.claims
        claims.resource = nil
        claims.resourceID = nil
        claims.scopes = []
        claims.sessionType = "workspace"
        let token = SessionJWT.mint(claims, keyNumber: 3, signingKey: Self.key)
        #expect(
            segmentText(token, 1)
                == #"{"iss":"urn:meshes:session","aud":"meshes-api","sub":"ses_0123456789abcdefABCDEF","org":"3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b","ws":"9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a","role":"admin","st":"workspace","scp":[],"iat":1767225600,"exp":1767227400}"#
        )
        #expect(try SessionJWT.verify(token, now: Self.iat, signingKey: Self.lookup) == claims)
    }

    @Test("a minted token verifies back to the same claims")
    func roundTrip() throws {
        let token = SessionJWT.mint(Self.claims, keyNumber: 3, signingKey: Self.key)
        #expect(try SessionJWT.verify(token, now: Self.iat + 100, signingKey: Self.lookup) == Self.claims)
    }

    @Test("the lifetime may reach the session TTL bound, not beyond")
    func lifetime() throws {
        _ = try SessionJWT.verify(
            Self.token(Self.claimsObject(["exp": .int(Self.iat + 3600)])), now: Self.iat, signingKey: Self.lookup)
        Self.expectRejection(Self.token(Self.claimsObject(["exp": .int(Self.iat + 3601)])), .badLifetime)
        #expect(throws: TokenRejection(.badLifetime)) {
            try SessionJWT.verify(
                Self.token(Self.claimsObject([:])), now: Self.iat, maxLifetime: 900, signingKey: Self.lookup)
        }
    }

    @Test("expiry and future issue use the 10 s leeway")
    func times() throws {
        let token = Self.token(Self.claimsObject([:]))
        Self.expectRejection(token, .expired, now: Self.iat + 1800 + 10)
        _ = try SessionJWT.verify(token, now: Self.iat + 1800 + 9, signingKey: Self.lookup)
        Self.expectRejection(token, .issuedInFuture, now: Self.iat - 11)
    }

    @Test("kid must be sess-<n> with a known n")
    func keyIDs() {
        Self.expectRejection(Self.token(Self.claimsObject([:]), kid: "sess-4"), .unknownKey)
        for kid in ["sess-03", "sess-", "sess--3", "sess-3a", "mk_TestAccessKey0123456789ab", "SESS-3"] {
            Self.expectRejection(Self.token(Self.claimsObject([:]), kid: kid), .badKeyID)
        }
    }

    @Test("key ids parse and print symmetrically")
    func keyNumbers() {
        #expect(SessionJWT.keyID(12) == "sess-12")
        #expect(SessionJWT.keyNumber(fromKeyID: "sess-12") == 12)
        #expect(SessionJWT.keyNumber(fromKeyID: "sess-0") == 0)
        #expect(SessionJWT.keyNumber(fromKeyID: "sess-012") == nil)
        #expect(SessionJWT.keyNumber(fromKeyID: "sess-+1") == nil)
        #expect(SessionJWT.keyNumber(fromKeyID: "sess-9999999999999999999") == nil)
    }

    @Test("another signing key breaks the signature")
    func wrongKey() {
        Self.expectRejection(Self.token(Self.claimsObject([:]), key: Array(repeating: 7, count: 32)), .badSignature)
    }

    @Test("a machine issuer or a wrong audience is refused")
    func issuerAndAudience() {
        Self.expectRejection(Self.token(Self.claimsObject(["iss": "urn:meshes:m2m:mk_TestAccessKey0123456789ab"])), .badIssuer)
        Self.expectRejection(Self.token(Self.claimsObject(["aud": ["meshes-api"]])), .badAudience)
    }

    @Test(
        "missing or mistyped session claims are refused",
        arguments: [
            ("sub", JSONValue.string("session-1")), ("sub", nil), ("ws", nil), ("org", .int(1)), ("role", nil), ("st", nil),
            ("scp", .string("events.payload:read")), ("scp", [1]), ("res", .int(1)), ("rid", .null),
        ] as [(String, JSONValue?)])
    func badClaims(claim: String, value: JSONValue?) {
        Self.expectRejection(Self.token(Self.claimsObject([claim: value])), .badClaims)
    }

    @Test("a machine token is not a session token")
    func machineTokenRefused() {
        Self.expectRejection(C1.token, .badKeyID, now: C1.iat)
    }
}
