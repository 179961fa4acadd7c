/// Query and rule tokenisation (§6.4): lowercase runs of letters and digits; stopwords and one-character
/// tokens are dropped.
public enum Tokenizer {
    /// The small English stopword list.
    public static let stopwords: Set<String> = [
        "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
        "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "how", "if",
        "in", "into", "is", "it", "its", "just", "me", "more", "my", "no", "not", "of", "on", "only", "or",
        "other", "our", "out", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them",
        "then", "there", "these", "they", "this", "those", "to", "too", "up", "us", "very", "was", "we", "were",
        "what", "when", "where", "which", "while", "who", "why", "will", "with", "would", "you", "your",
    ]

    /// The longest stopword; longer tokens skip the stopword lookup.
    static let longestStopword = stopwords.map(\.utf8.count).max() ?? 0

    /// Up to 8 bytes packed into an integer, the first byte lowest (exact for tokens, which hold no NUL).
    static func pack(_ bytes: some Collection<UInt8>) -> UInt64 {
        var packed: UInt64 = 0
        for (offset, byte) in bytes.prefix(8).enumerated() { packed |= UInt64(byte) << UInt64(8 * offset) }
        return packed
    }

    /// Whether every stopword is ASCII and at most 8 bytes long, so `isPackedStopword` can answer for them.
    static let stopwordsPack = stopwords.allSatisfy { word in word.utf8.count <= 8 && word.utf8.allSatisfy { $0 < 0x80 } }

    /// The stopwords packed by `pack`, in an open-addressing table of 256 slots (0 marks a free slot).
    static let packedStopwordTable: [UInt64] = {
        var table = [UInt64](repeating: 0, count: 256)
        for word in stopwords where word.utf8.count <= 8 {
            let packed = pack(Array(word.utf8))
            var slot = stopwordSlot(packed)
            while table[slot] != 0 && table[slot] != packed { slot = (slot + 1) & 255 }
            table[slot] = packed
        }
        return table
    }()

    /// The home slot of a packed token in `packedStopwordTable`.
    static func stopwordSlot(_ packed: UInt64) -> Int {
        Int(truncatingIfNeeded: (packed &* 0x9E37_79B9_7F4A_7C15) >> 56)
    }

    /// Whether a token of at most 8 bytes, packed by `pack`, is a stopword (valid when `stopwordsPack`);
    /// `table` is `packedStopwordTable`.
    static func isPackedStopword(_ packed: UInt64, in table: [UInt64]) -> Bool {
        var slot = stopwordSlot(packed)
        while true {
            let entry = table[slot]
            if entry == packed { return true }
            if entry == 0 { return false }
            slot = (slot + 1) & 255
        }
    }

    /// Per byte: the lowercased byte when it belongs to a token (`[a-z0-9]`, `[A-Z]` lowered), 0 for a
    /// separator, 0xFF for a non-ASCII byte.
    static let tokenByteTable: [UInt8] = (0...255).map { (value: Int) -> UInt8 in
        let byte = UInt8(value)
        if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) { return byte }
        if byte >= 0x41 && byte <= 0x5A { return byte + 0x20 }
        return byte >= 0x80 ? 0xFF : 0
    }

    /// The tokens of `text` in order (duplicates kept).
    public static func tokens(_ text: String) -> [String] {
        var copy = text
        if let ascii = copy.withUTF8({ asciiTokens($0) }) { return ascii }
        return unicodeTokens(text)
    }

    /// The byte-level path for ASCII text (the common case); `nil` when a non-ASCII byte appears.
    private static func asciiTokens(_ bytes: UnsafeBufferPointer<UInt8>) -> [String]? {
        var out: [String] = []
        var token: [UInt8] = []
        token.reserveCapacity(32)
        func flush() {
            if token.count > 1 {
                let text = String(decoding: token, as: UTF8.self)
                if token.count > longestStopword || !stopwords.contains(text) { out.append(text) }
            }
            token.removeAll(keepingCapacity: true)
        }
        for byte in bytes {
            if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) {
                token.append(byte)
            } else if byte >= 0x41 && byte <= 0x5A {
                token.append(byte + 0x20)
            } else if byte >= 0x80 {
                return nil
            } else if !token.isEmpty {
                flush()
            }
        }
        flush()
        return out
    }

    private static func unicodeTokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        var length = 0
        func flush() {
            if length > 1 {
                let token = String(current)
                if !stopwords.contains(token) { out.append(token) }
            }
            current.removeAll(keepingCapacity: true)
            length = 0
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                if (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39) {
                    current.append(scalar)
                    length += 1
                } else if value >= 0x41 && value <= 0x5A {
                    current.append(Unicode.Scalar(value + 0x20) ?? scalar)
                    length += 1
                } else {
                    flush()
                }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if scalar.properties.isGraphemeExtend == false { length += 1 }
                current.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else if scalar.properties.isGraphemeExtend, length > 0 {
                current.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return out
    }
}
