internal import Crypto
internal import SharedCore

/// Signature header values for outgoing webhooks (§6.1).
///
/// Keys are the raw HMAC key bytes, i.e. the base64-decoded part after `whsec_`
/// (`WebhookSecret.keyBytes`). Pass the current key first; during rotation pass the previous key second
/// and both signatures are emitted, current first.
public enum WebhookSignature {
    /// The Meshes header's HMAC hash.
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha256
        case sha512
    }

    /// Standard Webhooks message id header (the rule event id).
    public static let idHeader = "webhook-id"
    /// Standard Webhooks timestamp header (unix seconds).
    public static let timestampHeader = "webhook-timestamp"
    /// Standard Webhooks signature header.
    public static let signatureHeader = "webhook-signature"
    /// The default name of the Meshes signature header.
    public static let defaultMeshesHeader = "X-Meshes-Signature"

    /// The `webhook-signature` value: `v1,<base64 HMAC-SHA256(key, "<id>.<t>.<body>")>` per key,
    /// separated by a space.
    public static func standard(id: String, timestamp: Int, body: [UInt8], keys: [[UInt8]]) -> String {
        let message = Array("\(id).\(timestamp).".utf8) + body
        return keys.map { key in
            "v1," + Base64.encode(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        }.joined(separator: " ")
    }

    /// The Meshes header value: `t=<t>,v1=<lowercase hex HMAC-<alg>(key, "<t>.<body>")>`, with one more
    /// `,v1=` entry per extra key.
    public static func meshes(timestamp: Int, body: [UInt8], algorithm: Algorithm, keys: [[UInt8]]) -> String {
        let message = Array("\(timestamp).".utf8) + body
        var value = "t=\(timestamp)"
        for key in keys {
            value += ",v1=" + Hex.encode(mac(message, key: key, algorithm: algorithm))
        }
        return value
    }

    private static func mac(_ message: [UInt8], key: [UInt8], algorithm: Algorithm) -> [UInt8] {
        let symmetric = SymmetricKey(data: key)
        switch algorithm {
        case .sha256: return Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: symmetric))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: message, using: symmetric))
        }
    }
}
