/// Lowercase hexadecimal, written once for every digest, UUID, signature and escape in the package.
public enum Hex {
    /// The ASCII digit of a nibble (`0`-`9`, `a`-`f`).
    @inline(__always) public static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x57 + nibble
    }

    /// Appends the two digits of `byte` to `out`.
    @inline(__always) public static func append(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(digit(byte >> 4))
        out.append(digit(byte & 0x0F))
    }

    /// The two digits of one byte.
    public static func byte(_ byte: UInt8) -> String {
        String(decoding: [digit(byte >> 4), digit(byte & 0x0F)], as: UTF8.self)
    }

    /// The digits of some bytes.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var i = 0
            for byte in bytes {
                out[i] = digit(byte >> 4)
                out[i + 1] = digit(byte & 0x0F)
                i += 2
            }
            return i
        }
    }

    /// The value of one hex digit (either case), or nil.
    @inline(__always) public static func value(_ ascii: UInt8) -> UInt8? {
        switch ascii {
        case 0x30...0x39: return ascii - 0x30
        case 0x61...0x66: return ascii - 0x57
        case 0x41...0x46: return ascii - 0x37
        default: return nil
        }
    }
}
