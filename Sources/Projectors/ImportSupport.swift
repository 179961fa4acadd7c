import Canonical
import MeshKit

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

    /// Files below a folder (relative to it) with a suffix, sorted.
    func files(in folder: String, suffix: String) -> [String] {
        FileSystem.walkFiles(root + "/" + folder).filter { $0.hasSuffix(suffix) }
    }

    /// A JSON object file, or nil when missing; invalid JSON is `VALIDATION_FAILED`.
    func json(_ rel: String) throws(ToolError) -> JSONObject? {
        guard let bytes = try bytes(rel) else { return nil }
        return try JSONParser.parse(bytes: bytes, path: rel).objectValue
    }

    /// An inverse rebaser: native paths that exist map back to `.agentsmesh/…`.
    func rebaser(_ map: @escaping @Sendable (String) -> String?) -> LinkRebaser {
        let root = self.root
        return LinkRebaser(projectRoot: root, exists: { FileSystem.exists(root + "/" + $0) }, map: map)
    }

    /// Skills under a folder: each sub-folder with SKILL.md plus its other files.
    func skills(in folder: String, unprefix heading: String?, rebaser: LinkRebaser, result: inout ImportResult) throws(ToolError) {
        for name in FileSystem.list(root + "/" + folder) where FileSystem.kind(root + "/" + folder + "/" + name) == .directory {
            let skillPath = "\(folder)/\(name)/SKILL.md"
            guard let document = try document(skillPath) else { continue }
            var files: [SkillFile] = []
            for rel in FileSystem.walkFiles(root + "/" + folder + "/" + name) where rel != "SKILL.md" {
                if let bytes = try bytes("\(folder)/\(name)/\(rel)") { files.append(SkillFile(path: rel, bytes: bytes)) }
            }
            var body = rebaser.rebase(document.body.trimmedWhitespace(), from: skillPath, to: ".agentsmesh/skills/\(name)/SKILL.md")
            if let heading { body = ProjectionSupport.unprefixed(body, heading: heading) }
            var fm = document.frontmatter
            fm["name"] = nil
            var skill = EntityParsing.skill(name: name, document: MarkdownDocument(frontmatter: fm, hasFrontmatter: true, body: body), files: files)
            skill.frontmatter = fm
            result.project.skills.append(skill)
            result.sources["skills/\(name)/SKILL.md"] = skillPath
        }
    }

    /// Commands below a folder (`.md`), names from sub-folders joined with `:`.
    func markdownCommands(in folder: String, rebaser: LinkRebaser, result: inout ImportResult) throws(ToolError) {
        for rel in files(in: folder, suffix: ".md") {
            guard let document = try document("\(folder)/\(rel)") else { continue }
            let inner = String(rel.dropLast(3))
            let name = inner.split(separator: "/").joined(separator: ":")
            let body = rebaser.rebase(document.body.trimmedWhitespace(), from: "\(folder)/\(rel)", to: ".agentsmesh/commands/\(rel)")
            var command = EntityParsing.command(name: name, path: "commands/\(rel)", document: MarkdownDocument(frontmatter: document.frontmatter, hasFrontmatter: true, body: body))
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
