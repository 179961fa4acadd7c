internal import SharedCore

/// Turns the trigger arguments of `lessons add` into graph triggers, deciding which are live (§6.6):
/// capture errors throw; dead or pending triggers become warnings.
struct TriggerCapture {
    /// One trigger of the request.
    struct Captured {
        var trigger: LessonTrigger
        /// Whether it can recall the lesson now or later.
        var live: Bool
        /// Whether it is written into the graph (patterns outside the subset are not).
        var store: Bool
    }

    /// Files visited at most when the project is not a git work tree.
    static let walkLimit = 50_000
    static let skippedFolders: Set<String> = [".git", "node_modules", ".build", ".agentsmesh"]

    let root: String
    var triggers: [Captured] = []
    var warnings: [LessonsWarning] = []
    private var knownFiles: [String]?

    init(root: String) { self.root = root }

    mutating func run(_ input: LessonsAddInput) throws(ToolError) {
        for raw in input.triggerFiles { try addGlob(raw) }
        for raw in input.triggerCommands { addCommand(raw) }
        for raw in input.triggerKeywords { addKeyword(raw) }
    }

    // MARK: File globs

    private mutating func addGlob(_ raw: String) throws(ToolError) {
        let text = raw.trimmingWhitespace
        let negated = text.hasPrefix("!")
        let body = try normalise(negated ? String(text.dropFirst()) : text, original: raw)
        let source = (negated ? "!" : "") + body
        let pattern: GlobPattern
        do {
            pattern = try GlobPattern(source)
        } catch {
            throw ToolError(
                LessonsErrorCode.unsafeGlobPattern, "trigger file '\(raw)' is outside the safe glob subset: \(error.message)",
                details: ["pattern": .string(raw)])
        }
        let trigger = LessonTrigger(kind: .fileGlob, pattern: source)
        if negated {
            triggers.append(Captured(trigger: trigger, live: true, store: true))
            return
        }
        if let literal = pattern.literal {
            switch FileSystem.kind(root + "/" + literal) {
            case .directory:
                throw ToolError(
                    LessonsErrorCode.triggerFileIsDirectory,
                    "trigger file '\(literal)' is a folder; use '\(literal)/**' to match the files inside it",
                    details: ["pattern": .string(raw)])
            case .missing:
                triggers.append(Captured(trigger: trigger, live: pendingOrDead(pattern, parent: parentFolder(literal)), store: true))
            default:
                triggers.append(Captured(trigger: trigger, live: true, store: true))
            }
            return
        }
        let files = projectFiles()
        if files.contains(where: { pattern.matches($0) }) {
            triggers.append(Captured(trigger: trigger, live: true, store: true))
        } else {
            triggers.append(Captured(trigger: trigger, live: pendingOrDead(pattern, parent: pattern.literalParent), store: true))
        }
    }

    /// Records `PENDING_GLOB` (the folder the files would land in exists) or `DEAD_GLOB`; returns liveness.
    private mutating func pendingOrDead(_ pattern: GlobPattern, parent: String) -> Bool {
        if parent.isEmpty || FileSystem.isDirectory(root + "/" + parent) {
            warnings.append(
                LessonsWarning(
                    code: LessonsErrorCode.pendingGlob,
                    message:
                        "'\(pattern.source)' matches no file yet; its folder \(parent.isEmpty ? "(the project root)" : "'\(parent)/'") exists, so it will recall once files appear",
                    pattern: pattern.source))
            return true
        }
        warnings.append(
            LessonsWarning(
                code: LessonsErrorCode.deadGlob,
                message: "'\(pattern.source)' matches no tracked file and its folder '\(parent)/' does not exist; check the path",
                pattern: pattern.source))
        return false
    }

    private func parentFolder(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// Project-relative form of a trigger path: absolute paths must lie inside the project, `./` is dropped,
    /// `..` may not climb out of the project.
    private func normalise(_ text: String, original: String) throws(ToolError) -> String {
        var body = text
        if body.hasPrefix("/") {
            let resolved = LessonsService.resolveLexically(body)
            let real = FileSystem.realPath(root) ?? root
            if resolved == root || resolved == real {
                throw rootError(original)
            }
            if resolved.hasPrefix(real + "/") {
                body = String(resolved.dropFirst(real.count + 1))
            } else if resolved.hasPrefix(root + "/") {
                body = String(resolved.dropFirst(root.count + 1))
            } else {
                throw ToolError(
                    LessonsErrorCode.triggerFileOutsideProject, "trigger file '\(original)' is outside the project",
                    details: ["pattern": .string(original)])
            }
        }
        var segments: [Substring] = []
        for segment in body.split(separator: "/", omittingEmptySubsequences: false) {
            switch segment {
            case ".": continue
            case "..":
                guard segments.popLast() != nil else {
                    throw ToolError(
                        LessonsErrorCode.triggerFileOutsideProject, "trigger file '\(original)' climbs out of the project",
                        details: ["pattern": .string(original)])
                }
            default: segments.append(segment)
            }
        }
        let joined = segments.joined(separator: "/")
        if joined.isEmpty { throw rootError(original) }
        return joined
    }

    private func rootError(_ original: String) -> ToolError {
        ToolError(
            LessonsErrorCode.triggerFileIsProjectRoot,
            "trigger file '\(original)' names the project root; use a narrower glob such as 'src/**'",
            details: ["pattern": .string(original)])
    }

    /// Tracked files from the git index, else a bounded walk of the project.
    private mutating func projectFiles() -> [String] {
        if let knownFiles { return knownFiles }
        let files =
            GitIndex.with(containing: root) { $0.trackedPaths(under: root) }
            ?? TriggerCapture.walk(root, limit: TriggerCapture.walkLimit)
        knownFiles = files
        return files
    }

    static func walk(_ root: String, limit: Int) -> [String] {
        var out: [String] = []
        var pending = [""]
        while let relative = pending.popLast(), out.count < limit {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            for name in FileSystem.list(absolute) {
                let child = relative.isEmpty ? name : relative + "/" + name
                switch FileSystem.kind(absolute + "/" + name) {
                case .file: out.append(child)
                case .directory where !skippedFolders.contains(name): pending.append(child)
                default: break
                }
            }
        }
        return out
    }

    // MARK: Commands and keywords

    private mutating func addCommand(_ raw: String) {
        let trigger = LessonTrigger(kind: .commandPattern, pattern: raw)
        do throws(CommandPattern.SyntaxError) {
            guard !raw.isEmpty else { throw CommandPattern.SyntaxError(message: "empty pattern") }
            _ = try CommandPattern(raw)
            triggers.append(Captured(trigger: trigger, live: true, store: true))
        } catch {
            warnings.append(
                LessonsWarning(
                    code: LessonsErrorCode.deadCommandPattern,
                    message: "command pattern '\(raw)' is outside the regex subset (\(error.message)); it was not stored",
                    pattern: raw))
            triggers.append(Captured(trigger: trigger, live: false, store: false))
        }
    }

    private mutating func addKeyword(_ raw: String) {
        let text = raw.trimmingWhitespace
        let trigger = LessonTrigger(kind: .keyword, pattern: text)
        if Tokenizer.tokens(text).isEmpty {
            warnings.append(
                LessonsWarning(
                    code: LessonsErrorCode.deadKeyword,
                    message: "keyword '\(raw)' has no searchable word (stopwords and single characters are ignored); it was not stored",
                    pattern: raw))
            triggers.append(Captured(trigger: trigger, live: false, store: false))
        } else {
            triggers.append(Captured(trigger: trigger, live: true, store: true))
        }
    }
}
