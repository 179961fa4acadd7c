// Hand-written: the fast path decodes the lessons graph without building a JSONValue tree; the generic path is the reference.
internal import SharedCore
internal import SharedPlatform

/// The fast path of `LessonGraphCodec`: reads the common, well-formed version-2 graph straight from the
/// `lessons.json` bytes into lessons, topics and triggers, without building a `JSONValue` tree.
///
/// It accepts only documents the generic path (`JSONParser` + the field reader) would read with no issue
/// and with no unknown keys, and its sections then make exactly the graph the generic path would build
/// (`GraphSnapshot.graph`; queries use the sections directly). Anything
/// unusual — another version, unknown or repeated keys, `null`, numbers other than the version `2`, a
/// wrong type, an invalid id, a dangling reference, malformed JSON or UTF-8 — makes it give up (`nil`), so
/// the caller falls back to the generic path, which owns every error code and issue message.
///
/// A document it accepts is strict RFC 8259 JSON, so no line of it can start with `<`, `>` or `=`: git
/// conflict markers never reach an accepted document, and the caller need not scan for them first.
enum LessonGraphFastDecoder {
    /// The graph's sections, or `nil` when the document is anything but a clean version-2 graph.
    static func decode(_ bytes: [UInt8]) -> GraphSnapshot? {
        bytes.withUnsafeBufferPointer { buffer -> GraphSnapshot? in
            guard let base = buffer.baseAddress else { return nil }
            var reader = FastReader(base: base, count: buffer.count)
            return try? reader.document()
        }
    }
}

/// Why the fast path gave up; carries nothing, the generic path explains.
private struct FastPathMiss: Error {}

/// Field bits of a lesson object, to reject repeated keys and find missing required ones.
private enum LessonField {
    static let createdAt: UInt16 = 1 << 0
    static let evidence: UInt16 = 1 << 1
    static let rationale: UInt16 = 1 << 2
    static let rule: UInt16 = 1 << 3
    static let scope: UInt16 = 1 << 4
    static let status: UInt16 = 1 << 5
    static let supersededBy: UInt16 = 1 << 6
    static let topics: UInt16 = 1 << 7
    static let triggers: UInt16 = 1 << 8
    /// What version 2 requires of every lesson.
    static let required: UInt16 = rule | status | createdAt | topics | triggers
}

/// A cursor over the document bytes. Every read either consumes well-formed JSON of the expected shape or
/// throws `FastPathMiss`.
private struct FastReader {
    typealias Miss = FastPathMiss

    let base: UnsafePointer<UInt8>
    let count: Int
    var index = 0
    /// Elements of the string array being read.
    var scratch: [String] = []
    /// The previous lesson's arrays and their JSON text, reused when the next lesson's text is the same
    /// (lessons sorted by id are grouped by topic, so neighbours often share topics and triggers): that
    /// array is then neither parsed nor allocated again.
    var previousTopics: (array: [String], text: Range<Int>) = ([], 0..<0)
    var previousTriggers: (array: [String], text: Range<Int>) = ([], 0..<0)
    var previousEvidence: (array: [String], text: Range<Int>) = ([], 0..<0)

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
        scratch.reserveCapacity(16)
    }

    // MARK: Document

    mutating func document() throws(Miss) -> GraphSnapshot {
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { index = 3 }
        var lessons: [Lesson]?
        var lessonsSorted = false
        var topics: [LessonTopic]?
        var triggers: [LessonTrigger]?
        var sawVersion = false
        try open(0x7B)
        if !(try closesEmpty(0x7D)) {
            repeat {
                let key = try key()
                if matches(key, "lessons") {
                    guard lessons == nil else { throw Miss() }
                    let section = try lessonSection()
                    lessons = section.lessons
                    lessonsSorted = section.sorted
                } else if matches(key, "topics") {
                    guard topics == nil else { throw Miss() }
                    topics = try topicSection()
                } else if matches(key, "triggers") {
                    guard triggers == nil else { throw Miss() }
                    triggers = try triggerSection()
                } else if matches(key, "version") {
                    guard !sawVersion else { throw Miss() }
                    try versionTwo()
                    sawVersion = true
                } else {
                    throw Miss()
                }
            } while try more(close: 0x7D)
        }
        skipWhitespace()
        guard index == count, sawVersion, let lessons, let topics, let triggers else { throw Miss() }

        // Ids are unique within each section (lessons listed in strictly ascending order cannot repeat).
        guard let topicTable = IDTable(topics.map(\.id)), let triggerTable = IDTable(triggers.map(\.id)) else {
            throw Miss()
        }
        var lessonTable: IDTable?
        if !lessonsSorted {
            guard let table = IDTable(lessons.map(\.id)) else { throw Miss() }
            lessonTable = table
        }
        func lessonExists(_ id: String) -> Bool {
            if let lessonTable { return lessonTable.position(of: id) != nil }
            return FastReader.sortedLessons(lessons, contain: id)
        }
        guard FastReader.holdsInvariants(lessons, topics: topicTable, triggers: triggerTable, lessonExists: lessonExists) else {
            throw Miss()
        }
        return GraphSnapshot(
            lessons: lessons, lessonsSorted: lessonsSorted, topics: topics, triggers: triggers, triggerTable: triggerTable)
    }

    /// Binary search of lessons sorted by id (ids are ASCII, so `<` is byte order).
    static func sortedLessons(_ lessons: [Lesson], contain id: String) -> Bool {
        var low = 0
        var high = lessons.count
        while low < high {
            let middle = (low + high) / 2
            if lessons[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < lessons.count && lessons[low].id == id
    }

    /// `"version": 2` exactly (the generic path reads other spellings of 2 too, but no writer emits them).
    mutating func versionTwo() throws(Miss) {
        skipWhitespace()
        guard index < count, base[index] == 0x32 else { throw Miss() }
        index += 1
        if index < count {
            let next = base[index]
            if (next >= 0x30 && next <= 0x39) || next == 0x2E || next == 0x65 || next == 0x45 { throw Miss() }
        }
    }

    // MARK: Sections

    /// The lessons in file order, and whether their ids ascend strictly in byte order.
    mutating func lessonSection() throws(Miss) -> (lessons: [Lesson], sorted: Bool) {
        var out: [Lesson] = []
        // A lesson takes well over 128 bytes of JSON; spare capacity past what is used is never touched.
        out.reserveCapacity(count / 128)
        var sorted = true
        var previous: Range<Int>?
        try open(0x7B)
        if try closesEmpty(0x7D) { return (out, sorted) }
        repeat {
            let key = try key()
            let id = try validID(key)
            if sorted, let previous, !precedes(previous, key) { sorted = false }
            previous = key
            out.append(try lesson(id: id))
        } while try more(close: 0x7D)
        return (out, sorted)
    }

    mutating func topicSection() throws(Miss) -> [LessonTopic] {
        var list: [LessonTopic] = []
        try open(0x7B)
        if !(try closesEmpty(0x7D)) {
            repeat {
                let id = try validID(try key())
                try open(0x7B)
                guard !(try closesEmpty(0x7D)), matches(try key(), "summary") else { throw Miss() }
                let summary = try string()
                guard !(try more(close: 0x7D)) else { throw Miss() }
                list.append(LessonTopic(id: id, summary: summary))
            } while try more(close: 0x7D)
        }
        return list
    }

    mutating func triggerSection() throws(Miss) -> [LessonTrigger] {
        var list: [LessonTrigger] = []
        list.reserveCapacity(count / 256)
        try open(0x7B)
        if !(try closesEmpty(0x7D)) {
            repeat {
                list.append(try trigger())
            } while try more(close: 0x7D)
        }
        return list
    }

    /// One `"id": {"kind": …, "pattern": …}` member.
    mutating func trigger() throws(Miss) -> LessonTrigger {
        let id = try validID(try key())
        var kind: TriggerKind?
        var pattern: String?
        try open(0x7B)
        if !(try closesEmpty(0x7D)) {
            repeat {
                let key = try key()
                if matches(key, "kind") {
                    guard kind == nil else { throw Miss() }
                    if consumeString("file_glob") {
                        kind = .fileGlob
                    } else if consumeString("command_pattern") {
                        kind = .commandPattern
                    } else if consumeString("keyword") {
                        kind = .keyword
                    } else {
                        guard let known = TriggerKind(rawValue: try string()) else { throw Miss() }
                        kind = known
                    }
                } else if matches(key, "pattern") {
                    guard pattern == nil else { throw Miss() }
                    let text = try string()
                    guard !text.isEmpty else { throw Miss() }
                    pattern = text
                } else {
                    throw Miss()
                }
            } while try more(close: 0x7D)
        }
        guard let kind, let pattern else { throw Miss() }
        return LessonTrigger(id: id, kind: kind, pattern: pattern)
    }

    mutating func lesson(id: String) throws(Miss) -> Lesson {
        var seen: UInt16 = 0
        var rule = ""
        var createdAt = ""
        var status = LessonStatus.active
        var evidence: [String] = []
        var topics: [String] = []
        var triggers: [String] = []
        var rationale: String?
        var scope: String?
        var supersededBy: String?
        func mark(_ field: UInt16) throws(Miss) {
            guard seen & field == 0 else { throw Miss() }
            seen |= field
        }
        try open(0x7B)
        if !(try closesEmpty(0x7D)) {
            repeat {
                let key = try key()
                switch key.count {
                case 4 where matches(key, "rule"):
                    try mark(LessonField.rule)
                    rule = try string()
                    guard LessonGraphCodec.hasVisibleText(rule) else { throw Miss() }
                case 5 where matches(key, "scope"):
                    try mark(LessonField.scope)
                    let text = try string()
                    guard text == LessonGraph.alwaysScope else { throw Miss() }
                    scope = text
                case 6 where matches(key, "status"):
                    try mark(LessonField.status)
                    if consumeString("active") {
                        status = .active
                    } else if consumeString("deprecated") {
                        status = .deprecated
                    } else if consumeString("superseded") {
                        status = .superseded
                    } else {
                        guard let parsed = LessonStatus(rawValue: try string()) else { throw Miss() }
                        status = parsed
                    }
                case 6 where matches(key, "topics"):
                    try mark(LessonField.topics)
                    topics = try stringArray(reusing: .topics)
                case 8 where matches(key, "evidence"):
                    try mark(LessonField.evidence)
                    evidence = try stringArray(reusing: .evidence)
                case 8 where matches(key, "triggers"):
                    try mark(LessonField.triggers)
                    triggers = try stringArray(reusing: .triggers)
                case 9 where matches(key, "createdAt"):
                    try mark(LessonField.createdAt)
                    createdAt = try string()
                    guard LessonGraphCodec.isDate(createdAt) else { throw Miss() }
                case 9 where matches(key, "rationale"):
                    try mark(LessonField.rationale)
                    rationale = try string()
                case 12 where matches(key, "supersededBy"):
                    try mark(LessonField.supersededBy)
                    supersededBy = try string()
                default:
                    throw Miss()
                }
            } while try more(close: 0x7D)
        }
        guard seen & LessonField.required == LessonField.required else { throw Miss() }
        return Lesson(
            id: id, rule: rule, createdAt: createdAt, evidence: evidence, rationale: rationale, scope: scope,
            status: status, supersededBy: supersededBy, topics: topics, triggers: triggers)
    }

    /// The checks of the generic reader's `checkInvariants`, answering only whether all hold (a reference
    /// the tables do not find counts as dangling).
    static func holdsInvariants(
        _ lessons: [Lesson], topics: IDTable, triggers: IDTable, lessonExists: (String) -> Bool
    ) -> Bool {
        for position in lessons.indices {
            for topic in lessons[position].topics where topics.position(of: topic) == nil { return false }
            for trigger in lessons[position].triggers where triggers.position(of: trigger) == nil { return false }
            if hasDuplicates(lessons[position].topics) || hasDuplicates(lessons[position].triggers) { return false }
            switch (lessons[position].status, lessons[position].supersededBy) {
            case (.superseded, nil):
                return false
            case (.superseded, let replacement?):
                if replacement == lessons[position].id || !lessonExists(replacement) { return false }
            case (_, .some):
                return false
            default:
                break
            }
        }
        return true
    }

    /// Whether two elements are equal (`==`, as `Set` counts them).
    static func hasDuplicates(_ items: [String]) -> Bool {
        if items.count < 2 { return false }
        if items.count > 16 { return Set(items).count != items.count }
        for first in 0..<(items.count - 1) {
            for second in (first + 1)..<items.count where items[first] == items[second] { return true }
        }
        return false
    }

    // MARK: JSON pieces

    /// Eight copies of `byte` in one word.
    static func repeated(_ byte: UInt8) -> UInt64 { 0x0101_0101_0101_0101 &* UInt64(byte) }

    /// The 8 bytes at `position` (which must leave 8 in bounds), first byte lowest.
    func word(at position: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
    }

    mutating func skipWhitespace() {
        while index < count {
            let byte = base[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
            // Indentation: skip runs of spaces a word at a time.
            while index + 8 <= count {
                let different = word(at: index) ^ FastReader.repeated(0x20)
                if different != 0 {
                    index += different.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
        }
    }

    /// Consumes the string `"name"` (plain ASCII, no escapes) if that is what comes next.
    mutating func consumeString(_ name: StaticString) -> Bool {
        skipWhitespace()
        let length = name.utf8CodeUnitCount
        guard index + length + 2 <= count, base[index] == 0x22, base[index + length + 1] == 0x22 else { return false }
        let other = name.utf8Start
        for offset in 0..<length where base[index + 1 + offset] != other[offset] { return false }
        index += length + 2
        return true
    }

    /// Consumes `byte` after optional whitespace.
    mutating func open(_ byte: UInt8) throws(Miss) {
        skipWhitespace()
        guard index < count, base[index] == byte else { throw Miss() }
        index += 1
    }

    /// Consumes the closing `byte` of an empty container, if that is what follows.
    mutating func closesEmpty(_ byte: UInt8) throws(Miss) -> Bool {
        skipWhitespace()
        guard index < count else { throw Miss() }
        if base[index] == byte {
            index += 1
            return true
        }
        return false
    }

    /// After a member: `,` (another follows) or the closing `close` (the container ends).
    mutating func more(close: UInt8) throws(Miss) -> Bool {
        skipWhitespace()
        guard index < count else { throw Miss() }
        let byte = base[index]
        index += 1
        if byte == 0x2C { return true }
        if byte == close { return false }
        throw Miss()
    }

    /// An object key and its `:`, as a byte range; keys with escapes or non-ASCII bytes are not handled.
    mutating func key() throws(Miss) -> Range<Int> {
        try open(0x22)
        let start = index
        while index < count {
            let byte = base[index]
            if byte == 0x22 {
                let range = start..<index
                index += 1
                try open(0x3A)
                return range
            }
            guard byte >= 0x20 && byte < 0x80 && byte != 0x5C else { throw Miss() }
            index += 1
        }
        throw Miss()
    }

    /// Whether the key bytes spell `name`.
    func matches(_ key: Range<Int>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let other = name.utf8Start
        for offset in 0..<key.count where base[key.lowerBound + offset] != other[offset] { return false }
        return true
    }

    /// Whether key `lhs` sorts strictly before key `rhs` in byte order.
    func precedes(_ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool {
        let shared = min(lhs.count, rhs.count)
        for offset in 0..<shared {
            let left = base[lhs.lowerBound + offset]
            let right = base[rhs.lowerBound + offset]
            if left != right { return left < right }
        }
        return lhs.count < rhs.count
    }

    /// A section key that is a valid id (`^[a-z0-9-]+$`), as a string.
    func validID(_ key: Range<Int>) throws(Miss) -> String {
        guard !key.isEmpty else { throw Miss() }
        for position in key {
            let byte = base[position]
            guard (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D else { throw Miss() }
        }
        return String(decoding: UnsafeBufferPointer(start: base + key.lowerBound, count: key.count), as: UTF8.self)
    }

    /// `[` string, … `]`, allocated once at its final size, or the previous lesson's array for `field`
    /// when its JSON text is byte for byte the same (the same text always decodes to the same array).
    mutating func stringArray(reusing field: ArrayField) throws(Miss) -> [String] {
        skipWhitespace()
        let start = index
        let previous: (array: [String], text: Range<Int>)
        switch field {
        case .topics: previous = previousTopics
        case .triggers: previous = previousTriggers
        case .evidence: previous = previousEvidence
        }
        let length = previous.text.count
        if length > 0 && start + length <= count && memcmp(base + start, base + previous.text.lowerBound, length) == 0 {
            index += length
            return previous.array
        }
        try open(0x5B)
        var array: [String] = []
        if !(try closesEmpty(0x5D)) {
            scratch.removeAll(keepingCapacity: true)
            repeat {
                scratch.append(try string())
            } while try more(close: 0x5D)
            // A fresh buffer of the right size (`Array(scratch)` would share, then outgrow, the scratch buffer).
            array.reserveCapacity(scratch.count)
            array.append(contentsOf: scratch)
        }
        let latest = (array, start..<index)
        switch field {
        case .topics: previousTopics = latest
        case .triggers: previousTriggers = latest
        case .evidence: previousEvidence = latest
        }
        return array
    }

    /// The string arrays of a lesson.
    enum ArrayField {
        case topics
        case triggers
        case evidence
    }

    /// A string value, decoded exactly as `JSONParser` does (escapes included; invalid UTF-8 gives up).
    mutating func string() throws(Miss) -> String {
        try open(0x22)
        let start = index
        // A word at a time while no byte is `"`, `\\` or a control character.
        let ones = FastReader.repeated(0x01)
        let highs = FastReader.repeated(0x80)
        var seen: UInt64 = 0
        while index + 8 <= count {
            let bytes = word(at: index)
            let quote = bytes ^ FastReader.repeated(0x22)
            let backslash = bytes ^ FastReader.repeated(0x5C)
            let stops = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((bytes &- FastReader.repeated(0x20)) & ~bytes)
            if stops & highs != 0 { break }
            seen |= bytes
            index += 8
        }
        var ascii = seen & highs == 0
        while index < count {
            let byte = base[index]
            if byte == 0x22 {
                let text = UnsafeBufferPointer(start: base + start, count: index - start)
                index += 1
                if ascii { return String(decoding: text, as: UTF8.self) }
                guard let valid = String(validating: text, as: UTF8.self) else { throw Miss() }
                return valid
            }
            if byte == 0x5C { return try escapedString(from: start) }
            guard byte >= 0x20 else { throw Miss() }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw Miss()
    }

    /// The rest of a string holding a backslash escape, starting over from its first byte.
    mutating func escapedString(from start: Int) throws(Miss) -> String {
        var out: [UInt8] = []
        out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - start))
        while true {
            guard index < count else { throw Miss() }
            let byte = base[index]
            if byte == 0x22 {
                index += 1
                break
            }
            guard byte >= 0x20 else { throw Miss() }
            if byte != 0x5C {
                out.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < count else { throw Miss() }
            let escape = base[index]
            index += 1
            switch escape {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x2F: out.append(0x2F)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard index + 1 < count, base[index] == 0x5C, base[index + 1] == 0x75 else { throw Miss() }
                    index += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low <= 0xDFFF else { throw Miss() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw Miss()
                }
                guard let value = Unicode.Scalar(scalar) else { throw Miss() }
                appendUTF8(value, to: &out)
            default:
                throw Miss()
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw Miss() }
        return text
    }

    mutating func hex4() throws(Miss) -> UInt32 {
        guard index + 4 <= count else { throw Miss() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = base[index]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            default: throw Miss()
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            out.append(UInt8(value))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (value >> 6)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (value >> 12)))
            out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (value >> 18)))
            out.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        }
    }
}
