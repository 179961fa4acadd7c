import MeshKit

/// The part of a graph a query starts from: its active lessons in id order (positions in that list identify
/// lessons inside the index) and those with `scope: always`.
///
/// Everything else is derived per query, and only for what the query asks: `LessonRecall` compiles only the
/// trigger kinds its predicates need (and, for file globs, only patterns whose literal parts fit the path),
/// finds the lessons of the triggers that matched with one scan (`members(of:)`), and computes BM25
/// statistics for its own terms only (`LexicalStatistics`). Building an index is therefore cheap, and a
/// cached index costs little memory.
struct GraphIndex: Sendable {
    let graph: LessonGraph
    /// Active lessons sorted by id.
    let lessons: ActiveLessons
    /// Active lessons with `scope: always`.
    let alwaysScoped: [Int]

    /// Indexes `graph`. `lessonsInIDOrder`, when given, must be the graph's lessons sorted by id (the fast
    /// decoder provides it); it spares the sort and is viewed in place rather than copied.
    init(_ graph: LessonGraph, lessonsInIDOrder: [Lesson]? = nil) {
        self.graph = graph
        if let lessonsInIDOrder {
            lessons = ActiveLessons(filtering: lessonsInIDOrder)
        } else {
            // Ids are `^[a-z0-9-]+$` (validated on read), so `<` is byte order.
            var keyed: [(key: String, value: Lesson)] = []
            keyed.reserveCapacity(graph.lessons.count)
            for entry in graph.lessons where entry.value.status == .active { keyed.append(entry) }
            keyed.sort { $0.key < $1.key }
            lessons = ActiveLessons(filtering: keyed.map(\.value))
        }
        var always: [Int] = []
        for index in lessons.indices where lessons[index].scope == LessonGraph.alwaysScope { always.append(index) }
        alwaysScoped = always
    }

    /// The index of the active lesson `id` (the last one, should two share an id).
    func position(of id: String) -> Int? {
        lessons.lastIndex { $0.id == id }
    }

    /// The graph's triggers of `kind`, as `(id, trigger)` pairs in no particular order.
    func triggers(of kind: TriggerKind) -> [(id: String, trigger: LessonTrigger)] {
        var out: [(id: String, trigger: LessonTrigger)] = []
        for (id, trigger) in graph.triggers where trigger.kind == kind { out.append((id, trigger)) }
        return out
    }

    /// For each trigger id, the active lessons referencing it, ascending, each once (its fan-out is the count).
    func members(of triggerIDs: [String]) -> [[Int]] {
        var out = [[Int]](repeating: [], count: triggerIDs.count)
        guard !triggerIDs.isEmpty else { return out }
        if triggerIDs.count <= 8 {
            for index in lessons.indices {
                for reference in lessons[index].triggers {
                    for slot in triggerIDs.indices where reference == triggerIDs[slot] && out[slot].last != index {
                        out[slot].append(index)
                    }
                }
            }
            return out
        }
        var slots: [String: Int] = [:]
        slots.reserveCapacity(triggerIDs.count)
        for (slot, id) in triggerIDs.enumerated() where slots[id] == nil { slots[id] = slot }
        for index in lessons.indices {
            for reference in lessons[index].triggers {
                guard let slot = slots[reference], out[slot].last != index else { continue }
                out[slot].append(index)
            }
        }
        for (slot, id) in triggerIDs.enumerated() {
            if let first = slots[id], first != slot { out[slot] = out[first] }
        }
        return out
    }

    /// Number of active lessons sharing a trigger.
    func fanout(_ triggerID: String) -> Int { members(of: [triggerID])[0].count }

    /// BM25 statistics of `terms` over the rules of the active lessons.
    func lexicalStatistics(_ terms: [String]) -> LexicalStatistics {
        LexicalStatistics(lessons: lessons, terms: terms)
    }
}

/// The active lessons of a list, in its order, viewed without copying the list (positions are kept only
/// when some lesson is inactive).
struct ActiveLessons: RandomAccessCollection, Sendable {
    private let storage: [Lesson]
    /// Positions in `storage` of the active lessons; `nil` when all are active.
    private let positions: [Int32]?

    init(filtering lessons: [Lesson]) {
        storage = lessons
        var kept: [Int32] = []
        var allActive = true
        for position in lessons.indices {
            if lessons[position].status == .active {
                if !allActive { kept.append(Int32(truncatingIfNeeded: position)) }
            } else if allActive {
                allActive = false
                kept.reserveCapacity(lessons.count)
                for earlier in 0..<position { kept.append(Int32(truncatingIfNeeded: earlier)) }
            }
        }
        positions = allActive ? nil : kept
    }

    var startIndex: Int { 0 }
    var endIndex: Int { positions?.count ?? storage.count }

    subscript(position: Int) -> Lesson {
        if let positions { return storage[Int(positions[position])] }
        return storage[position]
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ln(1 + x)`, the BM25 idf form that never goes negative.
func log1pPortable(_ x: Double) -> Double { log1p(x) }
