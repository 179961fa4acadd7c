/// Generation and format checks for machine keys, org ids, session ids and launch tokens (§2.1, §2.8).
///
/// The checks mirror the spec's regular expressions exactly; they are written byte by byte because they
/// run on every authenticated request.
public enum KeyFormats {
    /// Prefix of a machine access key.
    public static let accessKeyPrefix = "mk_"
    /// Prefix of a session id.
    public static let sessionIDPrefix = "ses_"
    /// Prefix of a launch token.
    public static let launchTokenPrefix = "lt_"

    /// A new access key: `mk_` + base64url of 18 random bytes (24 characters).
    public static func generateAccessKey() -> String {
        accessKeyPrefix + Base64URL.encode(SecureRandom.bytes(18))
    }

    /// Whether `text` matches `^mk_[A-Za-z0-9_-]{22,}$`.
    public static func isAccessKey(_ text: String) -> Bool {
        let bytes = text.utf8
        guard bytes.starts(with: accessKeyPrefix.utf8) else { return false }
        let body = bytes.dropFirst(accessKeyPrefix.utf8.count)
        return body.count >= 22 && Base64URL.isAlphabet(body)
    }

    /// A new machine secret: unpadded base64url of 32 random bytes (43 characters).
    public static func generateSecret() -> String {
        Base64URL.encode(SecureRandom.bytes(32))
    }

    /// Whether `text` matches `^[A-Za-z0-9_-]{43,}$`.
    public static func isSecret(_ text: String) -> Bool {
        text.utf8.count >= 43 && Base64URL.isAlphabet(text.utf8)
    }

    /// Whether `text` is an org id: a UUID of version 1–5 with the RFC 4122 variant, any letter case
    /// (`^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, case-insensitive).
    public static func isOrgID(_ text: String) -> Bool {
        guard Formats.isUUID(text) else { return false }
        let bytes = Array(text.utf8)
        let version = bytes[14]
        let variant = bytes[19] | 0x20  // ASCII lowercase; digits are unchanged
        return version >= UInt8(ascii: "1") && version <= UInt8(ascii: "5")
            && [UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(variant)
    }

    /// A new session id: `ses_` + 22 base62 characters.
    public static func generateSessionID() -> String {
        sessionIDPrefix + SecureRandom.base62(22)
    }

    /// Whether `text` is `ses_` + exactly 22 base62 characters.
    public static func isSessionID(_ text: String) -> Bool {
        let bytes = text.utf8
        return bytes.starts(with: sessionIDPrefix.utf8)
            && SecureRandom.isBase62(bytes.dropFirst(sessionIDPrefix.utf8.count), count: 22)
    }

    /// A new launch token: `lt_` + 43 base64url characters (32 random bytes).
    public static func generateLaunchToken() -> String {
        launchTokenPrefix + Base64URL.encode(SecureRandom.bytes(32))
    }

    /// Whether `text` is `lt_` + exactly 43 base64url characters.
    public static func isLaunchToken(_ text: String) -> Bool {
        let bytes = text.utf8
        guard bytes.starts(with: launchTokenPrefix.utf8) else { return false }
        let body = bytes.dropFirst(launchTokenPrefix.utf8.count)
        return body.count == 43 && Base64URL.isAlphabet(body)
    }
}
