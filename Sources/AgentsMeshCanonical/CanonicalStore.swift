internal import AgentsMeshKit
public import SharedCore

/// The result of loading a project's canonical folder.
public struct LoadedCanonical: Sendable {
    public var project: CanonicalProject
    /// Lockfile checksums: path relative to `.agentsmesh/` → `sha256:<hex>`.
    public var checksums: [String: String]
    public var warnings: [Diagnostic]
    /// Installed pack name → content hash (for the lockfile).
    public var packs: [String: String] = [:]
}

/// Loading and validation of `.agentsmesh/` (§2).
public enum CanonicalStore {
    public static let folder = ".agentsmesh"

    /// Loads the canonical tree below `root/.agentsmesh`. Syntax errors are fatal (`VALIDATION_FAILED`),
    /// name violations give `INVALID_NAME`.
    public static func load(root: String) throws(ToolError) -> LoadedCanonical {
        try load(canonicalRoot: root + "/" + folder, displayPrefix: folder + "/")
    }

    /// Loads a canonical layout rooted at `canonicalRoot` (also used for packs and staged trees).
    /// With `broken` set, a file that fails to parse or breaks a name rule is reported and skipped
    /// instead of failing the load (used for third-party packs).
    public static func load(
        canonicalRoot base: String, displayPrefix: String, broken: ((_ path: String, _ reason: String) -> Void)? = nil
    ) throws(ToolError) -> LoadedCanonical {
        var project = CanonicalProject()
        func guarded(_ rel: String, _ body: () throws(ToolError) -> Void) throws(ToolError) {
            do {
                try body()
            } catch {
                guard let broken else { throw error }
                broken(rel, error.message)
            }
        }
        var checksums: [String: String] = [:]
        var warnings: [Diagnostic] = []

        // Markdown entities are read, hashed and parsed up front on all cores; the loops below consume the
        // results in their own order, so errors, warnings and `broken` reports come out as if read serially.
        var prefetched: [String: Prefetched] = [:]
        func read(_ rel: String) throws(ToolError) -> [UInt8] {
            if let early = prefetched[rel] {
                let bytes = try early.bytes.get()
                checksums[rel] = early.checksum
                return bytes
            }
            let bytes = try FileSystem.read(base + "/" + rel, displayPath: displayPrefix + rel)
            checksums[rel] = SHA256.tagged(bytes)
            return bytes
        }
        func document(_ rel: String, _ bytes: [UInt8]) throws(ToolError) -> MarkdownDocument {
            if let early = prefetched[rel]?.document { return try early.get() }
            return try Frontmatter.parse(String(decoding: bytes, as: UTF8.self), path: displayPrefix + rel)
        }
        func isTemplate(_ rel: String) -> Bool {
            rel.split(separator: "/").dropFirst().contains { $0.hasPrefix("_") } && rel != "rules/_root.md"
        }
        /// The feature's Markdown files and the warnings for symlinks skipped while listing them.
        func markdownFiles(_ feature: String) -> (files: [String], skipped: [Diagnostic]) {
            var skippedLinks: [Diagnostic] = []
            let files = FileSystem.walkFiles(base + "/" + feature) { skipped in
                skippedLinks.append(
                    Diagnostic(
                        code: "SYMLINK_SKIPPED", message: "symlink \(displayPrefix)\(feature)/\(skipped) is not followed",
                        path: displayPrefix + feature + "/" + skipped))
            }
            .filter { $0.hasSuffix(".md") }.map { feature + "/" + $0 }
            return (files, skippedLinks)
        }

        let listings = ["rules", "commands", "agents"].map { markdownFiles($0) }
        let entityFiles = listings.map { $0.files.filter { !isTemplate($0) } }
        // Skill folders are walked on all cores too; their files join the prefetch.
        let skillNames = FileSystem.list(base + "/skills").filter { !$0.hasPrefix("_") }
        let skillListings = Parallel.transform(skillNames, grain: 4) { name -> SkillListing? in
            let dir = base + "/skills/" + name
            guard FileSystem.kind(dir) == .directory else { return nil }
            var skipped: [String] = []
            let files = FileSystem.walkFiles(dir) { skipped.append($0) }
            return SkillListing(name: name, files: files, skippedLinks: skipped)
        }
        var jobs: [PrefetchJob] = []
        jobs += entityFiles[0].map { PrefetchJob(rel: $0, kind: .rule) }
        jobs += entityFiles[1].map { PrefetchJob(rel: $0, kind: .command) }
        jobs += entityFiles[2].map { PrefetchJob(rel: $0, kind: .agent) }
        for listing in skillListings.compactMap({ $0 }) {
            jobs += listing.files.map {
                PrefetchJob(rel: "skills/\(listing.name)/\($0)", kind: $0 == "SKILL.md" ? .skillDocument : .skillFile)
            }
        }
        let early = Parallel.transform(jobs, grain: 16) { job in Prefetched(job, base: base, displayPrefix: displayPrefix) }
        prefetched.reserveCapacity(jobs.count)
        checksums.reserveCapacity(jobs.count + 8)
        for (job, item) in zip(jobs, early) { prefetched[job.rel] = item }

        // Rules.
        var ruleNames: [String: String] = [:]
        warnings += listings[0].skipped
        for rel in entityFiles[0] {
            try guarded(rel) { () throws(ToolError) in
                if let problem = prefetched[rel]?.nameProblem { throw problem }
                let name = String(rel.split(separator: "/").last!.dropLast(3))
                if let other = ruleNames[name] {
                    throw duplicate("rule", name, displayPrefix + other, displayPrefix + rel)
                }
                ruleNames[name] = rel
                let document = try document(rel, try read(rel))
                let isRoot = rel == "rules/_root.md"
                var rule = prefetched[rel]?.entity?.rule ?? EntityParsing.rule(name: name, path: rel, document: document, isRoot: isRoot)
                if !isRoot, document.frontmatter["root"]?.boolValue == true {
                    warnings.append(
                        Diagnostic(
                            code: "ROOT_DEMOTED", message: "\(displayPrefix)\(rel) sets root: true; only rules/_root.md is the root",
                            path: displayPrefix + rel))
                    rule.isRoot = false
                }
                if isRoot {
                    project.rules.insert(rule, at: 0)
                } else {
                    project.rules.append(rule)
                }
            }
        }

        // Commands.
        var commandNames: [String: String] = [:]
        warnings += listings[1].skipped
        for rel in entityFiles[1] {
            try guarded(rel) { () throws(ToolError) in
                if let problem = prefetched[rel]?.nameProblem { throw problem }
                let name = PrefetchJob.commandName(rel)
                if let other = commandNames[name] { throw duplicate("command", name, displayPrefix + other, displayPrefix + rel) }
                commandNames[name] = rel
                let document = try document(rel, try read(rel))
                project.commands.append(
                    prefetched[rel]?.entity?.command ?? EntityParsing.command(name: name, path: rel, document: document))
            }
        }

        // Agents.
        var agentNames: [String: String] = [:]
        warnings += listings[2].skipped
        for rel in entityFiles[2] {
            try guarded(rel) { () throws(ToolError) in
                if let problem = prefetched[rel]?.nameProblem { throw problem }
                let fileName = PrefetchJob.agentName(rel)
                if let other = agentNames[fileName] { throw duplicate("agent", fileName, displayPrefix + other, displayPrefix + rel) }
                agentNames[fileName] = rel
                let document = try document(rel, try read(rel))
                project.agents.append(
                    prefetched[rel]?.entity?.agent ?? PrefetchedEntity.agent(fileName: fileName, path: rel, document: document))
            }
        }

        // Skills.
        for listing in skillListings.compactMap({ $0 }) {
            let name = listing.name
            try guarded("skills/" + name) { () throws(ToolError) in
                try NameRules.check(path: name, displayPath: displayPrefix + "skills/" + name)
                for skipped in listing.skippedLinks {
                    warnings.append(
                        Diagnostic(
                            code: "SYMLINK_SKIPPED", message: "symlink \(displayPrefix)skills/\(name)/\(skipped) is not followed",
                            path: displayPrefix + "skills/\(name)/\(skipped)"))
                }
                var files: [SkillFile] = []
                var skillDocument: MarkdownDocument?
                for relFile in listing.files {
                    let rel = "skills/\(name)/\(relFile)"
                    let bytes = try read(rel)
                    if relFile == "SKILL.md" {
                        skillDocument = try document(rel, bytes)
                    } else {
                        files.append(SkillFile(path: relFile, bytes: bytes))
                    }
                }
                guard let skillDocument else {
                    warnings.append(
                        Diagnostic(
                            code: "SKILL_MISSING_FILE", message: "\(displayPrefix)skills/\(name) has no SKILL.md; skipped",
                            path: displayPrefix + "skills/" + name))
                    return
                }
                project.skills.append(EntityParsing.skill(name: name, document: skillDocument, files: files))
            }
        }

        // Settings files.
        if FileSystem.kind(base + "/mcp.json") == .file {
            try guarded("mcp.json") { () throws(ToolError) in
                project.mcpServers = try SettingsParsing.mcpServers(try read("mcp.json"), path: displayPrefix + "mcp.json")
            }
        }
        if FileSystem.kind(base + "/permissions.yaml") == .file {
            try guarded("permissions.yaml") { () throws(ToolError) in
                project.permissions = try SettingsParsing.permissions(
                    try read("permissions.yaml"), path: displayPrefix + "permissions.yaml")
            }
        }
        if FileSystem.kind(base + "/hooks.yaml") == .file {
            try guarded("hooks.yaml") { () throws(ToolError) in
                if var hooks = try SettingsParsing.hooks(try read("hooks.yaml"), path: displayPrefix + "hooks.yaml") {
                    project.unknownHookEvents = hooks.events.map(\.event).filter { !HookEvent.isKnown($0) }
                    hooks.events.removeAll { !HookEvent.isKnown($0.event) }
                    project.hooks = hooks
                }
            }
        }
        if FileSystem.kind(base + "/ignore") == .file {
            project.ignore = SettingsParsing.ignore(try read("ignore"))
        }

        // Every file and every folder above one. A folder already known has its own ancestors known too.
        var known = Set(checksums.keys)
        for path in checksums.keys {
            var end = path.utf8.endIndex
            while let slash = path.utf8[..<end].lastIndex(of: UInt8(ascii: "/")) {
                guard known.insert(String(path[..<slash])).inserted else { break }
                end = slash
            }
        }
        project.knownPaths = known
        return LoadedCanonical(project: project, checksums: checksums, warnings: warnings)
    }

    private static func duplicate(_ kind: String, _ name: String, _ a: String, _ b: String) -> ToolError {
        ToolError(
            ErrorCode.invalidName, "duplicate \(kind) name '\(name)': \(a) and \(b)",
            details: ["paths": .strings([a, b])])
    }

    /// Lockfile checksums of the canonical tree without parsing it (used by `check`).
    public static func checksums(root: String) throws(ToolError) -> [String: String] {
        try checksums(root: root) { (display: String, absolute: String) throws(ToolError) -> String in
            SHA256.tagged(try FileSystem.read(absolute, displayPath: display))
        }
    }

    /// The same, with the tagged hash of each file computed by `hash(displayPath, absolutePath)`
    /// (so a stat cache can answer for unchanged files).
    public static func checksums(
        root: String, hash: @Sendable (_ displayPath: String, _ absolutePath: String) throws(ToolError) -> String
    ) throws(ToolError) -> [String: String] {
        let base = root + "/" + folder
        var files: [String] = []
        for feature in ["rules", "commands", "agents"] {
            for rel in FileSystem.walkFiles(base + "/" + feature) where rel.hasSuffix(".md") {
                let full = feature + "/" + rel
                if full != "rules/_root.md", rel.split(separator: "/").contains(where: { $0.hasPrefix("_") }) { continue }
                files.append(full)
            }
        }
        for name in FileSystem.list(base + "/skills") where !name.hasPrefix("_") {
            guard FileSystem.kind(base + "/skills/" + name) == .directory else { continue }
            for rel in FileSystem.walkFiles(base + "/skills/" + name) {
                files.append("skills/\(name)/\(rel)")
            }
        }
        for file in ["mcp.json", "permissions.yaml", "hooks.yaml", "ignore"] where FileSystem.kind(base + "/" + file) == .file {
            files.append(file)
        }
        // Hashed on all cores; the first failure in listing order is thrown.
        let hashes = try Parallel.map(files, grain: 64) { (full) throws(ToolError) -> String in
            try hash(folder + "/" + full, base + "/" + full)
        }
        return Dictionary(zip(files, hashes), uniquingKeysWith: { first, _ in first })
    }
}

/// One file of the load, with what the prefetch does for it.
private struct PrefetchJob: Sendable {
    enum Kind: Sendable { case rule, command, agent, skillDocument, skillFile }
    var rel: String
    var kind: Kind

    /// The path whose segments must follow the name rules (nil: checked by the loop).
    var namePath: String? {
        switch kind {
        case .rule: return String(rel.dropLast(3))
        case .command: return String(rel.dropFirst("commands/".count).dropLast(3))
        case .agent: return String(rel.dropFirst("agents/".count).dropLast(3))
        case .skillDocument, .skillFile: return nil
        }
    }

    /// `commands/a/b.md` → `a:b`.
    static func commandName(_ rel: String) -> String {
        String(rel.dropFirst("commands/".count).dropLast(3)).split(separator: "/").joined(separator: ":")
    }

    /// `agents/x/name.md` → `name`.
    static func agentName(_ rel: String) -> String {
        String(rel.split(separator: "/").last!.dropLast(3))
    }
}

/// A skill folder as listed ahead of the load loop.
private struct SkillListing: Sendable {
    var name: String
    var files: [String]
    var skippedLinks: [String]
}

/// A Markdown entity parsed ahead of the load loop.
private enum PrefetchedEntity: Sendable {
    case rule(Rule)
    case command(Command)
    case agent(Agent)

    var rule: Rule? { if case .rule(let rule) = self { rule } else { nil } }
    var command: Command? { if case .command(let command) = self { command } else { nil } }
    var agent: Agent? { if case .agent(let agent) = self { agent } else { nil } }

    /// An agent is named after its file, whatever its frontmatter says.
    static func agent(fileName: String, path: String, document: MarkdownDocument) -> Agent {
        var agent = EntityParsing.agent(fileName: fileName, path: path, document: document)
        agent.name = fileName
        return agent
    }
}

/// One file read, hashed, name-checked and parsed ahead of the load loop (any failure kept for the loop to
/// throw at the file's turn, in the order the checks have there: name, then read, then parse).
private struct Prefetched: Sendable {
    var bytes: Result<[UInt8], ToolError>
    var checksum: String
    var document: Result<MarkdownDocument, ToolError>?
    var nameProblem: ToolError?
    var entity: PrefetchedEntity?

    init(_ job: PrefetchJob, base: String, displayPrefix: String) {
        let displayPath = displayPrefix + job.rel
        if let namePath = job.namePath {
            do {
                try NameRules.check(path: namePath, displayPath: displayPath)
            } catch {
                nameProblem = error
            }
        }
        do {
            let data = try FileSystem.read(base + "/" + job.rel, displayPath: displayPath)
            bytes = .success(data)
            checksum = SHA256.tagged(data)
            guard job.kind != .skillFile else { return }
            do {
                let parsed = try Frontmatter.parse(String(decoding: data, as: UTF8.self), path: displayPath)
                document = .success(parsed)
                switch job.kind {
                case .rule:
                    let name = String(job.rel.split(separator: "/").last!.dropLast(3))
                    entity = .rule(EntityParsing.rule(name: name, path: job.rel, document: parsed, isRoot: job.rel == "rules/_root.md"))
                case .command:
                    entity = .command(EntityParsing.command(name: PrefetchJob.commandName(job.rel), path: job.rel, document: parsed))
                case .agent:
                    entity = .agent(PrefetchedEntity.agent(fileName: PrefetchJob.agentName(job.rel), path: job.rel, document: parsed))
                case .skillDocument, .skillFile:
                    break
                }
            } catch {
                document = .failure(error)
            }
        } catch {
            bytes = .failure(error)
            checksum = ""
            document = nil
        }
    }
}
