/// A clean version-2 graph as the fast decoder reads it: its three sections as lists in file order, with
/// id lookups, before any `LessonGraph` dictionary is built. Queries run on it directly; `graph` builds the
/// dictionaries for everything else.
struct GraphSnapshot: Sendable {
    /// Lessons in file order.
    let lessons: [Lesson]
    /// Whether `lessons` is sorted by id (strictly ascending byte order).
    let lessonsSorted: Bool
    /// Topics in file order.
    let topics: [LessonTopic]
    /// Triggers in file order.
    let triggers: [LessonTrigger]
    /// Positions in `triggers` by id.
    let triggerTable: IDTable

    /// The trigger with this id.
    func trigger(_ id: String) -> LessonTrigger? {
        triggerTable.position(of: id).map { triggers[$0] }
    }

    /// The graph these sections make (ids are unique in each section).
    var graph: LessonGraph {
        var lessonsByID: [String: Lesson] = [:]
        lessonsByID.reserveCapacity(lessons.count)
        for lesson in lessons { lessonsByID[lesson.id] = lesson }
        var topicsByID: [String: LessonTopic] = [:]
        topicsByID.reserveCapacity(topics.count)
        for topic in topics { topicsByID[topic.id] = topic }
        var triggersByID: [String: LessonTrigger] = [:]
        triggersByID.reserveCapacity(triggers.count)
        for trigger in triggers { triggersByID[trigger.id] = trigger }
        return LessonGraph(lessons: lessonsByID, topics: topicsByID, triggers: triggersByID, sourceVersion: 2)
    }
}

/// An open-addressing table from string keys to their positions in a list, hashing the UTF-8 bytes.
///
/// Meant for ASCII keys (validated ids), where `==` is byte equality: then duplicates are always detected.
/// A lookup whose bytes differ from every key's finds nothing even if `==` would hold (possible only for
/// non-ASCII text); the fast decoder treats any miss as a reason to leave the document to the generic path.
struct IDTable: Sendable {
    private let keys: [String]
    /// Positions in `keys` plus one; 0 marks a free slot.
    private let slots: [Int32]
    private let shift: UInt64

    /// The table of `keys`, or `nil` when two keys are equal.
    init?(_ keys: [String]) {
        var bits: UInt64 = 4
        while (1 << bits) < keys.count * 2 { bits += 1 }
        let mask = (1 << Int(bits)) - 1
        var slots = [Int32](repeating: 0, count: mask + 1)
        let shift = 64 - bits
        for position in keys.indices {
            var slot = IDTable.slot(keys[position], shift: shift)
            while slots[slot] != 0 {
                if keys[Int(slots[slot]) - 1] == keys[position] { return nil }
                slot = (slot + 1) & mask
            }
            slots[slot] = Int32(truncatingIfNeeded: position + 1)
        }
        self.keys = keys
        self.slots = slots
        self.shift = shift
    }

    /// The position of `key` in the list.
    func position(of key: String) -> Int? {
        let mask = slots.count - 1
        var slot = IDTable.slot(key, shift: shift)
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if keys[entry - 1] == key { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// A multiply-xorshift hash of the bytes, a word at a time; the top bits pick the home slot.
    private static func slot(_ key: String, shift: UInt64) -> Int {
        var text = key
        let hash = text.withUTF8 { bytes -> UInt64 in
            let raw = UnsafeRawBufferPointer(bytes)
            var hash = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
            var offset = 0
            while offset + 8 <= bytes.count {
                hash = (hash ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))) &* 0xBF58_476D_1CE4_E5B9
                hash ^= hash >> 29
                offset += 8
            }
            var tail: UInt64 = 0
            var bit: UInt64 = 0
            while offset < bytes.count {
                tail |= UInt64(bytes[offset]) << bit
                bit += 8
                offset += 1
            }
            hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
            return hash ^ (hash >> 32)
        }
        return Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }
}
