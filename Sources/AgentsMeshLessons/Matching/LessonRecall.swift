internal import SharedCore

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
        var warnings: [LessonsWarning] = []
        /// Matched trigger ids with the specificity they were matched with (the highest, should it vary).
        var hits: [String: Double] = [:]
        func hit(_ triggerID: String, specificity: Double) {
            if let current = hits[triggerID], current >= specificity { return }
            hits[triggerID] = specificity
        }

        var streams: [[String]] = []
        if !query.files.isEmpty {
            var globs = FileGlobs(index)
            for path in query.files {
                globs.match(path) { triggerID, specificity in hit(triggerID, specificity: specificity) }
                streams.append(Tokenizer.tokens(path))
            }
        }
        if let command = query.command {
            // Only patterns some active lesson references take part, in trigger id order (the order the
            // step budget is spent in).
            let candidates = index.triggers(of: .commandPattern).sorted { FileSystem.byteOrder($0.id, $1.id) }
            let fanouts = index.members(of: candidates.map(\.id))
            var compiled: [(triggerID: String, pattern: CommandPattern)] = []
            for (slot, candidate) in candidates.enumerated() where !fanouts[slot].isEmpty {
                guard let pattern = try? CommandPattern(candidate.trigger.pattern) else { continue }
                compiled.append((candidate.id, pattern))
            }
            var budget = StepBudget(steps: stepBudget)
            let scalars = command.unicodeScalars.map(\.value)
            for (position, entry) in compiled.enumerated() {
                let outcome = entry.pattern.matches(scalars, budget: &budget)
                if outcome == .match { hit(entry.triggerID, specificity: LessonRecall.commandSpecificity) }
                if outcome == .exhausted {
                    let skipped = compiled.count - position
                    warnings.append(
                        LessonsWarning(
                            code: LessonsErrorCode.regexBudgetExhausted,
                            message: "the regex work budget of \(stepBudget) steps ran out; \(skipped) command pattern(s) were not tried",
                            pattern: entry.pattern.source))
                    break
                }
            }
            streams.append(Tokenizer.tokens(command))
        }
        let keywordStreams = query.keywords.map(Tokenizer.tokens)
        let allStreams = streams + keywordStreams
        if allStreams.contains(where: { !$0.isEmpty }) {
            var firstTokens = Set<String>()
            for stream in allStreams { firstTokens.formUnion(stream) }
            for (triggerID, trigger) in index.triggers(of: .keyword) {
                let run = Tokenizer.tokens(trigger.pattern)
                guard let first = run.first, firstTokens.contains(first) else { continue }
                let found = allStreams.contains { stream in
                    stream.indices.contains { start in stream[start] == first && stream[start...].starts(with: run) }
                }
                if found { hit(triggerID, specificity: LessonRecall.keywordSpecificity) }
            }
        }

        // Fan-out and membership of the matched triggers only (a trigger no active lesson references is a no-op).
        var best: [Int: Double] = [:]
        var matched: [Int: [String]] = [:]
        let matchedIDs = Array(hits.keys)
        for (slot, members) in index.members(of: matchedIDs).enumerated() where !members.isEmpty {
            let triggerID = matchedIDs[slot]
            let value = (hits[triggerID] ?? 0) / Double(members.count)
            for member in members {
                if let current = best[member] {
                    if value > current { best[member] = value }
                } else {
                    best[member] = value
                }
                matched[member, default: []].append(triggerID)
            }
        }
        if query.always {
            for member in index.alwaysScoped where best[member] == nil { best[member] = 0 }
        }

        var seenTerms = Set<String>()
        var terms: [String] = []
        for token in allStreams.joined() where seenTerms.insert(token).inserted { terms.append(token) }

        let candidates = best.keys.sorted()
        let lexicalExtrasWanted = query.files.isEmpty && query.command == nil && !keywordStreams.joined().isEmpty
        let statistics = (!candidates.isEmpty && !terms.isEmpty) || lexicalExtrasWanted ? index.lexicalStatistics(terms) : nil
        var ranked = fuse(candidates: candidates, specificity: best, statistics: statistics).map { entry in
            Ranked(
                lesson: index.lessons[entry.index], score: entry.score,
                matchedTriggers: (matched[entry.index] ?? []).sorted(by: FileSystem.byteOrder), lexical: false)
        }
        if lexicalExtrasWanted, let statistics {
            // The keyword terms are the query terms here (no file or command stream), summed in sorted order.
            let keywordTerms = Array(Set(keywordStreams.joined())).sorted()
            let slots = keywordTerms.compactMap { term in terms.firstIndex(of: term) }
            ranked += lexicalExtras(excluding: Set(candidates), slots: slots, statistics: statistics)
        }
        return Outcome(ranked: ranked, warnings: warnings)
    }

    /// Weighted RRF of the three rankings; ties by newer `createdAt`, then id ascending.
    private func fuse(candidates: [Int], specificity: [Int: Double], statistics: LexicalStatistics?) -> [(index: Int, score: Double)] {
        guard !candidates.isEmpty else { return [] }
        // Topic coherence only ever counts other candidates, so candidates by topic is all it needs.
        var candidatesByTopic: [String: [Int]] = [:]
        var distinctTopics: [[String]] = []
        distinctTopics.reserveCapacity(candidates.count)
        for member in candidates {
            let topics = Array(Set(index.lessons.topics(at: member)))
            for topic in topics { candidatesByTopic[topic, default: []].append(member) }
            distinctTopics.append(topics)
        }
        var coherence: [Int: Double] = [:]
        for (position, member) in candidates.enumerated() {
            let topics = distinctTopics[position]
            if topics.count <= 1 {
                coherence[member] = Double(max(0, (topics.first.flatMap { candidatesByTopic[$0]?.count } ?? 1) - 1))
            } else {
                var others = Set<Int>()
                for topic in topics {
                    for other in candidatesByTopic[topic] ?? [] where other != member { others.insert(other) }
                }
                coherence[member] = Double(others.count)
            }
        }
        var lexical: [Int: Double] = [:]
        for member in candidates { lexical[member] = statistics.map { $0.terms.isEmpty ? 0 : $0.bm25(member) } ?? 0 }
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
        let left = index.lessons.createdAt(at: lhs)
        let right = index.lessons.createdAt(at: rhs)
        if left != right { return FileSystem.byteOrder(right, left) }
        return FileSystem.byteOrder(index.lessons.id(at: lhs), index.lessons.id(at: rhs))
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

    /// Up to three BM25 hits that share at least two non-generic query terms with the rule (`slots` name the
    /// terms of `statistics`, in the order scores add them up).
    private func lexicalExtras(excluding candidates: Set<Int>, slots: [Int], statistics: LexicalStatistics) -> [Ranked] {
        let total = index.lessons.count
        let specific = slots.filter { slot in
            let frequency = statistics.documentFrequency[slot]
            return frequency > 0 && 2 * frequency <= max(total, 2)
        }
        var shared: [Int: Int] = [:]
        for slot in specific {
            for posting in statistics.postings[slot] where !candidates.contains(Int(posting.lesson)) {
                shared[Int(posting.lesson), default: 0] += 1
            }
        }
        let hits = shared.filter { $0.value >= 2 }.map { (index: $0.key, score: statistics.bm25($0.key, slots: slots)) }
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
