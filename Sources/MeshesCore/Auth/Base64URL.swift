/// URL-safe base64 (RFC 4648 §5, alphabet `A–Z a–z 0–9 - _`), written without padding: JWT segments,
/// machine keys and secrets, launch tokens and `MESHES_MASTER_KEY`.
public enum Base64URL {
    /// Unpadded base64url of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Base64Codec.url.encode(bytes, padded: false)
    }

    /// Unpadded base64url of the UTF-8 bytes of `text`.
    public static func encode(_ text: String) -> String {
        encode(Array(text.utf8))
    }

    /// The bytes of base64url `text`; padding is accepted but not required. `nil` for any other
    /// character (whitespace included), wrong padding, an impossible length or non-zero trailing bits.
    public static func decode(_ text: String) -> [UInt8]? {
        Base64Codec.url.decode(text)
    }

    /// Whether every byte is one of the 64 base64url symbols (no padding) and there is at least one.
    static func isAlphabet(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(Base64Codec.url.isSymbol)
    }
}
