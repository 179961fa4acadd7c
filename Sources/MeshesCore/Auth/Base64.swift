internal import Foundation

/// Standard base64 (RFC 4648 §4, alphabet `A–Z a–z 0–9 + /`), as used by Standard Webhooks secrets and
/// signatures.
public enum Base64 {
    /// Padded standard base64 of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Base64Codec.standard.encode(bytes, padded: true)
    }

    /// The bytes of standard base64 `text`, padded or not; `nil` for any other character (whitespace
    /// included), wrong padding, an impossible length or non-zero trailing bits.
    public static func decode(_ text: String) -> [UInt8]? {
        Base64Codec.standard.decode(text)
    }
}

/// RFC 4648 base64 through Foundation's codec. What this type adds is only what the spec asks beyond it:
/// the URL alphabet written without padding, and strict decoding (one accepted spelling per byte string).
enum Base64Codec: Sendable {
    case standard
    case url

    private static let pad = UInt8(ascii: "=")

    /// Whether `byte` is one of the 64 symbols of this alphabet (padding excluded).
    func isSymbol(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "+"), UInt8(ascii: "/"): return self == .standard
        case UInt8(ascii: "-"), UInt8(ascii: "_"): return self == .url
        default: return false
        }
    }

    func encode(_ input: some Sequence<UInt8>, padded: Bool) -> String {
        var text = Array(Data(input).base64EncodedString().utf8)
        if !padded { while text.last == Base64Codec.pad { text.removeLast() } }
        if self == .url {
            for index in text.indices {
                if text[index] == UInt8(ascii: "+") { text[index] = UInt8(ascii: "-") }
                if text[index] == UInt8(ascii: "/") { text[index] = UInt8(ascii: "_") }
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Strict decoding: only this alphabet's symbols; padding optional but, when present, completing the last
    /// quantum exactly; non-zero unused bits refused (checked by re-encoding).
    func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        var end = input.count
        while end > 0, input[end - 1] == Base64Codec.pad { end -= 1 }
        let padding = input.count - end
        let remainder = end % 4
        guard remainder != 1 else { return nil }
        if padding > 0 {
            guard input.count % 4 == 0, padding == 4 - remainder else { return nil }
        }
        // Table decoding: every symbol of the alphabet, and the bits left over at the end all zero (the one
        // canonical spelling of the bytes).
        let table = self == .url ? Base64Codec.urlValues : Base64Codec.standardValues
        var bytes: [UInt8] = []
        bytes.reserveCapacity(end * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for index in 0..<end {
            let value = table[Int(input[index])]
            guard value != 0xFF else { return nil }
            accumulator = (accumulator << 6 | UInt32(value)) & 0xFF_FFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard accumulator & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return bytes
    }

    /// The 6-bit value of each byte in one alphabet (0xFF: not a symbol).
    private static func values(_ alphabet: String) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.utf8.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }

    private static let standardValues = values("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    private static let urlValues = values("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}
