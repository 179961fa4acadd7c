/// Okapi BM25 statistics (k1 1.2, b 0.75) of a query's terms over the rules of an index's active lessons.
///
/// One pass over the rule bytes yields every rule's length in tokens (for the average) and the term
/// frequencies of just these terms; rules are never turned into token strings or per-rule dictionaries.
/// ASCII rules (the common case) are scanned byte by byte with the exact token rules of `Tokenizer`; other
/// rules, and every rule when a term is not ASCII, go through `Tokenizer.tokens` and `String` equality.
struct LexicalStatistics: Sendable {
    /// One rule holding a term.
    struct Posting: Sendable {
        var lesson: Int32
        var count: Int32
    }

    /// The distinct-or-not terms, in the order scores add them up.
    let terms: [String]
    /// Number of active lessons.
    let documentCount: Int
    /// Mean rule length in tokens (0 without lessons).
    let averageLength: Double
    /// Rule length in tokens, by lesson.
    let lengths: [Int32]
    /// Rules holding each term, by term.
    let documentFrequency: [Int]
    /// The rules holding each term with its count, ascending by lesson, by term.
    let postings: [[Posting]]

    init(lessons: ActiveLessons, terms: [String]) {
        self.terms = terms
        documentCount = lessons.count
        let scanner = TermScanner(terms)
        var lengths: [Int32] = []
        lengths.reserveCapacity(lessons.count)
        var postings = [[Posting]](repeating: [], count: terms.count)
        var frequency = [Int](repeating: 0, count: terms.count)
        var counts = [Int32](repeating: 0, count: terms.count)
        var total = 0
        for index in lessons.indices {
            let length = scanner.scan(lessons.rule(at: index), counts: &counts)
            total += length
            lengths.append(Int32(truncatingIfNeeded: length))
            for slot in counts.indices where counts[slot] > 0 {
                postings[slot].append(Posting(lesson: Int32(truncatingIfNeeded: index), count: counts[slot]))
                frequency[slot] += 1
                counts[slot] = 0
            }
        }
        self.lengths = lengths
        self.postings = postings
        documentFrequency = frequency
        averageLength = lessons.isEmpty ? 0 : Double(total) / Double(lessons.count)
    }

    /// How often term `slot` occurs in the rule of `lesson` (`nil` when it does not).
    func termFrequency(_ slot: Int, in lesson: Int) -> Int? {
        let list = postings[slot]
        var low = 0
        var high = list.count
        let key = Int32(truncatingIfNeeded: lesson)
        while low < high {
            let middle = (low + high) / 2
            if list[middle].lesson < key { low = middle + 1 } else { high = middle }
        }
        return low < list.count && list[low].lesson == key ? Int(list[low].count) : nil
    }

    /// BM25 of `lesson` summed over every term, in order.
    func bm25(_ lesson: Int) -> Double {
        bm25(lesson, slots: terms.indices)
    }

    /// BM25 of `lesson` summed over the terms at `slots`, in that order.
    func bm25(_ lesson: Int, slots: some Sequence<Int>) -> Double {
        let k1 = 1.2
        let b = 0.75
        let count = Double(documentCount)
        let length = Double(lengths[lesson])
        let norm = averageLength > 0 ? length / averageLength : 0
        var score = 0.0
        for slot in slots {
            let df = documentFrequency[slot]
            guard df > 0, let tf = termFrequency(slot, in: lesson) else { continue }
            let idf = log1pPortable((count - Double(df) + 0.5) / (Double(df) + 0.5))
            let frequency = Double(tf)
            score += idf * frequency * (k1 + 1) / (frequency + k1 * (1 - b + b * norm))
        }
        return score
    }
}

/// Counts a rule's tokens and the occurrences of a fixed list of terms in it.
private struct TermScanner {
    let terms: [String]
    /// Term bytes by slot; the ASCII scan compares against these.
    let termBytes: [[UInt8]]
    /// The first 8 bytes of each term packed like `Tokenizer.pack` (exact for terms of up to 8 bytes).
    let termPacked: [UInt64]
    /// Bit `n` is set when some term is `n` bytes long (bit 63: 63 bytes or more).
    let termLengths: UInt64
    /// Whether the byte scan can be used at all: every term is ASCII and the stopwords pack into 8 bytes.
    let byteScan: Bool
    let stopwordTable = Tokenizer.packedStopwordTable
    let byteTable = Tokenizer.tokenByteTable
    let longestStopword = Tokenizer.longestStopword

    init(_ terms: [String]) {
        self.terms = terms
        termBytes = terms.map { Array($0.utf8) }
        termPacked = termBytes.map { Tokenizer.pack($0.prefix(8)) }
        termLengths = termBytes.reduce(0) { $0 | (1 << UInt64(min($1.count, 63))) }
        byteScan = Tokenizer.stopwordsPack && termBytes.allSatisfy { $0.allSatisfy { $0 < 0x80 } }
    }

    /// The number of tokens of `rule`; adds each term's occurrences to `counts[slot]`.
    func scan(_ rule: String, counts: inout [Int32]) -> Int {
        if byteScan {
            var text = rule
            let length = text.withUTF8 { bytes in scanASCII(bytes, counts: &counts) }
            if let length { return length }
        }
        let tokens = Tokenizer.tokens(rule)
        if !terms.isEmpty {
            for token in tokens {
                for slot in terms.indices where token == terms[slot] { counts[slot] += 1 }
            }
        }
        return tokens.count
    }

    /// The byte-level scan of an ASCII rule, mirroring `Tokenizer`'s ASCII path; `nil` (with `counts`
    /// untouched) when a non-ASCII byte appears.
    private func scanASCII(_ bytes: UnsafeBufferPointer<UInt8>, counts: inout [Int32]) -> Int? {
        var all: UInt8 = 0
        for byte in bytes { all |= byte }
        if all >= 0x80 { return nil }
        return byteTable.withUnsafeBufferPointer { table -> Int in
            var length = 0
            var position = 0
            let end = bytes.count
            while position < end {
                var lower = table[Int(bytes[position])]
                if lower == 0 {
                    position += 1
                    continue
                }
                let tokenStart = position
                var packed: UInt64 = 0
                var tokenLength = 0
                while true {
                    if tokenLength < 8 { packed |= UInt64(lower) << UInt64(8 * tokenLength) }
                    tokenLength += 1
                    position += 1
                    if position == end { break }
                    lower = table[Int(bytes[position])]
                    if lower == 0 { break }
                }
                guard tokenLength > 1 else { continue }
                if tokenLength <= longestStopword && Tokenizer.isPackedStopword(packed, in: stopwordTable) { continue }
                length += 1
                guard termLengths & (1 << UInt64(min(tokenLength, 63))) != 0 else { continue }
                for slot in termBytes.indices where termBytes[slot].count == tokenLength {
                    if tokenLength <= 8 {
                        if termPacked[slot] == packed { counts[slot] += 1 }
                    } else if matchesLowercased(bytes, from: tokenStart, termBytes[slot]) {
                        counts[slot] += 1
                    }
                }
            }
            return length
        }
    }

    /// Whether the token at `start` (same length as `term`) lowercases to `term`.
    private func matchesLowercased(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ term: [UInt8]) -> Bool {
        for offset in term.indices where byteTable[Int(bytes[start + offset])] != term[offset] { return false }
        return true
    }
}
