import Foundation

/// Webhook signing secrets (§6.1): `whsec_` + standard base64 of 24..64 key bytes.
public enum WebhookSecret {
    public static let prefix = "whsec_"
    /// The `signing_secret` value that asks the engine to generate one.
    public static let generateKeyword = "generate"
    /// Allowed key sizes in bytes.
    public static let keyByteRange = 24...64

    /// The HMAC key bytes of a well-formed secret, or nil. Padding is optional.
    public static func keyBytes(_ secret: String) -> [UInt8]? {
        guard secret.hasPrefix(prefix) else { return nil }
        var encoded = String(secret.dropFirst(prefix.count))
        guard !encoded.isEmpty, encoded.utf8.allSatisfy(isBase64Byte) else { return nil }
        if encoded.utf8.count % 4 != 0 { encoded += String(repeating: "=", count: 4 - encoded.utf8.count % 4) }
        guard let data = Data(base64Encoded: encoded), keyByteRange.contains(data.count) else { return nil }
        return Array(data)
    }

    /// Whether `secret` is a well-formed signing secret.
    public static func isValid(_ secret: String) -> Bool { keyBytes(secret) != nil }

    /// A new secret with 32 random key bytes.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + Data(bytes).base64EncodedString()
    }

    private static func isBase64Byte(_ byte: UInt8) -> Bool {
        ValidationRules.isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
            || byte == UInt8(ascii: "=")
    }
}
