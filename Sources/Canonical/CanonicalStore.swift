import MeshKit

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

        func read(_ rel: String) throws(ToolError) -> [UInt8] {
            let bytes = try FileSystem.read(base + "/" + rel, displayPath: displayPrefix + rel)
            checksums[rel] = SHA256.tagged(bytes)
            return bytes
        }
        func isTemplate(_ rel: String) -> Bool {
            rel.split(separator: "/").dropFirst().contains { $0.hasPrefix("_") } && rel != "rules/_root.md"
        }
        func markdownFiles(_ feature: String) -> [String] {
            FileSystem.walkFiles(base + "/" + feature) { skipped in
                warnings.append(Diagnostic(code: "SYMLINK_SKIPPED", message: "symlink \(displayPrefix)\(feature)/\(skipped) is not followed", path: displayPrefix + feature + "/" + skipped))
            }
            .filter { $0.hasSuffix(".md") }.map { feature + "/" + $0 }
        }

        // Rules.
        var ruleNames: [String: String] = [:]
        for rel in markdownFiles("rules") where !isTemplate(rel) {
          try guarded(rel) { () throws(ToolError) in
            try NameRules.check(path: String(rel.dropLast(3)), displayPath: displayPrefix + rel)
            let name = String(rel.split(separator: "/").last!.dropLast(3))
            if let other = ruleNames[name] {
                throw duplicate("rule", name, displayPrefix + other, displayPrefix + rel)
            }
            ruleNames[name] = rel
            let text = String(decoding: try read(rel), as: UTF8.self)
            let document = try Frontmatter.parse(text, path: displayPrefix + rel)
            let isRoot = rel == "rules/_root.md"
            var rule = EntityParsing.rule(name: name, path: rel, document: document, isRoot: isRoot)
            if !isRoot, document.frontmatter["root"]?.boolValue == true {
                warnings.append(Diagnostic(code: "ROOT_DEMOTED", message: "\(displayPrefix)\(rel) sets root: true; only rules/_root.md is the root", path: displayPrefix + rel))
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
        for rel in markdownFiles("commands") where !isTemplate(rel) {
          try guarded(rel) { () throws(ToolError) in
            let inner = String(rel.dropFirst("commands/".count).dropLast(3))
            try NameRules.check(path: inner, displayPath: displayPrefix + rel)
            let name = inner.split(separator: "/").joined(separator: ":")
            if let other = commandNames[name] { throw duplicate("command", name, displayPrefix + other, displayPrefix + rel) }
            commandNames[name] = rel
            let text = String(decoding: try read(rel), as: UTF8.self)
            let document = try Frontmatter.parse(text, path: displayPrefix + rel)
            project.commands.append(EntityParsing.command(name: name, path: rel, document: document))
          }
        }

        // Agents.
        var agentNames: [String: String] = [:]
        for rel in markdownFiles("agents") where !isTemplate(rel) {
          try guarded(rel) { () throws(ToolError) in
            try NameRules.check(path: String(rel.dropFirst("agents/".count).dropLast(3)), displayPath: displayPrefix + rel)
            let fileName = String(rel.split(separator: "/").last!.dropLast(3))
            if let other = agentNames[fileName] { throw duplicate("agent", fileName, displayPrefix + other, displayPrefix + rel) }
            agentNames[fileName] = rel
            let text = String(decoding: try read(rel), as: UTF8.self)
            let document = try Frontmatter.parse(text, path: displayPrefix + rel)
            var agent = EntityParsing.agent(fileName: fileName, path: rel, document: document)
            agent.name = fileName
            project.agents.append(agent)
          }
        }

        // Skills.
        for name in FileSystem.list(base + "/skills") where !name.hasPrefix("_") {
            let dir = base + "/skills/" + name
            guard FileSystem.kind(dir) == .directory else { continue }
          try guarded("skills/" + name) { () throws(ToolError) in
            try NameRules.check(path: name, displayPath: displayPrefix + "skills/" + name)
            var files: [SkillFile] = []
            var document: MarkdownDocument?
            let relFiles = FileSystem.walkFiles(dir) { skipped in
                warnings.append(Diagnostic(code: "SYMLINK_SKIPPED", message: "symlink \(displayPrefix)skills/\(name)/\(skipped) is not followed", path: displayPrefix + "skills/\(name)/\(skipped)"))
            }
            for relFile in relFiles {
                let rel = "skills/\(name)/\(relFile)"
                let bytes = try read(rel)
                if relFile == "SKILL.md" {
                    document = try Frontmatter.parse(String(decoding: bytes, as: UTF8.self), path: displayPrefix + rel)
                } else {
                    files.append(SkillFile(path: relFile, bytes: bytes))
                }
            }
            guard let document else {
                warnings.append(Diagnostic(code: "SKILL_MISSING_FILE", message: "\(displayPrefix)skills/\(name) has no SKILL.md; skipped", path: displayPrefix + "skills/" + name))
                return
            }
            project.skills.append(EntityParsing.skill(name: name, document: document, files: files))
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
                project.permissions = try SettingsParsing.permissions(try read("permissions.yaml"), path: displayPrefix + "permissions.yaml")
            }
        }
        if FileSystem.kind(base + "/hooks.yaml") == .file {
          try guarded("hooks.yaml") { () throws(ToolError) in
            if var hooks = try SettingsParsing.hooks(try read("hooks.yaml"), path: displayPrefix + "hooks.yaml") {
                project.unknownHookEvents = hooks.events.map(\.event).filter { !HookEvent.all.contains($0) }
                hooks.events.removeAll { !HookEvent.all.contains($0.event) }
                project.hooks = hooks
            }
          }
        }
        if FileSystem.kind(base + "/ignore") == .file {
            project.ignore = SettingsParsing.ignore(try read("ignore"))
        }

        var known = Set(checksums.keys)
        for path in checksums.keys {
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                known.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
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
        root: String, hash: (_ displayPath: String, _ absolutePath: String) throws(ToolError) -> String
    ) throws(ToolError) -> [String: String] {
        let base = root + "/" + folder
        var out: [String: String] = [:]
        for feature in ["rules", "commands", "agents"] {
            for rel in FileSystem.walkFiles(base + "/" + feature) where rel.hasSuffix(".md") {
                let full = feature + "/" + rel
                if full != "rules/_root.md", rel.split(separator: "/").contains(where: { $0.hasPrefix("_") }) { continue }
                out[full] = try hash(folder + "/" + full, base + "/" + full)
            }
        }
        for name in FileSystem.list(base + "/skills") where !name.hasPrefix("_") {
            guard FileSystem.kind(base + "/skills/" + name) == .directory else { continue }
            for rel in FileSystem.walkFiles(base + "/skills/" + name) {
                let full = "skills/\(name)/\(rel)"
                out[full] = try hash(folder + "/" + full, base + "/" + full)
            }
        }
        for file in ["mcp.json", "permissions.yaml", "hooks.yaml", "ignore"] where FileSystem.kind(base + "/" + file) == .file {
            out[file] = try hash(folder + "/" + file, base + "/" + file)
        }
        return out
    }
}
