/// Why a bearer token was refused.
///
/// The API answers every rejection with the same generic 401 (§4.1); the reason exists only for the
/// debug log and for tests, so it never reaches the client.
public struct TokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The verification step that failed, in the order of §4.1.
    public enum Reason: String, Sendable, Equatable, CaseIterable {
        /// Not three dot-separated segments, padded, or longer than the size limit.
        case malformed
        /// A segment is not canonical unpadded base64url.
        case badEncoding
        /// The header is not a JSON object, or carries `crit`.
        case badHeader
        /// `alg` is missing or not `HS256` (`none` included).
        case unsupportedAlgorithm
        /// `typ` is present and not `JWT`.
        case badType
        /// `kid` is missing or does not have the expected format.
        case badKeyID
        /// No key has that `kid`.
        case unknownKey
        /// The key exists but is revoked.
        case revokedKey
        /// The HMAC does not match.
        case badSignature
        /// The claims are not a JSON object or a required claim is missing or mistyped.
        case badClaims
        /// `iss` is not the expected issuer.
        case badIssuer
        /// `aud` is not exactly the string `meshes-api`.
        case badAudience
        /// `org` differs from the key's org.
        case orgMismatch
        /// `iat` or `exp` is missing or not an integer.
        case badTimestamps
        /// `exp − iat` is not in `1...maxLifetime`.
        case badLifetime
        /// `iat` is more than the leeway ahead of the clock.
        case issuedInFuture
        /// `exp` is more than the leeway behind the clock.
        case expired
    }

    /// The failed step.
    public let reason: Reason

    /// A rejection for `reason`.
    public init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String { "token rejected: \(reason.rawValue)" }
}
