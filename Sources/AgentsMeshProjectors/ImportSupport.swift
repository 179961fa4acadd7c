internal import AgentsMeshCanonical
internal import AgentsMeshKit
internal import Foundation
internal import SharedCore

/// Reading helpers shared by the importers.
struct NativeReader {
    let root: String

    func exists(_ rel: String) -> Bool { FileSystem.exists(root + "/" + rel) }

    func text(_ rel: String) throws(ToolError) -> String? {
        guard FileSystem.kind(root + "/" + rel) == .file else { return nil }
        return String(decoding: try FileSystem.read(root + "/" + rel, displayPath: rel), as: UTF8.self)
    }

    func bytes(_ rel: String) throws(ToolError) -> [UInt8]? {
        guard FileSystem.kind(root + "/" + rel) == .file else { return nil }
        return try FileSystem.read(root + "/" + rel, displayPath: rel)
    }

    func document(_ rel: String) throws(ToolError) -> MarkdownDocument? {
        guard let text = try text(rel) else { return nil }
        return try Frontmatter.parse(text, path: rel)
    }

    /// A native Markdown file read the way the tools read it. When the frontmatter is not valid YAML (Cursor
    /// writes `globs: **/*.ts` unquoted, which YAML reads as an alias; Claude's docs write
    /// `argument-hint: [pr] [focus]`), its `key: value` lines are taken as plain strings. Only a file that is
    /// not even that is a failure: recorded in `result.failures` (one run reports every bad file), `nil` returned.
    func document(_ rel: String, result: inout ImportResult) throws(ToolError) -> MarkdownDocument? {
        guard let text = try text(rel) else { return nil }
        do {
            return try Frontmatter.parse(text, path: rel)
        } catch  where error.code == ErrorCode.validationFailed {
            if let lenient = Self.plainFrontmatter(text) {
                result.warnings.append(
                    Diagnostic(
                        code: "FRONTMATTER_LENIENT",
                        message:
                            "\(rel): frontmatter is not valid YAML (\(error.message)); its lines were read as plain `key: value` strings, as the tool reads them",
                        path: rel))
                return lenient
            }
            result.failures.append(error)
            return nil
        }
    }

    /// The tools' own reading of a frontmatter block that is not valid YAML: top-level `key: value` lines
    /// with plain-string values (`true`/`false` as booleans), a key with no value followed by `- item` lines
    /// as a list. `nil` when the block has any other shape (nested mappings are YAML's business).
    static func plainFrontmatter(_ text: String) -> MarkdownDocument? {
        let lines = text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "---", let close = lines.dropFirst().firstIndex(of: "---") else { return nil }
        var frontmatter = JSONObject()
        var listKey: String?
        func plain(_ raw: Substring) -> String {
            var value = String(raw).trimmedWhitespace()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            return value
        }
        for line in lines[1..<close] where !String(line).trimmedWhitespace().isEmpty && !line.hasPrefix("#") {
            if line.first == " " || line.first == "\t" || line.first == "-" {
                let item = line.drop { $0 == " " || $0 == "\t" }
                guard let key = listKey, item.hasPrefix("- ") || item == "-" else { return nil }
                var list = frontmatter[key]?.arrayValue ?? []
                list.append(.string(plain(item.dropFirst())))
                frontmatter[key] = .array(list)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let key = String(line[..<colon])
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else { return nil }
            let value = plain(line[line.index(after: colon)...])
            listKey = nil
            switch value {
            case "": listKey = key
            case "true": frontmatter[key] = .bool(true)
            case "false": frontmatter[key] = .bool(false)
            default: frontmatter[key] = .string(value)
            }
        }
        let body = lines[(close + 1)...].joined(separator: "\n")
        return MarkdownDocument(frontmatter: frontmatter, hasFrontmatter: true, body: body)
    }

    /// Files below a folder (relative to it) with a suffix, sorted.
    func files(in folder: String, suffix: String) -> [String] {
        FileSystem.walkFiles(root + "/" + folder).filter { $0.hasSuffix(suffix) }
    }

    /// A JSON object file, or nil when missing; invalid JSON is `VALIDATION_FAILED`.
    func json(_ rel: String) throws(ToolError) -> JSONObject? {
        guard let bytes = try bytes(rel) else { return nil }
        return try JSONParser.parse(bytes: bytes, path: rel).objectValue
    }

    /// A JSON object file; invalid JSON is recorded in `result.failures` (reported with every other bad file).
    func json(_ rel: String, result: inout ImportResult) throws(ToolError) -> JSONObject? {
        do {
            return try json(rel)
        } catch  where error.code == ErrorCode.validationFailed {
            result.failures.append(error)
            return nil
        }
    }

    /// The root instruction files of every tool: generate overwrites them, so an include of one from
    /// another is followed on import instead of being kept (it would include itself once generated).
    static let rootFiles = ["AGENTS.md", "CLAUDE.md", "GEMINI.md", ".claude/CLAUDE.md", ".cursorrules"]

    /// Reads a root instruction file for import: CRLF normalised, contract block stripped, `@file`
    /// includes of other root files followed (see `followIncludes`). `nil` when the file is missing.
    func rootText(_ rel: String, result: inout ImportResult) throws(ToolError) -> String? {
        guard let text = try text(rel) else { return nil }
        let body = ManagedBlocks.strip("root-generation-contract", from: text.replacingCRLF())
        return try followIncludes(body, in: rel, result: &result, seen: [rel])
    }

    /// Resolves `@AGENTS.md`-style includes of other root files. A line that is only the include (a list
    /// marker allowed) is replaced by the included text; an include inside a sentence keeps the file name
    /// as plain text and the included text is merged after it. Either way the include is gone, so the
    /// generated root files never include themselves, and a warning says what happened.
    func followIncludes(_ body: String, in rel: String, result: inout ImportResult, seen: Set<String>) throws(ToolError) -> String {
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var appended: [String] = []
        var inFence: (char: Character, count: Int)?
        for index in lines.indices {
            let line = Substring(lines[index])
            if let open = inFence {
                if MarkdownMerge.closes(line, open) { inFence = nil }
                continue
            }
            if let open = MarkdownMerge.fence(line) {
                inFence = open
                continue
            }
            for target in Self.rootFiles where target != rel {
                let tokens = ["@" + target, "@./" + target]
                guard let token = tokens.first(where: { Self.containsToken(lines[index], $0) }) else { continue }
                guard !seen.contains(target), let included = try text(target) else {
                    // A cycle or a missing file: the include is made plain text, never left to include itself.
                    lines[index] = Self.replacingToken(lines[index], token, with: target)
                    continue
                }
                var nested = ManagedBlocks.strip("root-generation-contract", from: included.replacingCRLF())
                nested = try followIncludes(nested, in: target, result: &result, seen: seen.union([target]))
                let bare = lines[index].trimmedWhitespace()
                let marker = ["", "- ", "* ", "+ "].first { bare == $0 + token }
                if marker != nil {
                    lines[index] = nested
                } else {
                    lines[index] = Self.replacingToken(lines[index], token, with: target)
                    appended.append(nested)
                }
                result.rootSources.append(target)
                result.warnings.append(
                    Diagnostic(
                        code: "ROOT_INCLUDE_FOLLOWED",
                        message:
                            "\(rel) includes \(token); its text is now part of the root rule (the generated \(target) holds the root rule, so the include would point at itself)",
                        path: rel))
            }
        }
        var text = lines.joined(separator: "\n").trimmedWhitespace()
        for extra in appended { text = MarkdownMerge.merge(existing: text, imported: extra.trimmedWhitespace()) }
        return text
    }

    /// Whether `token` occurs in `line` as a whole reference (not followed by more path characters).
    static func containsToken(_ line: String, _ token: String) -> Bool { !tokenRanges(line, token).isEmpty }

    static func tokenRanges(_ line: String, _ token: String) -> [Range<String.Index>] {
        var out: [Range<String.Index>] = []
        var search = line.startIndex..<line.endIndex
        while let range = line.range(of: token, range: search) {
            let before = range.lowerBound == line.startIndex ? nil : line[line.index(before: range.lowerBound)]
            let after = range.upperBound == line.endIndex ? nil : line[range.upperBound]
            let boundaryBefore = before.map { !($0.isLetter || $0.isNumber || $0 == "/" || $0 == ".") } ?? true
            let boundaryAfter = after.map { !($0.isLetter || $0.isNumber || $0 == "/" || $0 == "_" || $0 == "-") } ?? true
            if boundaryBefore && boundaryAfter { out.append(range) }
            search = range.upperBound..<line.endIndex
        }
        return out
    }

    static func replacingToken(_ line: String, _ token: String, with replacement: String) -> String {
        var out = line
        for range in tokenRanges(line, token).reversed() { out.replaceSubrange(range, with: replacement) }
        return out
    }

    /// Merges a root text into the import's root rule (creating it), block by block.
    func mergeRoot(_ body: String, from rel: String, rebaser: LinkRebaser, result: inout ImportResult) {
        let rebased = rebaser.rebase(body, from: rel, to: ".agentsmesh/rules/_root.md").trimmedWhitespace()
        result.rootSources.append(rel)
        if let index = result.project.rules.firstIndex(where: \.isRoot) {
            result.project.rules[index].body = MarkdownMerge.merge(
                existing: result.project.rules[index].body.trimmedWhitespace(), imported: rebased)
        } else {
            result.project.rules.insert(
                Rule(name: "_root", path: "rules/_root.md", isRoot: true, frontmatter: ["root": true], body: rebased), at: 0)
            result.sources["rules/_root.md"] = rel
        }
    }

    /// An inverse rebaser: native paths that exist map back to `.agentsmesh/…`.
    func rebaser(_ map: @escaping @Sendable (String) -> String?) -> LinkRebaser {
        let root = self.root
        return LinkRebaser(projectRoot: root, exists: { FileSystem.exists(root + "/" + $0) }, map: map)
    }

    /// Skills under a folder: each sub-folder with SKILL.md plus its other files.
    func skills(in folder: String, unprefix heading: String?, rebaser: LinkRebaser, result: inout ImportResult) throws(ToolError) {
        for name in FileSystem.list(root + "/" + folder).sorted(by: FileSystem.byteOrder) {
            let native = "\(folder)/\(name)"
            switch FileSystem.kind(root + "/" + native) {
            case .directory: break
            case .symlink:
                // A linked skill folder (shared between tools) is followed while it stays inside the project.
                guard let real = FileSystem.realPath(root + "/" + native), FileSystem.isDirectory(real) else {
                    result.skip("skill", name, path: native, reason: "symbolic link to a folder that does not exist")
                    continue
                }
                guard let projectRoot = FileSystem.realPath(root), FileSystem.isInside(real, projectRoot) else {
                    result.skip("skill", name, path: native, reason: "symbolic link to a folder outside the project (not followed)")
                    continue
                }
                result.followedLinks.append(native)
            default: continue
            }
            let skillPath = "\(native)/SKILL.md"
            guard FileSystem.exists(root + "/" + skillPath) else {
                if !FileSystem.list(root + "/" + native).isEmpty {
                    result.skip("skill", name, path: native, reason: "no SKILL.md in the folder")
                }
                continue
            }
            guard let document = try document(skillPath, result: &result) else { continue }
            var files: [SkillFile] = []
            var links: [String] = []
            for rel in FileSystem.walkFiles(root + "/" + native, skipped: { links.append($0) }) where rel != "SKILL.md" {
                if let bytes = try bytes("\(native)/\(rel)") {
                    files.append(SkillFile(path: rel, bytes: bytes))
                    result.sources["skills/\(name)/\(rel)"] = "\(native)/\(rel)"
                }
            }
            for link in links {
                result.skip(
                    "skill file", "\(name)/\(link)", path: "\(native)/\(link)", reason: "symbolic link inside a skill folder (not followed)"
                )
            }
            var body = rebaser.rebase(document.body.trimmedWhitespace(), from: skillPath, to: ".agentsmesh/skills/\(name)/SKILL.md")
            if let heading { body = ProjectionSupport.unprefixed(body, heading: heading) }
            var fm = document.frontmatter
            fm["name"] = nil
            var skill = EntityParsing.skill(
                name: name, document: MarkdownDocument(frontmatter: fm, hasFrontmatter: true, body: body), files: files)
            skill.frontmatter = fm
            result.project.skills.append(skill)
            result.sources["skills/\(name)/SKILL.md"] = skillPath
        }
    }

    /// Commands below a folder (`.md`), names from sub-folders joined with `:`.
    func markdownCommands(in folder: String, rebaser: LinkRebaser, result: inout ImportResult) throws(ToolError) {
        for rel in files(in: folder, suffix: ".md") {
            guard let document = try document("\(folder)/\(rel)", result: &result) else { continue }
            let inner = String(rel.dropLast(3))
            let name = inner.split(separator: "/").joined(separator: ":")
            let body = rebaser.rebase(document.body.trimmedWhitespace(), from: "\(folder)/\(rel)", to: ".agentsmesh/commands/\(rel)")
            var command = EntityParsing.command(
                name: name, path: "commands/\(rel)",
                document: MarkdownDocument(frontmatter: document.frontmatter, hasFrontmatter: true, body: body))
            command.frontmatter["allowed-tools"] = nil
            command.frontmatter["allowedTools"] = nil
            result.project.commands.append(command)
            result.sources["commands/\(rel)"] = "\(folder)/\(rel)"
        }
    }

    /// The ignore file, if it has patterns.
    func ignore(_ rels: [String]) throws(ToolError) -> IgnoreFile? {
        var lines: [String] = []
        for rel in rels {
            guard let text = try text(rel) else { continue }
            for line in text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if line.isEmpty || !lines.contains(line) { lines.append(line) }
            }
        }
        while lines.last == "" { lines.removeLast() }
        let file = IgnoreFile(text: lines.joined(separator: "\n") + "\n")
        return file.patterns.isEmpty ? nil : file
    }
}

/// Canonical names for native files in nested folders: a file keeps its basename unless another file of
/// the same feature has that basename too; then its folders are joined to it with `-`
/// (`.cursor/rules/frontend/style.mdc` → `frontend-style`), so both are kept and every run names them alike.
enum NestedNames {
    /// `paths` are relative to the feature folder, without extension, in walk order.
    static func names(for paths: [String]) -> [String] {
        var basenameCount: [String: Int] = [:]
        for path in paths { basenameCount[lastSegment(path), default: 0] += 1 }
        // Folders are joined only for basenames that repeat; a joined name that still repeats gets `-2`, `-3`.
        let preferred = paths.map { path -> String in
            let base = lastSegment(path)
            return (basenameCount[base] ?? 0) > 1 && path.contains("/") ? path.split(separator: "/").joined(separator: "-") : base
        }
        var used: Set<String> = []
        var out: [String] = []
        for name in preferred {
            var candidate = name
            var counter = 2
            while used.contains(candidate) {
                candidate = "\(name)-\(counter)"
                counter += 1
            }
            used.insert(candidate)
            out.append(candidate)
        }
        return out
    }
}

/// Maps a native path prefix back to a canonical one.
struct PathTable: Sendable {
    /// (native prefix or exact file, canonical prefix or exact file, exact match?)
    var entries: [(native: String, canonical: String, exact: Bool)]

    func canonical(_ native: String) -> String? {
        for entry in entries {
            if entry.exact {
                if native == entry.native { return entry.canonical }
            } else if native.hasPrefix(entry.native + "/") {
                return entry.canonical + "/" + native.dropFirst(entry.native.count + 1)
            }
        }
        return nil
    }
}
