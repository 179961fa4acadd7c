/// Webhook signing secrets (§6.1): `whsec_` + standard base64 of 24..64 key bytes.
public enum WebhookSecret {
    public static let prefix = "whsec_"
    /// The `signing_secret` value that asks the engine to generate one.
    public static let generateKeyword = "generate"
    /// Allowed key sizes in bytes.
    public static let keyByteRange = 24...64

    /// The HMAC key bytes of a well-formed secret, or nil. Padding is optional.
    public static func keyBytes(_ secret: String) -> [UInt8]? {
        guard secret.hasPrefix(prefix), let bytes = Base64.decode(String(secret.dropFirst(prefix.count))),
            keyByteRange.contains(bytes.count)
        else { return nil }
        return bytes
    }

    /// Whether `secret` is a well-formed signing secret.
    public static func isValid(_ secret: String) -> Bool { keyBytes(secret) != nil }

    /// A new secret with 32 random key bytes.
    public static func generate() -> String { prefix + Base64.encode(SecureRandom.bytes(32)) }
}
