import MeshKit

/// Candidate selection (§6.4) and weighted reciprocal-rank fusion (§6.5) over a graph index.
struct LessonRecall {
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

    let index: GraphIndex
    var stepBudget = LessonRecall.defaultStepBudget

    init(index: GraphIndex, stepBudget: Int = LessonRecall.defaultStepBudget) {
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
                if outcome == .match { hit(compiled.triggerID, specificity: LessonRecall.commandSpecificity) }
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
                    hit(run.triggerID, specificity: LessonRecall.keywordSpecificity)
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
        let specificityRank = LessonRecall.competitionRanks(candidates, specificity)
        let coherenceRank = LessonRecall.competitionRanks(candidates, coherence)
        let lexicalRank = LessonRecall.competitionRanks(candidates, lexical)
        let scored = candidates.map { member -> (index: Int, score: Double) in
            var score = LessonRecall.specificityWeight / (LessonRecall.fusionOffset + Double(specificityRank[member] ?? 0))
            score += LessonRecall.coherenceWeight / (LessonRecall.fusionOffset + Double(coherenceRank[member] ?? 0))
            score += LessonRecall.lexicalWeight / (LessonRecall.fusionOffset + Double(lexicalRank[member] ?? 0))
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
        return ordered.prefix(LessonRecall.maximumLexicalExtras).enumerated().map { offset, hit in
            Ranked(
                lesson: index.lessons[hit.index],
                score: LessonRecall.lexicalWeight / (LessonRecall.fusionOffset + Double(offset + 1)),
                matchedTriggers: [], lexical: true)
        }
    }
}
