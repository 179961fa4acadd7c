// Hand-written: linear-time matching of user patterns; Foundation's regular expressions backtrack.
/// A compiled Thompson NFA, simulated in lock-step (Pike VM) so matching is linear in the input length.
struct NFAProgram: Sendable {
    enum Op: Sendable, Equatable {
        case scalar(UInt32)
        case set(Int)
        case anyButNewline
        case split(Int, Int)
        case jump(Int)
        case lineStart
        case lineEnd
        case wordBoundary
        case match
    }

    /// Programs larger than this are refused at compile time.
    static let maximumSize = 20_000

    private(set) var ops: [Op] = []
    private(set) var sets: [ScalarSet] = []
    /// Only position 0 can start a match.
    let anchoredAtStart: Bool

    /// Compiles a node; `nil` when the program would exceed `maximumSize` instructions.
    init?(_ node: PatternNode) {
        guard node.programSize < NFAProgram.maximumSize else { return nil }
        anchoredAtStart = node.isAnchoredAtStart
        emit(node)
        ops.append(.match)
    }

    private mutating func emit(_ node: PatternNode) {
        switch node {
        case .empty: break
        case .scalar(let value): ops.append(.scalar(value))
        case .set(let set):
            if let index = sets.firstIndex(of: set) {
                ops.append(.set(index))
            } else {
                sets.append(set)
                ops.append(.set(sets.count - 1))
            }
        case .anyButNewline: ops.append(.anyButNewline)
        case .lineStart: ops.append(.lineStart)
        case .lineEnd: ops.append(.lineEnd)
        case .wordBoundary: ops.append(.wordBoundary)
        case .concat(let items): for item in items { emit(item) }
        case .alternation(let items): emitAlternation(items[...])
        case .repetition(let body, let min, let max): emitRepetition(body, min: min, max: max)
        }
    }

    private mutating func emitAlternation(_ items: ArraySlice<PatternNode>) {
        guard let first = items.first else { return }
        if items.count == 1 {
            emit(first)
            return
        }
        let split = ops.count
        ops.append(.match)
        emit(first)
        let jump = ops.count
        ops.append(.match)
        ops[split] = .split(split + 1, ops.count)
        emitAlternation(items.dropFirst())
        ops[jump] = .jump(ops.count)
    }

    private mutating func emitRepetition(_ body: PatternNode, min: Int, max: Int?) {
        for _ in 0..<min { emit(body) }
        guard let max else {
            let loop = ops.count
            ops.append(.match)
            emit(body)
            ops.append(.jump(loop))
            ops[loop] = .split(loop + 1, ops.count)
            return
        }
        var pendingSplits: [Int] = []
        for _ in min..<max {
            pendingSplits.append(ops.count)
            ops.append(.match)
            emit(body)
        }
        for split in pendingSplits { ops[split] = .split(split + 1, ops.count) }
    }

    /// Runs the program over `input` (searching anywhere unless anchored), charging `budget` one step
    /// per NFA state visited.
    func matches(_ input: [UInt32], budget: inout StepBudget) -> StepBudget.Outcome {
        var machine = PikeVM(program: self, input: input)
        return machine.run(budget: &budget)
    }
}

/// The shared work allowance of one query (§6.4: 1,000,000 NFA steps).
struct StepBudget: Sendable {
    enum Outcome: Sendable, Equatable {
        case match
        case noMatch
        case exhausted
    }

    /// Steps left.
    var remaining: Int
    /// Set once a run hit zero; later runs are refused.
    private(set) var exhausted = false

    init(steps: Int) { remaining = steps }

    /// An allowance large enough for any bounded pattern (globs are capped at 256 characters).
    static var unlimited: StepBudget { StepBudget(steps: Int.max) }

    mutating func markExhausted() { exhausted = true }
}

/// The lock-step simulation state for one run.
private struct PikeVM {
    let program: NFAProgram
    let input: [UInt32]
    var marks: [Int]
    var stack: [Int] = []

    init(program: NFAProgram, input: [UInt32]) {
        self.program = program
        self.input = input
        marks = [Int](repeating: -1, count: program.ops.count)
    }

    private static func isWord(_ value: UInt32) -> Bool { ScalarSet.word.contains(value) }

    private func isWord(at position: Int) -> Bool {
        position >= 0 && position < input.count && PikeVM.isWord(input[position])
    }

    /// Adds `pc` and everything reachable through epsilon moves at `position` to `list`.
    /// Returns `.match` when a match state is reached, `.exhausted` when the budget runs out.
    private mutating func addClosure(
        _ start: Int, at position: Int, into list: inout [Int], budget: inout StepBudget
    ) -> StepBudget.Outcome {
        stack.append(start)
        while let pc = stack.popLast() {
            if marks[pc] == position { continue }
            marks[pc] = position
            budget.remaining -= 1
            if budget.remaining < 0 {
                stack.removeAll()
                return .exhausted
            }
            switch program.ops[pc] {
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .lineStart: if position == 0 { stack.append(pc + 1) }
            case .lineEnd: if position == input.count { stack.append(pc + 1) }
            case .wordBoundary:
                if isWord(at: position - 1) != isWord(at: position) { stack.append(pc + 1) }
            case .match:
                stack.removeAll()
                return .match
            case .scalar, .set, .anyButNewline:
                list.append(pc)
            }
        }
        return .noMatch
    }

    mutating func run(budget: inout StepBudget) -> StepBudget.Outcome {
        if budget.exhausted { return .exhausted }
        var current: [Int] = []
        var next: [Int] = []
        current.reserveCapacity(program.ops.count)
        next.reserveCapacity(program.ops.count)
        var position = 0
        while true {
            if position == 0 || !program.anchoredAtStart {
                let outcome = addClosure(0, at: position, into: &current, budget: &budget)
                if outcome == .exhausted { budget.markExhausted() }
                if outcome != .noMatch { return outcome }
            }
            if position == input.count || (current.isEmpty && program.anchoredAtStart) { return .noMatch }
            let value = input[position]
            next.removeAll(keepingCapacity: true)
            for pc in current {
                let accepted: Bool
                switch program.ops[pc] {
                case .scalar(let expected): accepted = value == expected
                case .set(let index): accepted = program.sets[index].contains(value)
                case .anyButNewline: accepted = value != 0x0A
                default: accepted = false
                }
                if accepted {
                    let outcome = addClosure(pc + 1, at: position + 1, into: &next, budget: &budget)
                    if outcome == .exhausted { budget.markExhausted() }
                    if outcome != .noMatch { return outcome }
                }
            }
            swap(&current, &next)
            position += 1
        }
    }
}
