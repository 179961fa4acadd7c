import SharedCore
import Testing

@testable import MeshesCore

@Suite("Machine JWT (§4.1, C1)")
struct MachineJWTTests {
    // MARK: Minting

    @Test("C1: the minted token is byte-exact")
    func c1Token() {
        let token = MachineJWT.mint(accessKey: C1.accessKey, secret: C1.secret, orgID: C1.org, issuedAt: C1.iat)
        #expect(token == C1.token)
        #expect(segmentText(token, 0) == C1.header)
        #expect(segmentText(token, 1) == C1.claims)
    }

    @Test("C1: the vector verifies and names the key and org")
    func c1Verifies() throws {
        let identity = try MachineJWT.verify(C1.token, now: C1.iat, lookup: C1.lookup)
        #expect(identity == MachineJWT.Identity(accessKey: C1.accessKey, orgID: C1.org, issuedAt: C1.iat, expiresAt: C1.iat + 30))
    }

    @Test("verification does not depend on claim or header key order")
    func keyOrder() throws {
        let claims: JSONObject = [
            "exp": .int(C1.iat + 30), "org": .string(C1.org), "iat": .int(C1.iat), "aud": "meshes-api",
            "iss": .string("urn:meshes:m2m:" + C1.accessKey),
        ]
        let header: JSONObject = ["kid": .string(C1.accessKey), "alg": "HS256"]
        let identity = try MachineJWT.verify(signedToken(header: header, claims: claims), now: C1.iat, lookup: C1.lookup)
        #expect(identity.accessKey == C1.accessKey)
    }

    // MARK: The 401 cases of C1

    @Test("C1: a signature keyed with the base64-decoded secret is refused")
    func decodedSecretKey() throws {
        let decoded = try #require(Base64URL.decode(C1.secret))
        expectMachineRejection(signedToken(claims: C1.claimsObject, key: decoded), .badSignature)
    }

    @Test("C1: exp − iat = 61 is refused")
    func lifetime61() {
        expectMachineRejection(signedToken(claims: c1Claims(["exp": .int(C1.iat + 61)])), .badLifetime)
    }

    @Test("C1: alg none is refused, signed or not")
    func algNone() {
        var header = C1.headerObject
        header["alg"] = "none"
        let signed = signedToken(header: header, claims: C1.claimsObject)
        expectMachineRejection(signed, .unsupportedAlgorithm)
        let unsigned = signed.split(separator: ".").prefix(2).joined(separator: ".") + "."
        expectMachineRejection(unsigned, .unsupportedAlgorithm)
    }

    @Test("C1: aud as an array is refused")
    func audienceArray() {
        expectMachineRejection(signedToken(claims: c1Claims(["aud": ["meshes-api"]])), .badAudience)
    }

    @Test("C1: a revoked key is refused")
    func revoked() {
        var header = C1.headerObject
        header["kid"] = .string(C1.revokedKey)
        let claims = c1Claims(["iss": .string("urn:meshes:m2m:" + C1.revokedKey)])
        expectMachineRejection(signedToken(header: header, claims: claims), .revokedKey)
    }

    @Test("C1: exp 11 s in the past is refused; 9 s in the past is within the leeway")
    func expiry() throws {
        expectMachineRejection(C1.token, .expired, now: C1.iat + 30 + 11)
        expectMachineRejection(C1.token, .expired, now: C1.iat + 30 + 10)
        _ = try MachineJWT.verify(C1.token, now: C1.iat + 30 + 9, lookup: C1.lookup)
    }

    // MARK: Further rejections

    @Test("a tampered payload breaks the signature")
    func tamperedPayload() {
        let parts = C1.token.split(separator: ".").map(String.init)
        let forged = Base64URL.encode(JSONEmitter.compact(.object(c1Claims(["exp": .int(C1.iat + 60)]))))
        expectMachineRejection([parts[0], forged, parts[2]].joined(separator: "."), .badSignature)
    }

    @Test("a flipped signature byte is refused")
    func tamperedSignature() throws {
        let parts = C1.token.split(separator: ".").map(String.init)
        var signature = try #require(Base64URL.decode(parts[2]))
        signature[31] ^= 0x01
        expectMachineRejection([parts[0], parts[1], Base64URL.encode(signature)].joined(separator: "."), .badSignature)
    }

    @Test("an unknown kid is refused")
    func unknownKey() {
        var header = C1.headerObject
        header["kid"] = "mk_SomeOtherAccessKey012345"
        expectMachineRejection(signedToken(header: header, claims: C1.claimsObject), .unknownKey)
    }

    @Test(
        "a kid that is not an access key is refused before the lookup",
        arguments: [
            JSONValue.string("ak_TestAccessKey0123456789ab"), .string("mk_short"), .string("mk_TestAccessKey0123456789a+"),
            .int(7), .null,
        ])
    func badKeyID(kid: JSONValue) {
        var header = C1.headerObject
        header["kid"] = kid
        var looked = false
        #expect(throws: TokenRejection(.badKeyID)) {
            try MachineJWT.verify(signedToken(header: header, claims: C1.claimsObject), now: C1.iat) { _ in
                looked = true
                return nil
            }
        }
        #expect(!looked)
    }

    @Test("a missing kid is refused")
    func missingKeyID() {
        expectMachineRejection(signedToken(header: ["alg": "HS256", "typ": "JWT"], claims: C1.claimsObject), .badKeyID)
    }

    @Test(
        "a wrong iss is refused",
        arguments: [
            JSONValue.string("urn:meshes:m2m:mk_SomeOtherAccessKey012345"), .string("mk_TestAccessKey0123456789ab"), .null,
        ])
    func wrongIssuer(iss: JSONValue) {
        expectMachineRejection(signedToken(claims: c1Claims(["iss": iss])), .badIssuer)
    }

    @Test("a missing iss is refused")
    func missingIssuer() {
        expectMachineRejection(signedToken(claims: c1Claims(["iss": nil])), .badIssuer)
    }

    @Test(
        "an aud other than the exact string is refused",
        arguments: [
            JSONValue.string("meshes-api "), .string("Meshes-API"), .array([]), .null,
        ])
    func wrongAudience(aud: JSONValue) {
        expectMachineRejection(signedToken(claims: c1Claims(["aud": aud])), .badAudience)
    }

    @Test("an org other than the key's is refused, case included")
    func wrongOrg() {
        expectMachineRejection(
            signedToken(claims: c1Claims(["org": "00000000-0000-4000-8000-000000000000"])), .orgMismatch)
        expectMachineRejection(signedToken(claims: c1Claims(["org": .string(C1.org.uppercased())])), .orgMismatch)
    }

    @Test("iat more than 10 s in the future is refused; exactly 10 s is accepted")
    func issuedInFuture() throws {
        expectMachineRejection(C1.token, .issuedInFuture, now: C1.iat - 11)
        _ = try MachineJWT.verify(C1.token, now: C1.iat - 10, lookup: C1.lookup)
    }

    @Test("lifetimes outside 1...60 are refused", arguments: [0, -1, 61, 3600])
    func lifetimes(lifetime: Int) {
        expectMachineRejection(signedToken(claims: c1Claims(["exp": .int(C1.iat + lifetime)])), .badLifetime)
    }

    @Test("a 60 s lifetime and a 1 s lifetime are accepted", arguments: [1, 60])
    func acceptedLifetimes(lifetime: Int) throws {
        let identity = try MachineJWT.verify(
            signedToken(claims: c1Claims(["exp": .int(C1.iat + lifetime)])), now: C1.iat, lookup: C1.lookup)
        #expect(identity.expiresAt == C1.iat + lifetime)
    }

    @Test(
        "non-integer or missing iat and exp are refused",
        arguments: [
            ("iat", JSONValue.double(1_767_225_600.5)), ("iat", .string("1767225600")), ("exp", .null), ("exp", .bool(true)),
            ("iat", nil),
        ] as [(String, JSONValue?)])
    func nonIntegerTimes(claim: String, value: JSONValue?) {
        expectMachineRejection(signedToken(claims: c1Claims([claim: value])), .badTimestamps)
    }

    @Test(
        "integral values written as JSON fractions or exponents are not integers",
        arguments: [
            #""iat":1767225600,"exp":1767225630.0"#, #""iat":1.7672256e9,"exp":1767225630"#,
            #""iat":1767225600,"exp":17672256300E-1"#,
        ])
    func fractionalTimes(times: String) {
        let claims =
            #"{"iss":"urn:meshes:m2m:mk_TestAccessKey0123456789ab","aud":"meshes-api","org":"3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b",\#(times)}"#
        let signingInput = Base64URL.encode(C1.header) + "." + Base64URL.encode(claims)
        let mac = CompactJWT.mac(Array(signingInput.utf8), key: Array(C1.secret.utf8))
        expectMachineRejection(signingInput + "." + Base64URL.encode(mac), .badTimestamps)
    }

    @Test("timestamps near Int.max do not overflow")
    func overflow() {
        expectMachineRejection(
            signedToken(claims: c1Claims(["iat": .int(Int.min), "exp": .int(Int.max)])), .badLifetime)
    }

    @Test("two segments, four segments and an oversized token are malformed")
    func segmentCount() {
        let parts = C1.token.split(separator: ".").map(String.init)
        expectMachineRejection(parts[0] + "." + parts[1], .malformed)
        expectMachineRejection(C1.token + "." + parts[2], .malformed)
        expectMachineRejection("", .malformed)
        expectMachineRejection(parts[0] + "." + String(repeating: "A", count: 9000) + "." + parts[2], .malformed)
    }

    @Test("padded segments are malformed")
    func padded() {
        let parts = C1.token.split(separator: ".").map(String.init)
        expectMachineRejection(parts[0] + "." + parts[1] + "." + parts[2] + "=", .malformed)
    }

    @Test(
        "garbage base64 is refused",
        arguments: [
            "!!!.eyJ9.c2ln", "eyJhbGciOiJIUzI1NiJ9.e*J9.c2ln", "eyJhbGciOiJIUzI1NiJ9.eyJ9.c2l+", "eyJhbGciOiJIUzI1NiJ9.eyJ9.",
        ])
    func garbageBase64(token: String) {
        expectMachineRejection(token, .badEncoding)
    }

    @Test("a non-canonical signature encoding is refused")
    func nonCanonicalSignature() {
        // The last of 43 characters carries 4 data bits and 2 unused ones; "E" → "F" sets an unused bit.
        #expect(C1.token.hasSuffix("6HE"))
        expectMachineRejection(String(C1.token.dropLast()) + "F", .badEncoding)
    }

    @Test("a header that is not a JSON object, or carries crit, is refused")
    func badHeader() {
        let rest = C1.token.split(separator: ".").dropFirst().joined(separator: ".")
        expectMachineRejection(Base64URL.encode("[\"HS256\"]") + "." + rest, .badHeader)
        expectMachineRejection(Base64URL.encode("{\"alg\":\"HS256\"") + "." + rest, .badHeader)
        var header = C1.headerObject
        header["crit"] = ["exp"]
        expectMachineRejection(signedToken(header: header, claims: C1.claimsObject), .badHeader)
    }

    @Test("alg other than HS256 is refused", arguments: [JSONValue.string("HS512"), .string("hs256"), .string("RS256"), .null])
    func otherAlgorithms(alg: JSONValue) {
        var header = C1.headerObject
        header["alg"] = alg
        expectMachineRejection(signedToken(header: header, claims: C1.claimsObject), .unsupportedAlgorithm)
    }

    @Test("typ other than JWT is refused; an absent typ is accepted")
    func type() throws {
        var header = C1.headerObject
        header["typ"] = "at+jwt"
        expectMachineRejection(signedToken(header: header, claims: C1.claimsObject), .badType)
        header["typ"] = nil
        _ = try MachineJWT.verify(signedToken(header: header, claims: C1.claimsObject), now: C1.iat, lookup: C1.lookup)
    }

    @Test("claims that are not a JSON object are refused after the signature check")
    func claimsNotObject() {
        let header = Base64URL.encode(C1.header)
        let claims = Base64URL.encode("[1,2]")
        let mac = CompactJWT.mac(Array((header + "." + claims).utf8), key: Array(C1.secret.utf8))
        expectMachineRejection(header + "." + claims + "." + Base64URL.encode(mac), .badClaims)
    }

    @Test("a session token is not a machine token")
    func sessionTokenRefused() {
        let claims = SessionJWT.Claims(
            sessionID: "ses_AAAAAAAAAAAAAAAAAAAAAA", orgID: C1.org, workspaceID: C1.org, role: "owner",
            sessionType: "workspace", issuedAt: C1.iat, expiresAt: C1.iat + 30)
        expectMachineRejection(SessionJWT.mint(claims, keyNumber: 1, signingKey: Array(C1.secret.utf8)), .badKeyID)
    }
}
