/// A `file_glob` trigger in the safe subset of §6.4, compiled to a Thompson NFA (linear-time matching).
///
/// Subset: literals, `*`, `?`, `**` as a whole segment, classes `[a-z]`/`[^x]`, nested `{a,b}`, one leading
/// `!`, an optional leading `./`, at most 256 characters; dotfiles match. A pattern without `/` that holds a
/// wildcard matches the file name at any depth (`*.swift` ≡ `**/*.swift`); a literal matches one exact path.
struct GlobPattern: Sendable {
    /// Why a pattern is outside the safe subset.
    struct UnsafeError: Error, Sendable, Equatable {
        var message: String
    }

    /// The longest accepted pattern, in characters.
    static let maximumLength = 256
    static let maximumBraceDepth = 8

    /// Specificity of §6.5 by shape.
    enum Shape: Sendable, Equatable {
        case exactPath
        case fileClass
        case subtree
        case repoWide

        /// The specificity score of §6.5.
        var specificity: Double {
            switch self {
            case .exactPath: return 5
            case .fileClass: return 4
            case .subtree: return 3
            case .repoWide: return 1
            }
        }
    }

    /// The pattern as written.
    let source: String
    /// A leading `!` inverts the match.
    let negated: Bool
    /// The pattern without `!` and `./`.
    let body: String
    /// Set when the body has no wildcard: the one path it matches.
    let literal: String?
    let shape: Shape
    private let program: NFAProgram?
    private let requiredPrefix: [UInt32]
    private let requiredSuffix: [UInt32]
    /// Base-name patterns (no `/`) are compiled with a `**/` prefix, so the prefix pre-check does not apply.
    private let matchesAnyDepth: Bool

    /// Validates and compiles a glob; throws `UnsafeError` for anything outside the subset.
    init(_ source: String) throws(UnsafeError) {
        self.source = source
        guard source.count <= GlobPattern.maximumLength else {
            throw UnsafeError(message: "longer than \(GlobPattern.maximumLength) characters")
        }
        if GlobPattern.hasExtendedGlob(source) {
            throw UnsafeError(message: "extended globs like '+(…)', '@(…)' or '!(…)' are not in the safe subset")
        }
        var text = Substring(source)
        negated = text.hasPrefix("!")
        if negated { text = text.dropFirst() }
        if text.hasPrefix("!") { throw UnsafeError(message: "only one leading '!' is allowed") }
        if text.hasPrefix("./") { text = text.dropFirst(2) }
        let body = String(text)
        self.body = body
        try GlobPattern.checkSegments(body)
        let scalars = body.unicodeScalars.map(\.value)
        let isLiteral = !scalars.contains { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B || $0 == 0x7B }
        if isLiteral {
            if scalars.contains(0x7D) { throw UnsafeError(message: "unbalanced '}'") }
            literal = body
            shape = negated ? .repoWide : .exactPath
            program = nil
            requiredPrefix = []
            requiredSuffix = []
            matchesAnyDepth = false
            return
        }
        literal = nil
        var parser = GlobParser(scalars)
        let node = try parser.parse()
        matchesAnyDepth = !scalars.contains(0x2F)
        var parts: [PatternNode] = [.lineStart]
        if matchesAnyDepth { parts.append(GlobParser.anySegments) }
        parts.append(node)
        parts.append(.lineEnd)
        guard let program = NFAProgram(.concat(parts)) else { throw UnsafeError(message: "pattern is too complex") }
        self.program = program
        requiredPrefix = matchesAnyDepth ? [] : Array(scalars.prefix { ![0x2A, 0x3F, 0x5B, 0x7B].contains($0) })
        if let last = scalars.lastIndex(where: { [0x2A, 0x3F, 0x5D, 0x7D].contains($0) }) {
            requiredSuffix = Array(scalars[(last + 1)...])
        } else {
            requiredSuffix = []
        }
        shape = negated ? .repoWide : GlobPattern.classify(body)
    }

    /// Whether the glob matches a project-relative path (as Unicode scalar values).
    func matches(path: [UInt32], text: String) -> Bool {
        negated != matchesPositively(path: path, text: text)
    }

    private func matchesPositively(path: [UInt32], text: String) -> Bool {
        if let literal { return literal == text }
        guard let program else { return false }
        if !requiredPrefix.isEmpty && !path.starts(with: requiredPrefix) { return false }
        if !requiredSuffix.isEmpty {
            guard path.count >= requiredSuffix.count,
                path[(path.count - requiredSuffix.count)...].elementsEqual(requiredSuffix)
            else { return false }
        }
        var budget = StepBudget.unlimited
        return program.matches(path, budget: &budget) == .match
    }

    /// Convenience for a path given as a string.
    func matches(_ path: String) -> Bool {
        matches(path: path.unicodeScalars.map(\.value), text: path)
    }

    /// The folder a not-yet-matching glob would create files in (its literal leading segments).
    var literalParent: String {
        var segments: [Substring] = []
        let parts = body.split(separator: "/", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            let isLast = index == parts.count - 1
            if isLast || part.contains(where: { "*?[{".contains($0) }) { break }
            segments.append(part)
        }
        return segments.joined(separator: "/")
    }

    /// Whether `(` follows one of the extglob operators `+ @ ! ? *`.
    private static func hasExtendedGlob(_ source: String) -> Bool {
        var previous: Unicode.Scalar?
        for scalar in source.unicodeScalars {
            if scalar == "(", let previous, "+@!?*".unicodeScalars.contains(previous) { return true }
            previous = scalar
        }
        return false
    }

    private static func checkSegments(_ body: String) throws(UnsafeError) {
        if body.isEmpty { throw UnsafeError(message: "empty pattern") }
        if body.hasPrefix("/") { throw UnsafeError(message: "absolute paths are not allowed; use a project-relative glob") }
        if body.hasSuffix("/") { throw UnsafeError(message: "a glob cannot end with '/'; use 'dir/**'") }
        for scalar in body.unicodeScalars {
            if scalar == "\\" { throw UnsafeError(message: "backslash escapes are not in the safe subset") }
            if scalar.value < 0x20 || scalar.value == 0x7F { throw UnsafeError(message: "control characters are not allowed") }
        }
        for segment in body.split(separator: "/", omittingEmptySubsequences: false) {
            if segment == ".." || segment == "." { throw UnsafeError(message: "'.' and '..' segments are not allowed") }
            if segment.isEmpty { throw UnsafeError(message: "empty path segment ('//')") }
        }
    }

    /// §6.5 specificity classes: literal 5; last segment with a literal part (`*.ext`, `**/*.ext`) 4;
    /// `dir/**` or `dir/*` 3; only wildcards (`**`, `**/*`, `*`) 1.
    private static func classify(_ body: String) -> Shape {
        let segments = body.split(separator: "/")
        if segments.allSatisfy({ $0 == "**" || $0 == "*" }) { return .repoWide }
        if let last = segments.last, last == "**" || last == "*" { return .subtree }
        return .fileClass
    }
}

/// Parser of the glob subset into a pattern node.
private struct GlobParser {
    typealias Failure = GlobPattern.UnsafeError

    let scalars: [UInt32]
    var index = 0
    var braceDepth = 0

    init(_ scalars: [UInt32]) { self.scalars = scalars }

    static let notSlash = ScalarSet([0...0x2E, 0x30...ScalarSet.maxScalar])
    static let anything = ScalarSet([0...ScalarSet.maxScalar])
    /// Zero or more whole segments followed by `/` (the meaning of `**/`).
    static let anySegments = PatternNode.repetition(
        .concat([.repetition(.set(notSlash), min: 0, max: nil), .scalar(0x2F)]), min: 0, max: nil)

    var peek: UInt32? { index < scalars.count ? scalars[index] : nil }

    func scalar(at position: Int) -> UInt32? { position >= 0 && position < scalars.count ? scalars[position] : nil }

    mutating func parse() throws(Failure) -> PatternNode {
        let node = try parseSequence()
        if index < scalars.count { throw Failure(message: "unbalanced '}'") }
        return node
    }

    /// A sequence up to the end, or (inside braces) up to `,` or `}`.
    mutating func parseSequence() throws(Failure) -> PatternNode {
        var items: [PatternNode] = []
        while let scalar = peek {
            if braceDepth > 0 && (scalar == 0x2C || scalar == 0x7D) { break }
            switch scalar {
            case 0x2A: items.append(try parseStar())
            case 0x3F:
                index += 1
                if peek == 0x28 { throw Failure(message: "extended globs like '?(…)' are not in the safe subset") }
                items.append(.set(GlobParser.notSlash))
            case 0x5B:
                index += 1
                items.append(.set(try parseClass()))
            case 0x7B:
                index += 1
                items.append(try parseBraces())
            case 0x7D: throw Failure(message: "unbalanced '}'")
            case 0x28:
                if let previous = self.scalar(at: index - 1), [0x2B, 0x40, 0x21].contains(previous) {
                    throw Failure(message: "extended globs like '+(…)' are not in the safe subset")
                }
                index += 1
                items.append(.scalar(scalar))
            default:
                index += 1
                items.append(.scalar(scalar))
            }
        }
        return items.count == 1 ? items[0] : .concat(items)
    }

    mutating func parseStar() throws(Failure) -> PatternNode {
        let start = index
        guard scalar(at: index + 1) == 0x2A else {
            index += 1
            if peek == 0x28 { throw Failure(message: "extended globs like '*(…)' are not in the safe subset") }
            return .repetition(.set(GlobParser.notSlash), min: 0, max: nil)
        }
        if scalar(at: index + 2) == 0x2A { throw Failure(message: "'***' is not a valid glob") }
        let before = scalar(at: start - 1)
        let after = scalar(at: start + 2)
        let boundaryBefore = before == nil || before == 0x2F || (braceDepth > 0 && (before == 0x7B || before == 0x2C))
        let boundaryAfter = after == nil || after == 0x2F || (braceDepth > 0 && (after == 0x7D || after == 0x2C))
        guard boundaryBefore && boundaryAfter else {
            throw Failure(message: "'**' must be a whole path segment")
        }
        index += 2
        if peek == 0x2F {
            index += 1
            return GlobParser.anySegments
        }
        return .repetition(.set(GlobParser.anything), min: 0, max: nil)
    }

    mutating func parseBraces() throws(Failure) -> PatternNode {
        braceDepth += 1
        if braceDepth > GlobPattern.maximumBraceDepth { throw Failure(message: "braces nested too deeply") }
        var branches: [PatternNode] = []
        while true {
            let branch = try parseSequence()
            branches.append(branch)
            guard let scalar = peek else { throw Failure(message: "missing '}'") }
            index += 1
            if scalar == 0x7D { break }
        }
        braceDepth -= 1
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseClass() throws(Failure) -> ScalarSet {
        var negated = false
        if peek == 0x21 { throw Failure(message: "use '[^x]' for a negated class") }
        if peek == 0x5E {
            negated = true
            index += 1
        }
        var members = ScalarSet([])
        var count = 0
        while true {
            guard let low = peek else { throw Failure(message: "missing ']'") }
            index += 1
            if low == 0x5D {
                if count == 0 { throw Failure(message: "empty class '[]'") }
                break
            }
            if low == 0x2F { throw Failure(message: "'/' cannot appear in a class") }
            if low == 0x5B && peek == 0x3A { throw Failure(message: "POSIX classes like '[:alpha:]' are not supported") }
            count += 1
            if peek == 0x2D, let high = scalar(at: index + 1), high != 0x5D {
                index += 2
                if high == 0x2F { throw Failure(message: "'/' cannot appear in a class") }
                guard low <= high else { throw Failure(message: "class range out of order") }
                members = members.union(ScalarSet([low...high]))
            } else {
                members = members.union(ScalarSet([low...low]))
            }
        }
        return (negated ? members.inverted : members).removing(0x2F)
    }
}
