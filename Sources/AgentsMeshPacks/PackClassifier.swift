public import AgentsMeshCanonical
internal import AgentsMeshKit
internal import AgentsMeshProjectors
internal import Foundation
public import SharedCore

/// The classification of a fetched tree (§5.3).
public enum SourceType: String, Sendable {
    case canonical = "canonical-agentsmesh"
    case skillPack = "anthropic-skill-pack"
    case toolNative = "tool-native"
    case unknown
}

/// A file the classifier refused to install.
public struct BrokenResource: Sendable, Equatable {
    public var path: String
    public var kind: String
    public var reason: String

    public var json: JSONValue { ["path": .string(path), "kind": .string(kind), "reason": .string(reason)] }
}

/// What classification decided to install: files in canonical layout (relative to the pack folder).
public struct ClassifiedPack: Sendable {
    /// `nil` when `--target`/`--as` bypassed classification.
    public var sourceType: SourceType?
    public var files: [(path: String, bytes: [UInt8])] = []
    /// Pack path → absolute path of a file in the source tree holding exactly that entry's bytes (an
    /// installer may move it into place instead of writing the bytes again when the tree is its own scratch).
    public var sources: [String: String] = [:]
    public var broken: [BrokenResource] = []
    public var warnings: [Diagnostic] = []
    /// Elevated settings files dropped for lack of consent.
    public var strippedElevated: [String] = []

    /// Canonical features present, in spec order.
    public var features: [Feature] {
        var present: Set<Feature> = []
        for (path, _) in files {
            switch path {
            case "mcp.json": present.insert(.mcp)
            case "hooks.yaml": present.insert(.hooks)
            case "permissions.yaml": present.insert(.permissions)
            case "ignore": present.insert(.ignore)
            default:
                if let feature = Feature(rawValue: String(path.split(separator: "/").first ?? "")) { present.insert(feature) }
            }
        }
        return Feature.all.filter { present.contains($0) }
    }

    /// Entities installed, as `{kind, name, path}` rows.
    public func entities(packFolder: String) -> [(kind: String, name: String, path: String)] {
        var out: [(String, String, String)] = []
        var skills: Set<String> = []
        for (path, _) in files {
            let parts = path.split(separator: "/").map(String.init)
            switch parts.first {
            case "rules"?: out.append(("rule", String(parts.last?.dropLast(3) ?? ""), packFolder + "/" + path))
            case "commands"?:
                out.append(
                    ("command", parts.dropFirst().joined(separator: ":").replacingOccurrences(of: ".md", with: ""), packFolder + "/" + path)
                )
            case "agents"?: out.append(("agent", String(parts.last?.dropLast(3) ?? ""), packFolder + "/" + path))
            case "skills"? where parts.count > 1:
                if skills.insert(parts[1]).inserted { out.append(("skill", parts[1], packFolder + "/skills/" + parts[1])) }
            default:
                out.append(
                    (
                        path.replacingOccurrences(of: ".yaml", with: "").replacingOccurrences(of: ".json", with: ""), path,
                        packFolder + "/" + path
                    ))
            }
        }
        return out
    }
}

/// Options that shape classification.
public struct ClassifyOptions: Sendable {
    public var asKind: String?
    public var target: String?
    /// Elevated kinds consented to (`hooks`, `mcp`, `permissions`); ignored for trusted local sources.
    public var accepted: Set<String> = []
    public var trusted = true
    public init(asKind: String? = nil, target: String? = nil, accepted: Set<String> = [], trusted: Bool = true) {
        self.asKind = asKind
        self.target = target
        self.accepted = accepted
        self.trusted = trusted
    }
}

/// Decides what a fetched tree is and which files of it to install.
public enum PackClassifier {
    static let boilerplate = ["README", "LICENSE", "CHANGELOG", "CONTRIBUTING", "CODE_OF_CONDUCT", "SECURITY"]

    static func isBoilerplate(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return boilerplate.contains { name.uppercased().hasPrefix($0) }
    }

    public static func classify(tree: String, options: ClassifyOptions) throws(ToolError) -> ClassifiedPack {
        if let asKind = options.asKind {
            var pack = ClassifiedPack()
            try collectAs(asKind, tree: tree, into: &pack)
            return try finish(pack, sourceType: nil, nothingMessage: "no \(asKind) found in the source")
        }
        if let target = options.target {
            var pack = try importNative(target: target, tree: tree)
            pack.sourceType = nil
            return try finish(pack, sourceType: nil, nothingMessage: "no \(target) configuration found in the source")
        }
        if FileSystem.isDirectory(tree + "/.agentsmesh") {
            var pack = ClassifiedPack()
            try collectCanonical(tree + "/.agentsmesh", includeSettings: true, into: &pack)
            stripElevated(&pack, options: options)
            return try finish(pack, sourceType: .canonical, nothingMessage: "the source's .agentsmesh/ folder is empty")
        }
        if skillPackScore(tree) >= 1.4 {
            var pack = ClassifiedPack()
            try collectSkillPack(tree, into: &pack)
            return try finish(pack, sourceType: .skillPack, nothingMessage: "no skills found")
        }
        for target in TargetID.firstClass {
            guard let projector = Targets.projector(target),
                projector.detectionPaths.contains(where: { FileSystem.exists(tree + "/" + $0) })
            else { continue }
            let pack = try importNative(target: target, tree: tree)
            return try finish(pack, sourceType: .toolNative, nothingMessage: "nothing importable in the \(target) configuration")
        }
        var pack = ClassifiedPack()
        try collectCanonical(tree, includeSettings: false, into: &pack)
        if pack.files.isEmpty && pack.broken.isEmpty {
            let loose = FileSystem.list(tree).filter { $0.hasSuffix(".md") && !isBoilerplate($0) }
            if !loose.isEmpty {
                throw ToolError(
                    "AMBIGUOUS_SOURCE",
                    "the source holds loose Markdown files (\(loose.prefix(3).joined(separator: ", "))); use --as rules|commands|agents|skills or --path"
                )
            }
            throw ToolError(ErrorCode.notFound, "nothing installable found in the source (no rules/, commands/, agents/ or skills/)")
        }
        return pack.withType(.unknown)
    }

    private static func finish(_ pack: ClassifiedPack, sourceType: SourceType?, nothingMessage: String) throws(ToolError) -> ClassifiedPack
    {
        if pack.files.isEmpty && pack.broken.isEmpty { throw ToolError(ErrorCode.notFound, nothingMessage) }
        return pack.withType(sourceType)
    }

    /// The weighted skill-pack score; 0 unless the primary signal holds.
    public static func skillPackScore(_ tree: String) -> Double {
        let skills = FileSystem.list(tree + "/skills").filter { name in
            guard let text = try? FileSystem.readText(tree + "/skills/\(name)/SKILL.md", displayPath: "SKILL.md"),
                let document = try? Frontmatter.parse(text, path: "SKILL.md")
            else { return false }
            return !(document.frontmatter["name"]?.stringValue ?? "").isEmpty
                && !(document.frontmatter["description"]?.stringValue ?? "").isEmpty
        }
        guard !skills.isEmpty else { return 0 }
        var score = 1.0
        if FileSystem.list(tree + "/agents").contains(where: { $0.hasSuffix(".md") }) { score += 0.4 }
        if FileSystem.isDirectory(tree + "/references")
            || FileSystem.list(tree + "/skills").contains(where: { FileSystem.isDirectory(tree + "/skills/\($0)/references") })
        {
            score += 0.3
        }
        if ["CLAUDE.md", "AGENTS.md", "GEMINI.md"].filter({ FileSystem.kind(tree + "/" + $0) == .file }).count >= 2 { score += 0.3 }
        let toolFolders = FileSystem.list(tree).filter { $0.hasPrefix(".") && FileSystem.isDirectory(tree + "/\($0)/commands") }
        if toolFolders.contains(where: { folder in FileSystem.walkFiles(tree + "/\(folder)/commands").contains { $0.hasSuffix(".md") } }) {
            score += 0.4
        }
        return score
    }

    /// Copies rules/commands/agents/skills (+ settings when allowed) of a canonical layout, validating each file.
    static func collectCanonical(_ base: String, includeSettings: Bool, into pack: inout ClassifiedPack) throws(ToolError) {
        var brokenPaths: [String: String] = [:]
        let loaded = try CanonicalStore.load(canonicalRoot: base, displayPrefix: "") { path, reason in brokenPaths[path] = reason }
        pack.warnings += loaded.warnings
        for (path, reason) in brokenPaths.sorted(by: { $0.key < $1.key }) {
            pack.broken.append(BrokenResource(path: path, kind: kindOf(path), reason: reason))
        }
        let wanted =
            includeSettings
            ? loaded.checksums.keys.sorted()
            : loaded.checksums.keys.filter { !["mcp.json", "hooks.yaml", "permissions.yaml", "ignore"].contains($0) }.sorted()
        var kept: [String] = []
        for rel in wanted where !isBoilerplate(rel) || rel.hasPrefix("skills/") && rel.split(separator: "/").count > 2 {
            if brokenPaths[rel] != nil { continue }
            if let skill = rel.split(separator: "/").dropFirst().first, rel.hasPrefix("skills/"), brokenPaths["skills/\(skill)"] != nil {
                continue
            }
            kept.append(rel)
        }
        // Read on all cores; the first failure in order is thrown.
        let contents = try Parallel.map(kept, grain: 32) { (rel) throws(ToolError) -> [UInt8] in
            try FileSystem.read(base + "/" + rel, displayPath: rel)
        }
        for (rel, bytes) in zip(kept, contents) {
            pack.files.append((rel, bytes))
            pack.sources[rel] = base + "/" + rel
        }
    }

    static func kindOf(_ path: String) -> String {
        switch path.split(separator: "/").first {
        case "rules"?: return "rule"
        case "commands"?: return "command"
        case "agents"?: return "agent"
        case "skills"?: return "skill"
        default: return "settings"
        }
    }

    static func stripElevated(_ pack: inout ClassifiedPack, options: ClassifyOptions) {
        guard !options.trusted else { return }
        let elevated = ["hooks.yaml": "hooks", "mcp.json": "mcp", "permissions.yaml": "permissions"]
        pack.files.removeAll { file in
            guard let kind = elevated[file.path], !options.accepted.contains(kind) else { return false }
            pack.strippedElevated.append(kind)
            pack.warnings.append(
                Diagnostic(
                    code: "ELEVATED_STRIPPED",
                    message: "\(file.path) from a remote source was not installed; pass --accept-\(kind) to allow it"))
            return true
        }
    }

    static func collectSkillPack(_ tree: String, into pack: inout ClassifiedPack) throws(ToolError) {
        var scratch = ClassifiedPack()
        try collectCanonical(tree, includeSettings: false, into: &scratch)
        pack.warnings += scratch.warnings
        pack.broken += scratch.broken
        pack.files += scratch.files.filter {
            $0.path.hasPrefix("skills/") || ($0.path.hasPrefix("agents/") && $0.path.split(separator: "/").count == 2)
        }
        pack.sources.merge(scratch.sources) { first, _ in first }
        for folder in ["commands", ".claude/commands", ".gemini/commands"] where FileSystem.isDirectory(tree + "/" + folder) {
            for rel in FileSystem.walkFiles(tree + "/" + folder) where rel.hasSuffix(".md") && !isBoilerplate(rel) {
                let bytes = try FileSystem.read(tree + "/\(folder)/\(rel)", displayPath: "\(folder)/\(rel)")
                if (try? Frontmatter.parse(String(decoding: bytes, as: UTF8.self), path: rel)) == nil {
                    pack.broken.append(BrokenResource(path: "\(folder)/\(rel)", kind: "command", reason: "invalid frontmatter"))
                    continue
                }
                pack.files.append(("commands/" + rel, bytes))
            }
            break
        }
    }

    static func collectAs(_ kind: String, tree: String, into pack: inout ClassifiedPack) throws(ToolError) {
        switch kind {
        case "skills":
            for name in FileSystem.list(tree) where FileSystem.kind(tree + "/\(name)/SKILL.md") == .file {
                if let problem = NameRules.problem(with: name) {
                    pack.broken.append(BrokenResource(path: name, kind: "skill", reason: problem))
                    continue
                }
                for rel in FileSystem.walkFiles(tree + "/" + name) {
                    let bytes = try FileSystem.read(tree + "/\(name)/\(rel)", displayPath: "\(name)/\(rel)")
                    if rel == "SKILL.md", (try? Frontmatter.parse(String(decoding: bytes, as: UTF8.self), path: rel)) == nil {
                        pack.broken.append(BrokenResource(path: "\(name)/SKILL.md", kind: "skill", reason: "invalid frontmatter"))
                        pack.files.removeAll { $0.path.hasPrefix("skills/\(name)/") }
                        break
                    }
                    pack.files.append(("skills/\(name)/\(rel)", bytes))
                }
            }
        case "rules", "commands", "agents":
            for name in FileSystem.list(tree)
            where name.hasSuffix(".md") && !isBoilerplate(name) && FileSystem.kind(tree + "/" + name) == .file {
                let bytes = try FileSystem.read(tree + "/" + name, displayPath: name)
                if let problem = NameRules.problem(with: String(name.dropLast(3))) {
                    pack.broken.append(BrokenResource(path: name, kind: String(kind.dropLast()), reason: problem))
                    continue
                }
                if (try? Frontmatter.parse(String(decoding: bytes, as: UTF8.self), path: name)) == nil {
                    pack.broken.append(BrokenResource(path: name, kind: String(kind.dropLast()), reason: "invalid frontmatter"))
                    continue
                }
                pack.files.append(("\(kind)/\(name)", bytes))
            }
        default:
            throw ToolError(ErrorCode.usage, "--as must be rules, commands, agents or skills")
        }
    }

    static func importNative(target: String, tree: String) throws(ToolError) -> ClassifiedPack {
        guard let projector = Targets.projector(target) else {
            throw ToolError(ErrorCode.usage, "--target must be one of \(TargetID.firstClass.joined(separator: ", "))")
        }
        var pack = ClassifiedPack()
        let imported = try projector.importNative(root: tree)
        pack.warnings += imported.warnings
        // A third-party file that cannot be read is skipped and listed, as for canonical sources (§2.11).
        for failure in imported.failures {
            for issue in failure.details?["issues"]?.arrayValue ?? [] {
                let path = issue["path"]?.stringValue ?? ""
                pack.broken.append(BrokenResource(path: path, kind: "native", reason: issue["message"]?.stringValue ?? failure.message))
            }
        }
        for rule in imported.project.rules {
            pack.files.append(("rules/\(rule.isRoot ? "_root" : rule.name).md", Array(CanonicalWriter.rule(rule).utf8)))
        }
        for command in imported.project.commands {
            pack.files.append(("commands/\(command.slashPath).md", Array(CanonicalWriter.command(command).utf8)))
        }
        for agent in imported.project.agents {
            pack.files.append(("agents/\(agent.name).md", Array(CanonicalWriter.agent(agent).utf8)))
        }
        for skill in imported.project.skills {
            pack.files.append(("skills/\(skill.name)/SKILL.md", Array(CanonicalWriter.skill(skill).utf8)))
            for file in skill.files { pack.files.append(("skills/\(skill.name)/\(file.path)", file.bytes)) }
        }
        return pack
    }
}

extension ClassifiedPack {
    func withType(_ type: SourceType?) -> ClassifiedPack {
        var copy = self
        copy.sourceType = type
        return copy
    }
}
