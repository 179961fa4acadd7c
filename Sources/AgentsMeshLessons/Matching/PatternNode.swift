/// The parsed form shared by command regexes and file globs, compiled to a Thompson NFA.
indirect enum PatternNode: Sendable, Equatable {
    case empty
    case scalar(UInt32)
    case set(ScalarSet)
    case anyButNewline
    case lineStart
    case lineEnd
    case wordBoundary
    case concat([PatternNode])
    case alternation([PatternNode])
    case repetition(PatternNode, min: Int, max: Int?)

    /// Number of NFA instructions the node compiles to (saturating).
    var programSize: Int {
        switch self {
        case .empty: return 0
        case .scalar, .set, .anyButNewline, .lineStart, .lineEnd, .wordBoundary: return 1
        case .concat(let items): return items.reduce(0) { PatternNode.add($0, $1.programSize) }
        case .alternation(let items):
            return PatternNode.add(items.reduce(0) { PatternNode.add($0, $1.programSize) }, 2 * (items.count - 1))
        case .repetition(let node, let min, let max):
            let body = node.programSize
            let required = PatternNode.multiply(body, min)
            guard let max else { return PatternNode.add(required, PatternNode.add(body, 2)) }
            return PatternNode.add(required, PatternNode.multiply(PatternNode.add(body, 1), max - min))
        }
    }

    /// Whether the pattern can only match at the start of the input (it begins with `^`).
    var isAnchoredAtStart: Bool {
        switch self {
        case .lineStart: return true
        case .concat(let items): return items.first?.isAnchoredAtStart ?? false
        case .alternation(let items): return !items.isEmpty && items.allSatisfy(\.isAnchoredAtStart)
        default: return false
        }
    }

    private static func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    private static func multiply(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }
}
