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
