internal import Foundation
internal import SharedCore

/// Rewrites references to project files inside Markdown (§3.7). Used forward (canonical → target)
/// and inverse (target → canonical) with different maps.
public struct LinkRebaser: Sendable {
    /// Project-relative path → rewritten project-relative path, or nil when not mapped.
    public var map: @Sendable (String) -> String?
    /// Whether a project-relative path (file or folder) exists and may be rewritten.
    public var exists: @Sendable (String) -> Bool
    /// Absolute project root (absolute in-project references become project-relative).
    public var projectRoot: String
    /// Optional pre-filter: when set, every path `exists` accepts has its last `/`-segment in this set,
    /// so a reference whose last segment is not in it is rejected without being resolved.
    public var lastSegments: Set<String>?
    /// Where references sit in the texts rebased so far and what they resolve to, shared with other rebasers
    /// that have the same `projectRoot`, `exists` and `lastSegments` (see `ReferenceScans`); nil: every text
    /// is scanned on each `rebase`.
    public var scans: ReferenceScans?

    public init(
        projectRoot: String, exists: @escaping @Sendable (String) -> Bool, map: @escaping @Sendable (String) -> String?,
        lastSegments: Set<String>? = nil
    ) {
        self.projectRoot = projectRoot
        self.exists = exists
        self.map = map
        self.lastSegments = lastSegments
    }

    /// What a reference names, independent of the target (see `resolve`).
    public struct Resolution: Sendable, Equatable {
        public struct Candidate: Sendable, Equatable {
            /// An existing project-relative path.
            var path: String
            /// Whether the mapped path is written relative to the output file's folder (else as mapped).
            var relative: Bool
        }

        /// Tried in order; the first one the target maps is used.
        var candidates: [Candidate]
        var trailingSlash: Bool
        /// A `:<line>` and/or `#anchor` suffix kept as written.
        var suffix: String
        /// Whether the reference was written `./…` (kept on a relative result that does not go up).
        var dotSlash: Bool
    }

    /// Rewrites `text` written in `sourceFile` for placement at `outputFile` (both project-relative).
    ///
    /// ASCII lines are scanned as UTF-8 bytes (for ASCII every byte is one `Character`, so the result is
    /// the same as the `Character`-level scan, which non-ASCII lines and texts with CR still use).
    public func rebase(_ text: String, from sourceFile: String, to outputFile: String) -> String {
        var text = text
        enum Route {
            case unchanged, characters, mixed
            case rebased(String)
        }
        let route: Route = text.withUTF8 { bytes in
            var hasMarker = false
            var ascii = true
            for byte in bytes {
                if byte == 0x2F || byte == 0x5C || byte == 0x2E { hasMarker = true }
                if byte >= 0x80 { ascii = false }
                if byte == 0x0D { return .characters }  // CR LF is one Character: keep the Character-level path
            }
            if !ascii { return .mixed }
            return hasMarker ? .rebased(rebaseBytes(bytes, sourceFile: sourceFile, outputFile: outputFile)) : .unchanged
        }
        switch route {
        case .unchanged: return text
        case .rebased(let result): return result
        case .characters: return rebaseCharacters(text, sourceFile: sourceFile, outputFile: outputFile)
        case .mixed:
            // Non-ASCII text without CR: the Character-level guard decides; lines split on LF bytes exactly
            // as on Character "\n", and only the non-ASCII lines take the Character-level path.
            guard text.containsBytes("/") || text.containsBytes("\\") || text.containsBytes(".") else { return text }
            return text.withUTF8 { rebaseBytes($0, sourceFile: sourceFile, outputFile: outputFile) }
        }
    }

    /// The `Character`-level reference implementation.
    func rebaseCharacters(_ text: String, sourceFile: String, outputFile: String) -> String {
        guard text.containsBytes("/") || text.containsBytes("\\") || text.containsBytes(".") else { return text }
        var out: [String] = []
        var fence: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            out.append(characterLine(line, fence: &fence, sourceFile: sourceFile, outputFile: outputFile))
        }
        return out.joined(separator: "\n")
    }

    /// One line at `Character` level, updating the code-fence state.
    private func characterLine(_ line: Substring, fence: inout String?, sourceFile: String, outputFile: String) -> String {
        if Self.isFenceLine(line, fence: &fence) { return String(line) }
        return rebaseLine(String(line), sourceFile: sourceFile, outputFile: outputFile)
    }

    /// Whether a line (at `Character` level) is inside, opens or closes a code fence (kept as is),
    /// updating the fence state; false for a prose line.
    static func isFenceLine(_ line: Substring, fence: inout String?) -> Bool {
        let stripped = line.drop { $0 == " " }
        if let open = fence {
            if stripped.hasPrefix(open) && stripped.drop(while: { String($0) == String(open.first!) }).trimmingSpaces().isEmpty {
                fence = nil
            }
            return true
        }
        if line.prefix(while: { $0 == " " }).count <= 3, stripped.hasPrefix("```") || stripped.hasPrefix("~~~") {
            let marker = stripped.first!
            fence = String(stripped.prefix { $0 == marker })
            return true
        }
        return false
    }

    /// Byte-level rebase of a text without CR: the text is scanned for the places a rewrite may change and
    /// what their references resolve to (`scan`, memoised in `scans`), then each is mapped for this output.
    private func rebaseBytes(_ bytes: UnsafeBufferPointer<UInt8>, sourceFile: String, outputFile: String) -> String {
        let sourceFolder = dirname(sourceFile)
        let pieces =
            scans?.pieces(of: bytes, sourceFile: sourceFile) { scan($0, sourceFolder: sourceFolder) }
            ?? scan(bytes, sourceFolder: sourceFolder)
        guard !pieces.isEmpty else { return String(decoding: bytes, as: UTF8.self) }
        let outputFolder = dirname(outputFile)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var copied = 0
        for piece in pieces {
            switch piece {
            case .reference(let start, let end, let resolution):
                guard var rewritten = place(resolution, outputFolder: outputFolder) else { continue }
                // A path reference stays one: a result without a folder is written `./name`, so it is not
                // later read as a word in a sentence.
                if !rewritten.containsBytes("/"), bytes[start..<end].contains(where: { $0 == 0x2F || $0 == 0x5C }) {
                    rewritten = "./" + rewritten
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<start]))
                out.append(contentsOf: rewritten.utf8)
                copied = end
            case .prose(let start, let end):
                let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<start]))
                out.append(contentsOf: rebaseLine(line, sourceFile: sourceFile, outputFile: outputFile).utf8)
                copied = end
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
        return String(decoding: out, as: UTF8.self)
    }

    /// The places of a text without CR that a rewrite may change, in order: references in the prose of
    /// ASCII lines (found on bytes) that resolve to an existing path, and whole non-ASCII prose lines
    /// (rewritten at `Character` level). Independent of the output file and of `map`.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>, sourceFolder: String) -> [ReferenceScans.Piece] {
        var pieces: [ReferenceScans.Piece] = []
        var fence: String?
        var lineStart = 0
        let count = bytes.count
        while true {
            var lineEnd = lineStart
            var ascii = true
            while lineEnd < count, bytes[lineEnd] != 0x0A {
                if bytes[lineEnd] >= 0x80 { ascii = false }
                lineEnd += 1
            }
            if ascii {
                byteLine(bytes, lineStart, lineEnd, fence: &fence, sourceFolder: sourceFolder, into: &pieces)
            } else {
                let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]), as: UTF8.self)
                if !Self.isFenceLine(Substring(line), fence: &fence) { pieces.append(.prose(start: lineStart, end: lineEnd)) }
            }
            if lineEnd >= count { break }
            lineStart = lineEnd + 1
        }
        return pieces
    }

    /// One ASCII line: fences, code spans (kept) and prose (scanned).
    private func byteLine(
        _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, fence: inout String?, sourceFolder: String,
        into pieces: inout [ReferenceScans.Piece]
    ) {
        var indent = start
        while indent < end, b[indent] == 0x20 { indent += 1 }
        if let open = fence {
            let marker = open.utf8.first!
            var i = indent
            var matched = 0
            for m in open.utf8 {
                guard i < end, b[i] == m else { break }
                matched += 1
                i += 1
            }
            if matched == open.utf8.count {
                var j = indent
                while j < end, b[j] == marker { j += 1 }
                while j < end, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
                if j == end { fence = nil }
            }
            return
        }
        if indent - start <= 3, end - indent >= 3, let marker = Optional(b[indent]), marker == 0x60 || marker == 0x7E,
            b[indent + 1] == marker, b[indent + 2] == marker
        {
            var j = indent
            while j < end, b[j] == marker { j += 1 }
            fence = String(repeating: Character(Unicode.Scalar(marker)), count: j - indent)
            return
        }
        var proseStart = start
        var i = start
        while i < end {
            guard b[i] == 0x60 else {
                i += 1
                continue
            }
            var ticksEnd = i
            while ticksEnd < end, b[ticksEnd] == 0x60 { ticksEnd += 1 }
            let n = ticksEnd - i
            // First occurrence of n backticks after the opening run (inside a longer run too).
            var close = -1
            var j = ticksEnd
            while j + n <= end {
                var k = 0
                while k < n, b[j + k] == 0x60 { k += 1 }
                if k == n {
                    close = j
                    break
                }
                j += 1
            }
            if close < 0 {
                i = ticksEnd
                continue
            }
            byteProse(b, proseStart, i, sourceFolder: sourceFolder, into: &pieces)
            i = close + n
            proseStart = i
        }
        byteProse(b, proseStart, end, sourceFolder: sourceFolder, into: &pieces)
    }

    /// Prose split on spaces and tabs; each token's reference is a piece.
    private func byteProse(
        _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, sourceFolder: String, into pieces: inout [ReferenceScans.Piece]
    ) {
        var tokenStart = start
        var i = start
        while i <= end {
            if i == end || b[i] == 0x20 || b[i] == 0x09 {
                byteToken(b, tokenStart, i, sourceFolder: sourceFolder, into: &pieces)
                tokenStart = i + 1
            }
            i += 1
        }
    }

    /// `rebaseToken` for an ASCII token: the reference it holds, unless it names no existing path.
    private func byteToken(
        _ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, sourceFolder: String, into pieces: inout [ReferenceScans.Piece]
    ) {
        let token = UnsafeBufferPointer(rebasing: b[s..<e])
        guard e - s > 1, token.contains(where: { $0 == 0x2F || $0 == 0x5C || $0 == 0x2E }) else { return }
        var start = s
        var linkOpen = -1
        var k = e - 2
        while k >= s {
            if b[k] == 0x5D && b[k + 1] == 0x28 {
                linkOpen = k
                break
            }
            k -= 1
        }
        if linkOpen >= 0 {
            start = linkOpen + 2
        } else {
            // ( [ < " ' @ *
            while start < e, Self.isOpener(b[start]) { start += 1 }
        }
        var end = start
        // ) ] > " ' *
        while end < e, !Self.isCloser(b[end]) { end += 1 }
        var candidateEnd = end
        // . , ; : ! ?
        while candidateEnd > start, Self.isTrailingPunctuation(b[candidateEnd - 1]) { candidateEnd -= 1 }
        let candidate = UnsafeBufferPointer(rebasing: b[start..<candidateEnd])
        if candidate.isEmpty || cannotMatch(candidate) { return }
        // A bare file name in a sentence ("the main CLAUDE.md file", "# AGENTS.md") is a word, not a link.
        if start == s, !candidate.contains(where: { $0 == 0x2F || $0 == 0x5C }) { return }
        guard let resolution = resolve(String(decoding: candidate, as: UTF8.self), sourceFolder: sourceFolder) else { return }
        pieces.append(.reference(start: start, end: candidateEnd, resolution: resolution))
    }

    @inline(__always) static func isOpener(_ c: UInt8) -> Bool {
        switch c {
        case 0x28, 0x5B, 0x3C, 0x22, 0x27, 0x40, 0x2A: return true  // ( [ < " ' @ *
        default: return false
        }
    }

    @inline(__always) static func isCloser(_ c: UInt8) -> Bool {
        switch c {
        case 0x29, 0x5D, 0x3E, 0x22, 0x27, 0x2A: return true  // ) ] > " ' *
        default: return false
        }
    }

    @inline(__always) static func isTrailingPunctuation(_ c: UInt8) -> Bool {
        switch c {
        case 0x2E, 0x2C, 0x3B, 0x3A, 0x21, 0x3F: return true  // . , ; : ! ?
        default: return false
        }
    }

    /// True when `rewrite` would certainly return nil for this ASCII reference: every path it may look up
    /// ends with the reference's last segment (after dropping `#anchor`, `:<line>` and one trailing
    /// slash), so a segment outside `lastSegments` cannot exist. `.`/`..`/empty segments are not judged.
    private func cannotMatch(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let lastSegments else { return false }
        var end = raw.firstIndex(of: 0x23) ?? raw.count  // '#'
        if let colon = raw[..<end].lastIndex(of: 0x3A), colon + 1 < end, raw[(colon + 1)..<end].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            end = colon
        }
        func isSlash(_ byte: UInt8) -> Bool { byte == 0x2F || byte == 0x5C }
        if end > 1, isSlash(raw[end - 1]) { end -= 1 }
        var segStart = end
        while segStart > 0, !isSlash(raw[segStart - 1]) { segStart -= 1 }
        let segment = UnsafeBufferPointer(rebasing: raw[segStart..<end])
        if segment.isEmpty || (segment.count == 1 && segment[0] == 0x2E) || (segment.count == 2 && segment[0] == 0x2E && segment[1] == 0x2E)
        {
            return false
        }
        return !lastSegments.contains(String(decoding: segment, as: UTF8.self))
    }

    private func rebaseLine(_ line: String, sourceFile: String, outputFile: String) -> String {
        // Split into code spans (kept) and prose (scanned).
        var result = ""
        var prose = ""
        var chars = Substring(line)
        while !chars.isEmpty {
            if chars.first == "`" {
                let ticks = chars.prefix { $0 == "`" }
                let afterOpen = chars.dropFirst(ticks.count)
                if let close = afterOpen.range(of: String(ticks)) {
                    result += rebaseProse(prose, sourceFile: sourceFile, outputFile: outputFile)
                    prose = ""
                    result += chars[chars.startIndex..<close.upperBound]
                    chars = chars[close.upperBound...]
                    continue
                }
                prose += ticks
                chars = afterOpen
                continue
            }
            prose.append(chars.removeFirst())
        }
        return result + rebaseProse(prose, sourceFile: sourceFile, outputFile: outputFile)
    }

    private func rebaseProse(_ prose: String, sourceFile: String, outputFile: String) -> String {
        guard !prose.isEmpty else { return prose }
        var result = ""
        var token = ""
        for ch in prose {
            if ch == " " || ch == "\t" {
                result += rebaseToken(token, sourceFile: sourceFile, outputFile: outputFile)
                token = ""
                result.append(ch)
            } else {
                token.append(ch)
            }
        }
        return result + rebaseToken(token, sourceFile: sourceFile, outputFile: outputFile)
    }

    /// Finds the reference inside one whitespace-free token and rewrites it.
    private func rebaseToken(_ token: String, sourceFile: String, outputFile: String) -> String {
        guard token.count > 1, token.containsBytes("/") || token.containsBytes("\\") || token.containsBytes(".") else { return token }
        let scalars = Array(token)
        var start = 0
        // Markdown link target `](x)` wins; otherwise skip opening wrappers.
        if let linkOpen = token.range(of: "](", options: .backwards) {
            start = token.distance(from: token.startIndex, to: linkOpen.upperBound)
        } else {
            while start < scalars.count, "([<\"'@*".contains(scalars[start]) { start += 1 }
        }
        var end = start
        while end < scalars.count, !")]>\"'*".contains(scalars[end]) { end += 1 }
        var candidate = String(scalars[start..<end])
        var trailing = ""
        while let last = candidate.last, ".,;:!?".contains(last) {
            trailing = String(last) + trailing
            candidate.removeLast()
        }
        // A bare file name in a sentence is a word, not a link (as in the byte scan).
        if start == 0, !candidate.contains("/"), !candidate.contains("\\") { return token }
        guard var rewritten = rewrite(candidate, sourceFile: sourceFile, outputFile: outputFile) else { return token }
        if !rewritten.contains("/"), candidate.contains("/") || candidate.contains("\\") { rewritten = "./" + rewritten }
        return String(scalars[0..<start]) + rewritten + trailing + String(scalars[end...])
    }

    /// Rewrites one reference, or nil when it is not a mapped project path: `resolve` (what it names), then
    /// `place` (where that is from the output file).
    func rewrite(_ raw: String, sourceFile: String, outputFile: String) -> String? {
        guard let resolution = resolve(raw, sourceFolder: dirname(sourceFile)) else { return nil }
        return place(resolution, outputFolder: dirname(outputFile))
    }

    /// The part of a reference's rewrite that does not depend on the target: the existing paths it may name,
    /// in the order they are tried, and how the result is decorated. Nil when it names no existing path.
    func resolve(_ raw: String, sourceFolder: String) -> Resolution? {
        guard !raw.isEmpty else { return nil }
        if raw.hasPrefix("//") || raw.containsBytes("://") || raw.hasPrefix("git@") { return nil }
        // ASCII without ':' or '#' (most references): no scheme and no suffix to split off.
        let plain = raw.utf8.allSatisfy { $0 < 0x80 && $0 != 0x3A && $0 != 0x23 }
        if !plain, let colon = raw.firstIndex(of: ":"), raw[..<colon].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }),
            raw[..<colon].count > 1, !raw[raw.index(after: colon)...].allSatisfy(\.isNumber)
        {
            return nil  // scheme such as mailto: or vscode:
        }
        // Split a `:<line>` or `#anchor` suffix.
        var path = raw
        var suffix = ""
        if !plain, let hash = path.firstIndex(of: "#") {
            suffix = String(path[hash...])
            path = String(path[..<hash])
        }
        if !plain, let colon = path.lastIndex(of: ":"), path[path.index(after: colon)...].allSatisfy(\.isNumber),
            path.index(after: colon) < path.endIndex
        {
            suffix = String(path[colon...]) + suffix
            path = String(path[..<colon])
        }
        let normalizedInput = path.containsBytes("\\") ? path.replacingOccurrences(of: "\\", with: "/") : path
        let trailingSlash = normalizedInput.hasSuffix("/") && normalizedInput.count > 1
        let input = trailingSlash ? String(normalizedInput.dropLast()) : normalizedInput
        guard !input.isEmpty else { return nil }
        var resolution = Resolution(candidates: [], trailingSlash: trailingSlash, suffix: suffix, dotSlash: input.hasPrefix("./"))

        // Absolute in-project path → project-relative output (nothing else is tried).
        if input.hasPrefix("/") {
            guard input.hasPrefix(projectRoot + "/") else { return nil }
            let rel = String(input.dropFirst(projectRoot.count + 1))
            guard exists(rel) else { return nil }
            resolution.candidates = [Resolution.Candidate(path: rel, relative: false)]
            return resolution
        }
        // Project-relative reference (`.agentsmesh/…`, or a target path on import); when the target does not
        // map it, the reference is read relative to the source file's folder instead.
        if !input.hasPrefix("./") && !input.hasPrefix("../") {
            let rel = normalize(input)
            if exists(rel) { resolution.candidates.append(Resolution.Candidate(path: rel, relative: false)) }
        }
        // Relative to the source file's folder → relative to the output file's folder.
        let resolved = normalize(sourceFolder + "/" + input)
        if !resolved.hasPrefix("../"), exists(resolved) {
            resolution.candidates.append(Resolution.Candidate(path: resolved, relative: true))
        }
        return resolution.candidates.isEmpty ? nil : resolution
    }

    /// The rewritten reference for an output file in `outputFolder`: the first candidate the target maps.
    func place(_ resolution: Resolution, outputFolder: String) -> String? {
        for candidate in resolution.candidates {
            guard let mapped = map(candidate.path) else { continue }
            var placed = mapped
            if candidate.relative {
                placed = relativePath(from: outputFolder, to: mapped)
                if resolution.dotSlash && !placed.hasPrefix("../") && !placed.hasPrefix("./") { placed = "./" + placed }
            }
            return placed + (resolution.trailingSlash ? "/" : "") + resolution.suffix
        }
        return nil
    }

    func dirname(_ path: String) -> String {
        if path.utf8.allSatisfy({ $0 < 0x80 }) {
            guard let slash = path.utf8.lastIndex(of: 0x2F) else { return "" }
            return String(path[..<slash])
        }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// Collapses `.` and `..` segments of a relative path (a leading `..` that escapes is kept).
    func normalize(_ path: String) -> String {
        if Self.isNormal(path) { return path }
        return normalizeSegments(path)
    }

    /// True when `normalizeSegments` would return `path` unchanged: no empty, `.` or `..` segment and no
    /// leading or trailing slash.
    static func isNormal(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { u in
            guard let first = u.first, let last = u.last, first != 0x2F, last != 0x2F else { return u.isEmpty }
            var segmentStart = 0
            for i in 0...u.count {
                guard i == u.count || u[i] == 0x2F else { continue }
                let length = i - segmentStart
                if length == 0 { return false }
                if u[segmentStart] == 0x2E && (length == 1 || (length == 2 && u[segmentStart + 1] == 0x2E)) { return false }
                segmentStart = i + 1
            }
            return true
        }
    }

    /// The segment-by-segment normalisation (on bytes for ASCII paths: there each byte is a `Character`).
    func normalizeSegments(_ path: String) -> String {
        if let fast = Self.normalizeASCII(path) { return fast }
        return normalizeCharacters(path)
    }

    /// `normalizeCharacters` for ASCII paths, on bytes; nil for other paths.
    static func normalizeASCII(_ path: String) -> String? {
        var path = path
        return path.withUTF8 { u -> String? in
            guard !u.contains(where: { $0 >= 0x80 }) else { return nil }
            var parts: [Range<Int>] = []
            var start = 0
            for i in 0...u.count where i == u.count || u[i] == 0x2F {
                defer { start = i + 1 }
                let length = i - start
                if length == 0 || (length == 1 && u[start] == 0x2E) { continue }
                let isUp = length == 2 && u[start] == 0x2E && u[start + 1] == 0x2E
                if isUp, let last = parts.last, !(last.count == 2 && u[last.lowerBound] == 0x2E && u[last.lowerBound + 1] == 0x2E) {
                    parts.removeLast()
                } else {
                    parts.append(start..<i)
                }
            }
            var out: [UInt8] = []
            out.reserveCapacity(u.count)
            for (index, part) in parts.enumerated() {
                if index > 0 { out.append(0x2F) }
                out.append(contentsOf: u[part])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The segment walk on `Character`s (any path).
    func normalizeCharacters(_ path: String) -> String {
        var parts: [Substring] = []
        for segment in path.split(separator: "/") {
            if segment == "." || segment.isEmpty { continue }
            if segment == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else {
                parts.append(segment)
            }
        }
        return parts.joined(separator: "/")
    }

    /// `to` expressed relative to the folder `from` (both project-relative).
    func relativePath(from folder: String, to target: String) -> String {
        if let fast = Self.relativePathASCII(from: folder, to: target) { return fast }
        return relativePathCharacters(from: folder, to: target)
    }

    /// `relativePathCharacters` for ASCII paths, on bytes; nil for other paths.
    static func relativePathASCII(from folder: String, to target: String) -> String? {
        guard folder.utf8.allSatisfy({ $0 < 0x80 }), target.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        func segments(_ text: String) -> [Substring.UTF8View] {
            text.utf8.split(separator: 0x2F).map { Substring($0).utf8 }
        }
        let a = segments(folder)
        let b = segments(target)
        var common = 0
        while common < a.count, common < b.count - 1, a[common].elementsEqual(b[common]) { common += 1 }
        var out: [UInt8] = []
        for _ in 0..<(a.count - common) {
            if !out.isEmpty { out.append(0x2F) }
            out.append(0x2E)
            out.append(0x2E)
        }
        for segment in b[common...] {
            if !out.isEmpty { out.append(0x2F) }
            out.append(contentsOf: segment)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The segment comparison on `Character`s (any path).
    func relativePathCharacters(from folder: String, to target: String) -> String {
        let a = folder.split(separator: "/")
        let b = target.split(separator: "/")
        var common = 0
        while common < a.count, common < b.count - 1, a[common] == b[common] { common += 1 }
        let ups = Array(repeating: "..", count: a.count - common)
        return (ups + b[common...].map(String.init)).joined(separator: "/")
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring { drop { $0 == " " || $0 == "\t" } }
}

/// Where references sit in texts and what they resolve to (`LinkRebaser.scan`), memoised per source file for
/// rebasers that agree on `projectRoot`, `exists` and `lastSegments`: the forward rebasers of one canonical
/// project (one per target) scan and resolve each body once; only `place` is per target.
/// A text is found again by its source file and bytes.
public final class ReferenceScans: @unchecked Sendable {
    /// A range of the text a rewrite may replace.
    public enum Piece: Sendable, Equatable {
        /// A reference in ASCII prose (byte offsets `start..<end`) naming an existing path.
        case reference(start: Int, end: Int, resolution: LinkRebaser.Resolution)
        /// A whole non-ASCII prose line, rebased at `Character` level.
        case prose(start: Int, end: Int)
    }

    private let lock = NSLock()
    private var scanned: [String: [(text: [UInt8], pieces: [Piece])]] = [:]
    /// Texts answered from the scan of their untrimmed form (for tests).
    private(set) var trimmedReuses = 0

    /// The last-segment filter of the paths it was last asked for (see `lastSegments(of:)`).
    private var segments: (paths: Set<String>, segments: Set<String>)?

    public init() {}

    /// The last `/`-segments of `paths` (a rebaser's `lastSegments`), computed once for the paths asked for
    /// again (every target of one canonical project asks for the same).
    public func lastSegments(of paths: Set<String>) -> Set<String> {
        lock.lock()
        let known = segments
        lock.unlock()
        if let known, known.paths == paths { return known.segments }
        let computed = Self.lastSegments(of: paths)
        lock.lock()
        segments = (paths, computed)
        lock.unlock()
        return computed
    }

    public static func lastSegments(of paths: Set<String>) -> Set<String> {
        var segments = Set<String>()
        for path in paths {
            segments.insert(path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[path.index(after: $0)...]) } ?? path)
        }
        return segments
    }

    /// The pieces of `bytes` written in `sourceFile`, scanned by `scan` the first time.
    func pieces(of bytes: UnsafeBufferPointer<UInt8>, sourceFile: String, scan: (UnsafeBufferPointer<UInt8>) -> [Piece]) -> [Piece] {
        lock.lock()
        let stored = scanned[sourceFile] ?? []
        lock.unlock()
        if let known = stored.first(where: { Self.same($0.text, bytes) }) { return known.pieces }
        for entry in stored {
            if let pieces = Self.trimmed(entry, bytes) {
                lock.lock()
                trimmedReuses += 1
                lock.unlock()
                return pieces
            }
        }
        let pieces = scan(bytes)
        lock.lock()
        scanned[sourceFile, default: []].append((Array(bytes), pieces))
        lock.unlock()
        return pieces
    }

    /// The pieces of `bytes` when it is `entry`'s text without its leading empty lines and trailing blanks
    /// (a projector's trimmed body): removing whole empty lines in front changes no line's scan, and
    /// trailing blanks hold no reference (a non-ASCII line piece is clipped to the text). Nil otherwise.
    static func trimmed(_ entry: (text: [UInt8], pieces: [Piece]), _ bytes: UnsafeBufferPointer<UInt8>) -> [Piece]? {
        let text = entry.text
        guard let base = bytes.baseAddress, text.count > bytes.count else { return nil }
        var lead = 0
        while lead < text.count, text[lead] == 0x0A { lead += 1 }
        guard lead + bytes.count <= text.count,
            text.withUnsafeBufferPointer({ memcmp($0.baseAddress! + lead, base, bytes.count) == 0 }),
            text[(lead + bytes.count)...].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A })
        else { return nil }
        return entry.pieces.compactMap { piece -> Piece? in
            switch piece {
            case .reference(let start, let end, let resolution):
                return end - lead <= bytes.count ? .reference(start: start - lead, end: end - lead, resolution: resolution) : nil
            case .prose(let start, let end):
                return start - lead < bytes.count ? .prose(start: start - lead, end: min(end - lead, bytes.count)) : nil
            }
        }
    }

    static func same(_ stored: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard stored.count == bytes.count else { return false }
        guard let base = bytes.baseAddress else { return true }
        return stored.withUnsafeBufferPointer { memcmp($0.baseAddress!, base, bytes.count) == 0 }
    }
}
