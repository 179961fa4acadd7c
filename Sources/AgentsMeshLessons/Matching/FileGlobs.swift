/// The `file_glob` triggers of a graph, matched against query paths.
///
/// A glob is compiled only when it could match the path: for an ASCII pattern and an ASCII path, a
/// non-negated literal must equal the path and a non-negated glob holding `/` must share its literal
/// prefix with it (the checks `GlobPattern` itself starts with). Everything else — negated patterns,
/// base-name globs like `*.ts`, non-ASCII text — is compiled and matched in full. Compiled patterns are
/// kept for the next path of the same query.
struct FileGlobs {
    private let index: GraphIndex
    /// Compiled patterns by trigger id; `nil` inside when the pattern is outside the safe subset.
    private var compiled: [String: GlobPattern?] = [:]

    /// The `file_glob` triggers of the indexed graph.
    init(_ index: GraphIndex) {
        self.index = index
    }

    /// Reports every trigger whose glob matches `path`, with the specificity of the match (§6.5).
    mutating func match(_ path: String, _ report: (_ triggerID: String, _ specificity: Double) -> Void) {
        let pathBytes = Array(path.utf8)
        let pathIsASCII = pathBytes.allSatisfy { $0 < 0x80 }
        var scalars: [UInt32]?
        index.forEachTrigger { id, trigger in
            guard trigger.kind == .fileGlob else { return }
            if pathIsASCII && !FileGlobs.mayMatch(trigger.pattern, pathBytes) { return }
            guard let pattern = pattern(id, trigger.pattern) else { return }
            if let literal = pattern.literal, !pattern.negated {
                if literal == path { report(id, GlobPattern.Shape.exactPath.specificity) }
                return
            }
            if scalars == nil { scalars = path.unicodeScalars.map(\.value) }
            if pattern.matches(path: scalars ?? [], text: path) { report(id, pattern.shape.specificity) }
        }
    }

    private mutating func pattern(_ id: String, _ source: String) -> GlobPattern? {
        if let known = compiled[id] { return known }
        let pattern = try? GlobPattern(source)
        compiled[id] = .some(pattern)
        return pattern
    }

    /// `false` only when the pattern certainly does not match the ASCII path `path` (see the type comment).
    static func mayMatch(_ pattern: String, _ path: [UInt8]) -> Bool {
        var source = pattern
        return source.withUTF8 { bytes -> Bool in
            let count = bytes.count
            if count == 0 || bytes[0] == 0x21 { return true }  // `!`: negated, matches nearly everything
            for byte in bytes where byte >= 0x80 { return true }
            let start = count >= 2 && bytes[0] == 0x2E && bytes[1] == 0x2F ? 2 : 0  // `./`
            var wildcard = -1
            var hasSlash = false
            for position in start..<count {
                let byte = bytes[position]
                if byte == 0x2F { hasSlash = true }
                if wildcard < 0 && (byte == 0x2A || byte == 0x3F || byte == 0x5B || byte == 0x7B) { wildcard = position }
            }
            if wildcard < 0 {
                guard count - start == path.count else { return false }
                for offset in 0..<path.count where bytes[start + offset] != path[offset] { return false }
                return true
            }
            if !hasSlash { return true }
            let prefix = wildcard - start
            guard path.count >= prefix else { return false }
            for offset in 0..<prefix where bytes[start + offset] != path[offset] { return false }
            return true
        }
    }
}
