/// Random values for keys, secrets and tokens, drawn from the system CSPRNG (`getrandom` on Linux,
/// `arc4random_buf` on Darwin) through `SystemRandomNumberGenerator`.
public enum SecureRandom {
    private static let base62Symbols = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(count + 8)
        while out.count < count {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) where out.count < count {
                out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return out
    }

    /// `count` uniformly random characters of `[A-Za-z0-9]`.
    public static func base62(_ count: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            // Rejection sampling: 248 = 4 × 62, so keeping bytes below it leaves no modulo bias.
            for byte in bytes(count - out.count + 8) where byte < 248 && out.count < count {
                out.append(base62Symbols[Int(byte % 62)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` is exactly `count` characters of `[A-Za-z0-9]`.
    static func isBase62(_ bytes: some Collection<UInt8>, count: Int) -> Bool {
        bytes.count == count && bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
    }
}
