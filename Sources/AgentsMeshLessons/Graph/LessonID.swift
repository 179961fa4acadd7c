/// Lesson id derivation (§6.3): `<topic>-<slug>`, at most 64 characters, cut at a `-`.
public enum LessonID {
    /// The longest id allowed.
    public static let maximumLength = 64
    /// Number of rule words that form the slug.
    static let slugWords = 5

    /// The slug of a rule: its first 5 words, lowercased, runs of non-`[a-z0-9]` turned into `-`, trimmed of `-`.
    public static func slug(_ rule: String) -> String {
        let words = rule.split(whereSeparator: { $0.isWhitespace }).prefix(slugWords)
        var out = ""
        var pendingDash = false
        for scalar in words.joined(separator: " ").lowercased().unicodeScalars {
            let value = scalar.value
            if (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39) {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        return out
    }

    /// The id for `rule` in `topic` with collision suffix `n` (1 = none, 2 → `-2`, …).
    public static func make(topic: String, rule: String, attempt: Int = 1) -> String {
        let slugText = slug(rule)
        let base = slugText.isEmpty ? topic + "-lesson" : topic + "-" + slugText
        let suffix = attempt > 1 ? "-\(attempt)" : ""
        return cut(base, to: maximumLength - suffix.count) + suffix
    }

    /// Shortens an id to `limit` characters, preferring to cut at a `-` so no word is split.
    static func cut(_ id: String, to limit: Int) -> String {
        let bytes = Array(id.utf8)
        guard bytes.count > limit else { return id }
        if bytes[limit] == 0x2D { return String(decoding: bytes[..<limit], as: UTF8.self) }
        if let dash = bytes[..<limit].lastIndex(of: 0x2D), dash > 0 {
            return String(decoding: bytes[..<dash], as: UTF8.self)
        }
        return String(decoding: bytes[..<limit], as: UTF8.self)
    }
}
