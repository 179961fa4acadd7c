internal import Crypto
internal import SharedCore

/// The HS256 JWS compact serialisation shared by machine and session tokens: encoding, the structural
/// checks of §4.1 step 1, the HMAC check of step 3 and the time checks of step 5.
struct CompactJWT {
    /// Tokens longer than this are refused before any decoding.
    static let maxLength = 8192
    /// Allowed clock skew in seconds, both ways (§4.1 step 5).
    static let clockLeeway = 10

    /// The parsed JOSE header.
    let header: JSONObject
    /// The decoded claims segment, parsed only after the signature has been checked.
    let claimsBytes: [UInt8]
    /// `base64url(header) + "." + base64url(claims)`, the MAC input.
    let signingInput: [UInt8]
    /// The decoded signature segment.
    let signature: [UInt8]

    /// Signs `header` and `claims`, serialised as compact JSON in their key order, with HMAC-SHA256.
    static func encode(header: JSONObject, claims: JSONObject, key: [UInt8]) -> String {
        let signingInput =
            Base64URL.encode(JSONEmitter.compact(.object(header))) + "."
            + Base64URL.encode(JSONEmitter.compact(.object(claims)))
        return signingInput + "." + Base64URL.encode(mac(Array(signingInput.utf8), key: key))
    }

    /// HMAC-SHA256 of `input` under `key`.
    static func mac(_ input: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<Crypto.SHA256>.authenticationCode(for: input, using: SymmetricKey(data: key)))
    }

    /// Step 1: three segments of canonical unpadded base64url, a JSON-object header without `crit`,
    /// `alg == "HS256"` and `typ == "JWT"` when present. The header is judged before the other segments
    /// are decoded, so an `alg: none` token with an empty signature is reported as such.
    static func decode(_ token: String) throws(TokenRejection) -> CompactJWT {
        let bytes = Array(token.utf8)
        guard bytes.count <= maxLength else { throw TokenRejection(.malformed) }
        let segments = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3, !bytes.contains(UInt8(ascii: "=")) else { throw TokenRejection(.malformed) }

        let headerBytes = try decodeSegment(segments[0])
        guard let parsed = try? JSONParser.parse(bytes: headerBytes), let header = parsed.objectValue,
            header["crit"] == nil
        else { throw TokenRejection(.badHeader) }
        guard header["alg"] == .string("HS256") else { throw TokenRejection(.unsupportedAlgorithm) }
        if let type = header["typ"], type != .string("JWT") { throw TokenRejection(.badType) }

        return CompactJWT(
            header: header, claimsBytes: try decodeSegment(segments[1]),
            signingInput: Array(bytes[0..<(segments[0].count + 1 + segments[1].count)]),
            signature: try decodeSegment(segments[2]))
    }

    private static func decodeSegment(_ segment: ArraySlice<UInt8>) throws(TokenRejection) -> [UInt8] {
        guard !segment.isEmpty, let decoded = Base64URL.decode(String(decoding: segment, as: UTF8.self)) else {
            throw TokenRejection(.badEncoding)
        }
        return decoded
    }

    /// The `kid` header, when it is a string.
    var keyID: String? { header["kid"]?.stringValue }

    /// Step 3: recomputes the HMAC under `key` and compares it in constant time.
    func verifySignature(key: [UInt8]) throws(TokenRejection) {
        guard ConstantTime.equals(CompactJWT.mac(signingInput, key: key), signature) else {
            throw TokenRejection(.badSignature)
        }
    }

    /// The claims object; call only after `verifySignature(key:)`.
    func claims() throws(TokenRejection) -> JSONObject {
        guard let parsed = try? JSONParser.parse(bytes: claimsBytes), let claims = parsed.objectValue else {
            throw TokenRejection(.badClaims)
        }
        return claims
    }

    /// Step 5: integer `iat` and `exp` with `0 < exp − iat ≤ maxLifetime`, `iat ≤ now + leeway` and
    /// `exp > now − leeway`. Returns `(iat, exp)`.
    static func checkTimes(
        _ claims: JSONObject, now: Int, maxLifetime: Int
    ) throws(TokenRejection) -> (issuedAt: Int, expiresAt: Int) {
        // Only JSON integers count: `1767225600.0` or `"1767225600"` are refused.
        guard case .int(let issuedAt)? = claims["iat"], case .int(let expiresAt)? = claims["exp"] else {
            throw TokenRejection(.badTimestamps)
        }
        let (lifetime, overflow) = expiresAt.subtractingReportingOverflow(issuedAt)
        guard !overflow, lifetime > 0, lifetime <= maxLifetime else { throw TokenRejection(.badLifetime) }
        let (latestIssue, late) = now.addingReportingOverflow(clockLeeway)
        guard late || issuedAt <= latestIssue else { throw TokenRejection(.issuedInFuture) }
        let (earliestExpiry, early) = now.subtractingReportingOverflow(clockLeeway)
        guard early || expiresAt > earliestExpiry else { throw TokenRejection(.expired) }
        return (issuedAt, expiresAt)
    }
}
