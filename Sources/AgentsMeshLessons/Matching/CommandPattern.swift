/// A `command_pattern` trigger compiled from the linear-time regex subset of §6.4: literals, `.`, classes,
/// `* + ? {m,n}`, groups, `|`, `^ $`, `\d \w \s \b`; no backreferences, lookaround or `\u{…}`.
struct CommandPattern: Sendable {
    /// Why a pattern is outside the subset.
    struct SyntaxError: Error, Sendable, Equatable {
        var message: String
    }

    /// The largest `{m,n}` bound accepted.
    static let maximumRepetition = 1_000

    let source: String
    let program: NFAProgram
    /// A literal every match starts with when the pattern is `^literal…`, for a cheap pre-check.
    let anchoredPrefix: [UInt32]

    /// Compiles a pattern or throws a `SyntaxError` naming the first unsupported construct.
    init(_ source: String) throws(SyntaxError) {
        var parser = RegexParser(Array(source.unicodeScalars.map(\.value)))
        let node = try parser.parse()
        guard let program = NFAProgram(node) else {
            throw SyntaxError(message: "pattern is too large (over \(NFAProgram.maximumSize) NFA states)")
        }
        self.source = source
        self.program = program
        anchoredPrefix = CommandPattern.literalPrefix(node)
    }

    /// Whether the pattern matches somewhere in `command`.
    func matches(_ command: [UInt32], budget: inout StepBudget) -> StepBudget.Outcome {
        if budget.exhausted { return .exhausted }
        if !anchoredPrefix.isEmpty && !command.starts(with: anchoredPrefix) { return .noMatch }
        return program.matches(command, budget: &budget)
    }

    private static func literalPrefix(_ node: PatternNode) -> [UInt32] {
        guard case .concat(let items) = node, items.first == .lineStart else { return [] }
        var out: [UInt32] = []
        for item in items.dropFirst() {
            guard case .scalar(let value) = item else { break }
            out.append(value)
        }
        return out
    }
}

/// Recursive-descent parser of the regex subset.
private struct RegexParser {
    let scalars: [UInt32]
    var index = 0
    var depth = 0

    init(_ scalars: [UInt32]) { self.scalars = scalars }

    typealias Failure = CommandPattern.SyntaxError

    var atEnd: Bool { index >= scalars.count }
    var peek: UInt32? { atEnd ? nil : scalars[index] }

    func fail(_ message: String) -> Failure { Failure(message: message + " at offset \(index)") }

    mutating func parse() throws(Failure) -> PatternNode {
        let node = try parseAlternation()
        if !atEnd { throw fail("unmatched ')'") }
        return node
    }

    mutating func parseAlternation() throws(Failure) -> PatternNode {
        var branches = [try parseConcat()]
        while peek == 0x7C {  // |
            index += 1
            branches.append(try parseConcat())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseConcat() throws(Failure) -> PatternNode {
        var items: [PatternNode] = []
        while let next = peek, next != 0x7C, next != 0x29 {  // | )
            items.append(try parseQuantified())
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    mutating func parseQuantified() throws(Failure) -> PatternNode {
        let atom = try parseAtom()
        guard let (min, max) = try parseQuantifier() else { return atom }
        switch atom {
        case .lineStart, .lineEnd, .wordBoundary: throw fail("an anchor cannot be repeated")
        default: break
        }
        if peek == 0x3F { index += 1 }  // lazy: irrelevant for a yes/no match
        if let next = peek, next == 0x2A || next == 0x2B || next == 0x3F || (next == 0x7B && quantifierAhead()) {
            throw fail("nested quantifier (possessive or repeated quantifiers are not supported)")
        }
        return .repetition(atom, min: min, max: max)
    }

    /// Parses `*`, `+`, `?` or `{m}`, `{m,}`, `{m,n}`; `nil` when none follows.
    mutating func parseQuantifier() throws(Failure) -> (Int, Int?)? {
        switch peek {
        case 0x2A:
            index += 1
            return (0, nil)
        case 0x2B:
            index += 1
            return (1, nil)
        case 0x3F:
            index += 1
            return (0, 1)
        case 0x7B:
            guard quantifierAhead() else { return nil }
            index += 1
            let min = readNumber() ?? 0
            var max: Int? = min
            if peek == 0x2C {
                index += 1
                max = readNumber()
            }
            index += 1  // }
            let limit = CommandPattern.maximumRepetition
            if min > limit || (max ?? 0) > limit { throw fail("repetition bound above \(limit)") }
            if let max, max < min { throw fail("repetition {m,n} with n < m") }
            return (min, max)
        default:
            return nil
        }
    }

    /// Whether the text at `index` is a well-formed `{m}`, `{m,}` or `{m,n}`.
    func quantifierAhead() -> Bool {
        var cursor = index + 1
        var digits = 0
        while cursor < scalars.count, isDigit(scalars[cursor]) {
            cursor += 1
            digits += 1
        }
        guard digits > 0, cursor < scalars.count else { return false }
        if scalars[cursor] == 0x7D { return true }
        guard scalars[cursor] == 0x2C else { return false }
        cursor += 1
        while cursor < scalars.count, isDigit(scalars[cursor]) { cursor += 1 }
        return cursor < scalars.count && scalars[cursor] == 0x7D
    }

    func isDigit(_ value: UInt32) -> Bool { value >= 0x30 && value <= 0x39 }

    mutating func readNumber() -> Int? {
        var value = 0
        var any = false
        while let next = peek, isDigit(next) {
            value = min(value * 10 + Int(next - 0x30), 1_000_000)
            index += 1
            any = true
        }
        return any ? value : nil
    }

    mutating func parseAtom() throws(Failure) -> PatternNode {
        guard let scalar = peek else { throw fail("unexpected end") }
        switch scalar {
        case 0x28:  // (
            index += 1
            if peek == 0x3F {  // (?
                let marker = index + 1 < scalars.count ? scalars[index + 1] : 0
                guard marker == 0x3A else {
                    throw fail("lookaround and named or flagged groups are not supported")
                }
                index += 2
            }
            depth += 1
            if depth > 64 { throw fail("groups nested too deeply") }
            let inner = try parseAlternation()
            guard peek == 0x29 else { throw fail("missing ')'") }
            index += 1
            depth -= 1
            return inner
        case 0x29: throw fail("unmatched ')'")
        case 0x2A, 0x2B, 0x3F: throw fail("nothing to repeat")
        case 0x7B:
            if quantifierAhead() { throw fail("nothing to repeat") }
            index += 1
            return .scalar(scalar)
        case 0x5B:  // [
            index += 1
            return .set(try parseClass())
        case 0x2E:  // .
            index += 1
            return .anyButNewline
        case 0x5E:  // ^
            index += 1
            return .lineStart
        case 0x24:  // $
            index += 1
            return .lineEnd
        case 0x5C:  // backslash
            index += 1
            return try parseEscape(inClass: false)
        default:
            index += 1
            return .scalar(scalar)
        }
    }

    /// Parses the escape after a backslash; classes come back as `.set`, `\b` as `.wordBoundary`.
    mutating func parseEscape(inClass: Bool) throws(Failure) -> PatternNode {
        guard let scalar = peek else { throw fail("trailing backslash") }
        index += 1
        switch scalar {
        case 0x64: return .set(.digits)  // d
        case 0x44: return .set(ScalarSet.digits.inverted)  // D
        case 0x77: return .set(.word)  // w
        case 0x57: return .set(ScalarSet.word.inverted)  // W
        case 0x73: return .set(.space)  // s
        case 0x53: return .set(ScalarSet.space.inverted)  // S
        case 0x62:  // b
            if inClass { return .scalar(0x08) }
            return .wordBoundary
        case 0x6E: return .scalar(0x0A)  // n
        case 0x74: return .scalar(0x09)  // t
        case 0x72: return .scalar(0x0D)  // r
        case 0x66: return .scalar(0x0C)  // f
        case 0x76: return .scalar(0x0B)  // v
        case 0x78:  // xHH
            guard let value = readHex(count: 2) else { throw fail("\\x needs two hex digits") }
            return .scalar(value)
        case 0x75:  // uHHHH; \u{…} is refused
            if peek == 0x7B { throw fail("\\u{…} escapes are not supported") }
            guard let value = readHex(count: 4) else { throw fail("\\u needs four hex digits") }
            return .scalar(value)
        case 0x31...0x39, 0x6B:  // 1-9, k
            throw fail("backreferences are not supported")
        case 0x42: throw fail("\\B is not supported")
        default:
            let isLetterOrDigit =
                (scalar >= 0x41 && scalar <= 0x5A) || (scalar >= 0x61 && scalar <= 0x7A) || isDigit(scalar)
            if isLetterOrDigit { throw fail("unknown escape \\\(String(UnicodeScalar(scalar).map(Character.init) ?? "?"))") }
            return .scalar(scalar)
        }
    }

    mutating func readHex(count: Int) -> UInt32? {
        guard index + count <= scalars.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<count {
            let scalar = scalars[index + offset]
            let digit: UInt32
            switch scalar {
            case 0x30...0x39: digit = scalar - 0x30
            case 0x41...0x46: digit = scalar - 0x41 + 10
            case 0x61...0x66: digit = scalar - 0x61 + 10
            default: return nil
            }
            value = value * 16 + digit
        }
        index += count
        return value
    }

    /// Parses a bracket class after `[`.
    mutating func parseClass() throws(Failure) -> ScalarSet {
        var negated = false
        if peek == 0x5E {
            negated = true
            index += 1
        }
        var members = ScalarSet([])
        var first = true
        while true {
            guard let scalar = peek else { throw fail("missing ']'") }
            if scalar == 0x5D && !first {
                index += 1
                break
            }
            first = false
            let lower = try classAtom()
            guard case .scalar(let low) = lower else {
                if case .set(let set) = lower { members = members.union(set) }
                continue
            }
            if peek == 0x2D, index + 1 < scalars.count, scalars[index + 1] != 0x5D {
                index += 1
                let upper = try classAtom()
                guard case .scalar(let high) = upper else { throw fail("a class cannot end a range") }
                guard low <= high else { throw fail("range out of order") }
                members = members.union(ScalarSet([low...high]))
            } else {
                members = members.union(ScalarSet([low...low]))
            }
        }
        return negated ? members.inverted : members
    }

    mutating func classAtom() throws(Failure) -> PatternNode {
        guard let scalar = peek else { throw fail("missing ']'") }
        index += 1
        if scalar == 0x5C { return try parseEscape(inClass: true) }
        return .scalar(scalar)
    }
}
