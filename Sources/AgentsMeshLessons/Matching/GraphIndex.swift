internal import SharedCore
internal import SharedPlatform

/// The part of a graph a query starts from: its active lessons in id order (positions in that list identify
/// lessons inside the index), those with `scope: always`, and the triggers.
///
/// Everything else is derived per query, and only for what the query asks: `LessonRecall` compiles only the
/// trigger kinds its predicates need (and, for file globs, only patterns whose literal parts fit the path),
/// finds the lessons of the triggers that matched with one scan (`members(of:)`), and computes BM25
/// statistics for its own terms only (`LexicalStatistics`). An index over the fast decoder's sections
/// (`GraphSnapshot`) never builds the graph's dictionaries at all; `makeGraph()` does when asked.
struct GraphIndex: Sendable {
    /// What the index was built from.
    enum Source: Sendable {
        case graph(LessonGraph)
        case snapshot(GraphSnapshot)
    }

    let source: Source
    /// Active lessons sorted by id.
    let lessons: ActiveLessons
    /// Active lessons with `scope: always`.
    let alwaysScoped: [Int]

    /// Indexes a graph.
    init(_ graph: LessonGraph) {
        source = .graph(graph)
        // Ids are `^[a-z0-9-]+$` (validated on read), so `<` is byte order.
        var keyed: [(key: String, value: Lesson)] = []
        keyed.reserveCapacity(graph.lessons.count)
        for entry in graph.lessons where entry.value.status == .active { keyed.append(entry) }
        keyed.sort { $0.key < $1.key }
        lessons = ActiveLessons(filtering: keyed.map(\.value))
        alwaysScoped = GraphIndex.alwaysScoped(lessons)
    }

    /// Indexes the sections read by the fast decoder (their lessons are viewed in place when sorted).
    init(_ snapshot: GraphSnapshot) {
        source = .snapshot(snapshot)
        if snapshot.lessonsSorted {
            lessons = ActiveLessons(filtering: snapshot.lessons)
        } else {
            lessons = ActiveLessons(filtering: snapshot.lessons.sorted { $0.id < $1.id })
        }
        alwaysScoped = GraphIndex.alwaysScoped(lessons)
    }

    private static func alwaysScoped(_ lessons: ActiveLessons) -> [Int] {
        var always: [Int] = []
        for index in lessons.indices where lessons.isAlwaysScoped(at: index) { always.append(index) }
        return always
    }

    /// The indexed graph (built from the sections each time for a snapshot index: callers keep it).
    func makeGraph() -> LessonGraph {
        switch source {
        case .graph(let graph): return graph
        case .snapshot(let snapshot): return snapshot.graph
        }
    }

    /// The graph when the index was built from one (no work).
    var prebuiltGraph: LessonGraph? {
        if case .graph(let graph) = source { return graph }
        return nil
    }

    /// The trigger with this id.
    func trigger(_ id: String) -> LessonTrigger? {
        switch source {
        case .graph(let graph): return graph.triggers[id]
        case .snapshot(let snapshot): return snapshot.trigger(id)
        }
    }

    /// Calls `body` with every trigger of the graph and its id, in no particular order.
    func forEachTrigger(_ body: (_ id: String, _ trigger: LessonTrigger) -> Void) {
        switch source {
        case .graph(let graph):
            for entry in graph.triggers.indices { body(graph.triggers[entry].key, graph.triggers[entry].value) }
        case .snapshot(let snapshot):
            for position in snapshot.triggers.indices { body(snapshot.triggers[position].id, snapshot.triggers[position]) }
        }
    }

    /// The position of the active lesson `id` (the last one, should two share an id).
    func position(of id: String) -> Int? {
        lessons.indices.last { lessons.id(at: $0) == id }
    }

    /// The graph's triggers of `kind`, as `(id, trigger)` pairs in no particular order.
    func triggers(of kind: TriggerKind) -> [(id: String, trigger: LessonTrigger)] {
        var out: [(id: String, trigger: LessonTrigger)] = []
        forEachTrigger { id, trigger in
            if trigger.kind == kind { out.append((id, trigger)) }
        }
        return out
    }

    /// For each trigger id, the active lessons referencing it, ascending, each once (its fan-out is the count).
    func members(of triggerIDs: [String]) -> [[Int]] {
        var out = [[Int]](repeating: [], count: triggerIDs.count)
        guard !triggerIDs.isEmpty else { return out }
        if triggerIDs.count <= 8 {
            for index in lessons.indices {
                for reference in lessons.triggers(at: index) {
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
            for reference in lessons.triggers(at: index) {
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
        storage[stored(position)]
    }

    /// Where lesson `position` is in `storage`.
    private func stored(_ position: Int) -> Int {
        if let positions { return Int(positions[position]) }
        return position
    }

    // Single fields for the hot loops: they copy one field, never the whole lesson.

    /// The id of lesson `position`.
    func id(at position: Int) -> String { storage[stored(position)].id }
    /// The rule of lesson `position`.
    func rule(at position: Int) -> String { storage[stored(position)].rule }
    /// The `createdAt` of lesson `position`.
    func createdAt(at position: Int) -> String { storage[stored(position)].createdAt }
    /// The topic ids of lesson `position`.
    func topics(at position: Int) -> [String] { storage[stored(position)].topics }
    /// The trigger ids of lesson `position`.
    func triggers(at position: Int) -> [String] { storage[stored(position)].triggers }
    /// Whether lesson `position` has `scope: always`.
    func isAlwaysScoped(at position: Int) -> Bool { storage[stored(position)].scope == LessonGraph.alwaysScope }
}

/// `ln(1 + x)`, the BM25 idf form that never goes negative.
func log1pPortable(_ x: Double) -> Double { log1p(x) }
