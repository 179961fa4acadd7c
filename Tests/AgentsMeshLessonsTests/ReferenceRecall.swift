import SharedCore

@testable import AgentsMeshLessons

// The index and recall of the previous implementation (eager index: every trigger compiled, BM25 statistics
// for every rule), kept verbatim apart from the names as the reference the lazy implementation must match.

/// Everything a query needs, precomputed once per graph snapshot: compiled triggers, fan-out, topic
/// membership and BM25 statistics over the rules of active lessons.
struct ReferenceGraphIndex: Sendable {
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

/// Candidate selection (§6.4) and weighted reciprocal-rank fusion (§6.5) over a graph index.
struct ReferenceRecall {
    /// The predicates of one query, with file paths already project-relative.
    struct Query: Sendable {
        var files: [String]
        var command: String?
        var keywords: [String]
        var always: Bool
    }

    /// One recalled lesson in rank order.
    struct Ranked: Sendable {
        var lesson: Lesson
        var score: Double
        /// Trigger ids that matched (sorted).
        var matchedTriggers: [String]
        /// A BM25-only extra of a keyword-only query.
        var lexical: Bool
    }

    /// The ranked list plus warnings (regex budget).
    struct Outcome: Sendable {
        var ranked: [Ranked]
        var warnings: [LessonsWarning]
    }

    /// §6.5 constants.
    static let fusionOffset = 60.0
    static let specificityWeight = 3.0
    static let coherenceWeight = 1.0
    static let lexicalWeight = 1.0
    static let keywordSpecificity = 2.0
    static let commandSpecificity = 4.0
    static let maximumLexicalExtras = 3
    /// The per-query NFA step allowance of §6.4.
    static let defaultStepBudget = 1_000_000

    let index: ReferenceGraphIndex
    var stepBudget = ReferenceRecall.defaultStepBudget

    init(index: ReferenceGraphIndex, stepBudget: Int = ReferenceRecall.defaultStepBudget) {
        self.index = index
        self.stepBudget = stepBudget
    }

    /// Matches, ranks and returns every candidate (caps are applied by the caller).
    func run(_ query: Query) -> Outcome {
        var best: [Int: Double] = [:]
        var matched: [Int: Set<String>] = [:]
        var warnings: [LessonsWarning] = []

        func hit(_ triggerID: String, specificity: Double) {
            guard let members = index.lessonsByTrigger[triggerID], !members.isEmpty else { return }
            let value = specificity / Double(members.count)
            for member in members {
                if let current = best[member] {
                    if value > current { best[member] = value }
                } else {
                    best[member] = value
                }
                matched[member, default: []].insert(triggerID)
            }
        }

        var streams: [[String]] = []
        for path in query.files {
            if let ids = index.literalGlobs[path] {
                for id in ids { hit(id, specificity: GlobPattern.Shape.exactPath.specificity) }
            }
            let scalars = path.unicodeScalars.map(\.value)
            for glob in index.globs where glob.pattern.matches(path: scalars, text: path) {
                hit(glob.triggerID, specificity: glob.pattern.shape.specificity)
            }
            streams.append(Tokenizer.tokens(path))
        }
        if let command = query.command {
            var budget = StepBudget(steps: stepBudget)
            let scalars = command.unicodeScalars.map(\.value)
            for (position, compiled) in index.commands.enumerated() {
                let outcome = compiled.pattern.matches(scalars, budget: &budget)
                if outcome == .match { hit(compiled.triggerID, specificity: ReferenceRecall.commandSpecificity) }
                if outcome == .exhausted {
                    let skipped = index.commands.count - position
                    warnings.append(
                        LessonsWarning(
                            code: LessonsErrorCode.regexBudgetExhausted,
                            message: "the regex work budget of \(stepBudget) steps ran out; \(skipped) command pattern(s) were not tried",
                            pattern: compiled.pattern.source))
                    break
                }
            }
            streams.append(Tokenizer.tokens(command))
        }
        let keywordStreams = query.keywords.map(Tokenizer.tokens)
        for stream in streams + keywordStreams {
            for start in stream.indices {
                guard let runs = index.keywordsByFirstToken[stream[start]] else { continue }
                for run in runs where stream[start...].starts(with: run.tokens) {
                    hit(run.triggerID, specificity: ReferenceRecall.keywordSpecificity)
                }
            }
        }
        if query.always {
            for member in index.alwaysScoped where best[member] == nil { best[member] = 0 }
        }

        var seenTerms = Set<String>()
        var terms: [String] = []
        for token in (streams + keywordStreams).joined() where seenTerms.insert(token).inserted { terms.append(token) }

        let candidates = best.keys.sorted()
        var ranked = fuse(candidates: candidates, specificity: best, terms: terms).map { entry in
            Ranked(
                lesson: index.lessons[entry.index], score: entry.score,
                matchedTriggers: (matched[entry.index] ?? []).sorted(by: FileSystem.byteOrder), lexical: false)
        }
        if query.files.isEmpty && query.command == nil && !keywordStreams.joined().isEmpty {
            let keywordTerms = Array(Set(keywordStreams.joined())).sorted()
            ranked += lexicalExtras(excluding: Set(candidates), terms: keywordTerms)
        }
        return Outcome(ranked: ranked, warnings: warnings)
    }

    /// Weighted RRF of the three rankings; ties by newer `createdAt`, then id ascending.
    private func fuse(candidates: [Int], specificity: [Int: Double], terms: [String]) -> [(index: Int, score: Double)] {
        guard !candidates.isEmpty else { return [] }
        let candidateSet = Set(candidates)
        var inTopic: [String: Int] = [:]
        for member in candidates {
            for topic in Set(index.lessons[member].topics) { inTopic[topic, default: 0] += 1 }
        }
        var coherence: [Int: Double] = [:]
        for member in candidates {
            let topics = Array(Set(index.lessons[member].topics))
            if topics.count <= 1 {
                coherence[member] = Double(max(0, (topics.first.flatMap { inTopic[$0] } ?? 1) - 1))
            } else {
                var others = Set<Int>()
                for topic in topics {
                    for other in index.lessonsByTopic[topic] ?? [] where other != member && candidateSet.contains(other) {
                        others.insert(other)
                    }
                }
                coherence[member] = Double(others.count)
            }
        }
        var lexical: [Int: Double] = [:]
        for member in candidates { lexical[member] = terms.isEmpty ? 0 : index.bm25(member, terms: terms) }
        let specificityRank = ReferenceRecall.competitionRanks(candidates, specificity)
        let coherenceRank = ReferenceRecall.competitionRanks(candidates, coherence)
        let lexicalRank = ReferenceRecall.competitionRanks(candidates, lexical)
        let scored = candidates.map { member -> (index: Int, score: Double) in
            var score = ReferenceRecall.specificityWeight / (ReferenceRecall.fusionOffset + Double(specificityRank[member] ?? 0))
            score += ReferenceRecall.coherenceWeight / (ReferenceRecall.fusionOffset + Double(coherenceRank[member] ?? 0))
            score += ReferenceRecall.lexicalWeight / (ReferenceRecall.fusionOffset + Double(lexicalRank[member] ?? 0))
            return (member, score)
        }
        return scored.sorted { lhs, rhs in
            if lhs.score != rhs.score { return lhs.score > rhs.score }
            return newerFirst(lhs.index, rhs.index)
        }
    }

    /// Tie-break: newer `createdAt` first, then id ascending.
    private func newerFirst(_ lhs: Int, _ rhs: Int) -> Bool {
        let left = index.lessons[lhs]
        let right = index.lessons[rhs]
        if left.createdAt != right.createdAt { return FileSystem.byteOrder(right.createdAt, left.createdAt) }
        return FileSystem.byteOrder(left.id, right.id)
    }

    /// Rank = 1 + number of candidates with a strictly higher value (ties share a rank).
    static func competitionRanks(_ members: [Int], _ values: [Int: Double]) -> [Int: Int] {
        let sorted = members.sorted { (values[$0] ?? 0) > (values[$1] ?? 0) }
        var ranks: [Int: Int] = [:]
        var previous: Double?
        var rank = 0
        for (position, member) in sorted.enumerated() {
            let value = values[member] ?? 0
            if value != previous {
                rank = position + 1
                previous = value
            }
            ranks[member] = rank
        }
        return ranks
    }

    /// Up to three BM25 hits that share at least two non-generic query terms with the rule.
    private func lexicalExtras(excluding candidates: Set<Int>, terms: [String]) -> [Ranked] {
        let total = index.lessons.count
        let specific = terms.filter { term in
            guard let frequency = index.documentFrequency[term] else { return false }
            return 2 * frequency <= max(total, 2)
        }
        var shared: [Int: Int] = [:]
        for term in specific {
            for member in index.postings[term] ?? [] where !candidates.contains(member) { shared[member, default: 0] += 1 }
        }
        let hits = shared.filter { $0.value >= 2 }.map { (index: $0.key, score: index.bm25($0.key, terms: terms)) }
        let ordered = hits.sorted { lhs, rhs in
            if lhs.score != rhs.score { return lhs.score > rhs.score }
            return newerFirst(lhs.index, rhs.index)
        }
        return ordered.prefix(ReferenceRecall.maximumLexicalExtras).enumerated().map { offset, hit in
            Ranked(
                lesson: index.lessons[hit.index],
                score: ReferenceRecall.lexicalWeight / (ReferenceRecall.fusionOffset + Double(offset + 1)),
                matchedTriggers: [], lexical: true)
        }
    }
}
