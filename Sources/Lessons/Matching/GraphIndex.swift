import MeshKit

/// Everything a query needs, precomputed once per graph snapshot: compiled triggers, fan-out, topic
/// membership and BM25 statistics over the rules of active lessons.
struct GraphIndex: Sendable {
    /// A compiled glob with its trigger id.
    struct CompiledGlob: Sendable {
        var triggerID: String
        var pattern: GlobPattern
    }

    /// A compiled command regex with its trigger id.
    struct CompiledCommand: Sendable {
        var triggerID: String
        var pattern: CommandPattern
    }

    /// A keyword trigger as a token run.
    struct KeywordRun: Sendable {
        var triggerID: String
        var tokens: [String]
    }

    let graph: LessonGraph
    /// Active lessons sorted by id; positions in this array identify lessons inside the index.
    let lessons: [Lesson]
    let position: [String: Int]
    /// Active lessons referencing each trigger (its fan-out is the count).
    let lessonsByTrigger: [String: [Int]]
    /// Active lessons in each topic.
    let lessonsByTopic: [String: [Int]]
    /// Non-negated literal globs by path.
    let literalGlobs: [String: [String]]
    /// Every other glob, by trigger id.
    let globs: [CompiledGlob]
    /// Command patterns sorted by trigger id (the order the step budget is spent in).
    let commands: [CompiledCommand]
    /// Keyword runs by their first token.
    let keywordsByFirstToken: [String: [KeywordRun]]
    /// Active lessons with `scope: always`.
    let alwaysScoped: [Int]
    /// BM25 statistics.
    let termFrequencies: [[String: Int]]
    let documentLengths: [Int]
    let documentFrequency: [String: Int]
    let postings: [String: [Int]]
    let averageLength: Double

    init(_ graph: LessonGraph) {
        self.graph = graph
        // Ids are `^[a-z0-9-]+$` (validated on read), so `<` is byte order.
        let active = graph.lessons.keys.sorted().compactMap { id in graph.lessons[id].flatMap { $0.status == .active ? $0 : nil } }
        lessons = active
        var position: [String: Int] = [:]
        var byTrigger: [String: [Int]] = [:]
        var byTopic: [String: [Int]] = [:]
        var always: [Int] = []
        var frequencies: [[String: Int]] = []
        var lengths: [Int] = []
        var documentFrequency: [String: Int] = [:]
        var postings: [String: [Int]] = [:]
        frequencies.reserveCapacity(active.count)
        for (index, lesson) in active.enumerated() {
            position[lesson.id] = index
            for trigger in Set(lesson.triggers) { byTrigger[trigger, default: []].append(index) }
            for topic in Set(lesson.topics) { byTopic[topic, default: []].append(index) }
            if lesson.isAlwaysScoped { always.append(index) }
            let tokens = Tokenizer.tokens(lesson.rule)
            var counts: [String: Int] = [:]
            for token in tokens { counts[token, default: 0] += 1 }
            for token in counts.keys {
                documentFrequency[token, default: 0] += 1
                postings[token, default: []].append(index)
            }
            frequencies.append(counts)
            lengths.append(tokens.count)
        }
        self.position = position
        lessonsByTrigger = byTrigger
        lessonsByTopic = byTopic
        alwaysScoped = always
        termFrequencies = frequencies
        documentLengths = lengths
        self.documentFrequency = documentFrequency
        self.postings = postings
        averageLength = active.isEmpty ? 0 : Double(lengths.reduce(0, +)) / Double(active.count)

        var literal: [String: [String]] = [:]
        var globs: [CompiledGlob] = []
        var commands: [CompiledCommand] = []
        var keywords: [String: [KeywordRun]] = [:]
        for triggerID in byTrigger.keys.sorted(by: FileSystem.byteOrder) {
            guard let trigger = graph.triggers[triggerID] else { continue }
            switch trigger.kind {
            case .fileGlob:
                guard let pattern = try? GlobPattern(trigger.pattern) else { continue }
                if let path = pattern.literal, !pattern.negated {
                    literal[path, default: []].append(triggerID)
                } else {
                    globs.append(CompiledGlob(triggerID: triggerID, pattern: pattern))
                }
            case .commandPattern:
                guard let pattern = try? CommandPattern(trigger.pattern) else { continue }
                commands.append(CompiledCommand(triggerID: triggerID, pattern: pattern))
            case .keyword:
                let tokens = Tokenizer.tokens(trigger.pattern)
                guard let first = tokens.first else { continue }
                keywords[first, default: []].append(KeywordRun(triggerID: triggerID, tokens: tokens))
            }
        }
        literalGlobs = literal
        self.globs = globs
        self.commands = commands
        keywordsByFirstToken = keywords
    }

    /// Number of active lessons sharing a trigger.
    func fanout(_ triggerID: String) -> Int { lessonsByTrigger[triggerID]?.count ?? 0 }

    /// Okapi BM25 (k1 1.2, b 0.75) of lesson `index` against distinct query terms.
    func bm25(_ index: Int, terms: [String]) -> Double {
        let k1 = 1.2
        let b = 0.75
        let count = Double(lessons.count)
        let length = Double(documentLengths[index])
        let norm = averageLength > 0 ? length / averageLength : 0
        var score = 0.0
        let frequencies = termFrequencies[index]
        for term in terms {
            guard let tf = frequencies[term], let df = documentFrequency[term] else { continue }
            let idf = log1pPortable((count - Double(df) + 0.5) / (Double(df) + 0.5))
            let frequency = Double(tf)
            score += idf * frequency * (k1 + 1) / (frequency + k1 * (1 - b + b * norm))
        }
        return score
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ln(1 + x)`, the BM25 idf form that never goes negative.
func log1pPortable(_ x: Double) -> Double { log1p(x) }
