internal import SharedCore

/// Identifier and timestamp formats shared by the engine (§2 conventions).
public enum Formats {
    /// Whether `text` is a UUID (any version, case-insensitive hex) in the 8-4-4-4-12 form.
    public static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                if byte != 0x2D { return false }
            } else if Hex.value(byte) == nil {
                return false
            }
        }
        return true
    }

    /// A random lowercase UUID v4.
    public static func uuid() -> String {
        var bytes = SecureRandom.identifierBytes(16)
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(0x2D) }
            Hex.append(byte, to: &text)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// RFC 3339 UTC with milliseconds for epoch milliseconds.
    public static func timestamp(milliseconds: Int64) -> String {
        Clock.iso(seconds: Int(milliseconds / 1000), milliseconds: Int(milliseconds % 1000))
    }

    /// The current time in epoch milliseconds.
    public static func nowMilliseconds() -> Int64 { Int64((Clock.now() * 1000).rounded(.down)) }
}
