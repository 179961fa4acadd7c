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

/// One RFC 4648 alphabet with a strict, canonical decoder shared by `Base64` and `Base64URL`.
struct Base64Codec: Sendable {
    static let standard = Base64Codec("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    static let url = Base64Codec("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    private static let invalid: UInt8 = 0xFF
    private static let pad = UInt8(ascii: "=")

    private let symbols: [UInt8]
    private let values: [UInt8]

    private init(_ alphabet: String) {
        symbols = Array(alphabet.utf8)
        var table = [UInt8](repeating: Base64Codec.invalid, count: 256)
        for (value, symbol) in symbols.enumerated() { table[Int(symbol)] = UInt8(value) }
        values = table
    }

    /// Whether `byte` is one of the 64 symbols (padding excluded).
    func isSymbol(_ byte: UInt8) -> Bool { values[Int(byte)] != Base64Codec.invalid }

    func encode(_ input: some Sequence<UInt8>, padded: Bool) -> String {
        let bytes = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(symbols[Int(group >> 18 & 0x3F)])
            out.append(symbols[Int(group >> 12 & 0x3F)])
            out.append(symbols[Int(group >> 6 & 0x3F)])
            out.append(symbols[Int(group & 0x3F)])
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let group = UInt32(bytes[index]) << 16
            out.append(symbols[Int(group >> 18 & 0x3F)])
            out.append(symbols[Int(group >> 12 & 0x3F)])
            if padded { out += [Base64Codec.pad, Base64Codec.pad] }
        case 2:
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(symbols[Int(group >> 18 & 0x3F)])
            out.append(symbols[Int(group >> 12 & 0x3F)])
            out.append(symbols[Int(group >> 6 & 0x3F)])
            if padded { out.append(Base64Codec.pad) }
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Strict decoding: padding is optional but, when present, must complete the last quantum exactly.
    /// Non-zero unused bits are refused so every byte string has exactly one accepted encoding.
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
        var out: [UInt8] = []
        out.reserveCapacity(end / 4 * 3 + 2)
        var index = 0
        while index + 4 <= end {
            var group: UInt32 = 0
            for offset in 0..<4 {
                let value = values[Int(input[index + offset])]
                guard value != Base64Codec.invalid else { return nil }
                group = group << 6 | UInt32(value)
            }
            out.append(UInt8(group >> 16 & 0xFF))
            out.append(UInt8(group >> 8 & 0xFF))
            out.append(UInt8(group & 0xFF))
            index += 4
        }
        if remainder > 0 {
            var group: UInt32 = 0
            for offset in 0..<remainder {
                let value = values[Int(input[index + offset])]
                guard value != Base64Codec.invalid else { return nil }
                group = group << 6 | UInt32(value)
            }
            if remainder == 2 {
                guard group & 0x0F == 0 else { return nil }
                out.append(UInt8(group >> 4 & 0xFF))
            } else {
                guard group & 0x03 == 0 else { return nil }
                out.append(UInt8(group >> 10 & 0xFF))
                out.append(UInt8(group >> 2 & 0xFF))
            }
        }
        return out
    }
}
