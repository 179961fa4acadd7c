internal import AgentsMeshCanonical
internal import AgentsMeshKit
internal import AgentsMeshLessons
internal import AgentsMeshProjectors
public import SharedCore

/// `init` (§4.12): seeds a canonical project, importing existing tool configs with `--yes`.
public enum Initializer {
    public struct Options: Sendable {
        public var yes = false
        public var targets: [String]?
        public var allTargets = false
        /// Also seed the lessons files (§6.7); alone on an initialised project it retrofits them.
        public var lessons = false
        public init(yes: Bool = false, targets: [String]? = nil, allTargets: Bool = false, lessons: Bool = false) {
            self.yes = yes
            self.targets = targets
            self.allTargets = allTargets
            self.lessons = lessons
        }
    }

    static let gitignoreLines = ["agentsmesh.local.yaml", ".agentsmeshcache", ".agentsmesh/.lock.tmp", ".agentsmesh/packs/"]

    static let seeds: [(path: String, text: String)] = [
        (
            "agentsmesh.local.yaml",
            "# Per-developer overrides of agentsmesh.yaml (gitignored).\n# targets: [claude-code]\n# features: [rules, commands]\n"
        ),
        (
            ".agentsmesh/rules/_root.md",
            "---\nroot: true\n---\n# Project instructions\n\nDescribe the project, its conventions and how to build and test it.\nEvery target receives this file as its root instructions.\n"
        ),
        (
            ".agentsmesh/rules/_example.md",
            "---\ndescription: Example scoped rule (files starting with _ are templates and never projected)\nglobs:\n  - src/**/*.ts\n---\nPrefer explicit return types in exported functions.\n"
        ),
        (
            ".agentsmesh/commands/_example.md",
            "---\ndescription: Example command (templates are never projected)\nallowed-tools:\n  - Read\n  - Grep\n---\nReview the staged changes and list risky edits.\n"
        ),
        (
            ".agentsmesh/agents/_example.md",
            "---\ndescription: Example sub-agent (templates are never projected)\ntools:\n  - Read\n  - Grep\n---\nYou review code for correctness and clarity.\n"
        ),
        (
            ".agentsmesh/skills/_example/SKILL.md",
            "---\ndescription: Example skill (templates are never projected)\n---\nExplain when to use this skill and link supporting files with ./relative paths.\n"
        ),
        (
            ".agentsmesh/hooks.yaml",
            "{}\n# Example:\n# PostToolUse:\n#   - matcher: Write\n#     type: command\n#     command: npx prettier --write $FILE\n#     timeout: 30\n"
        ),
        (
            ".agentsmesh/permissions.yaml",
            "# Permissions are not managed until a list is uncommented.\n# allow:\n#   - Read\n#   - Bash(npm run:*)\n# deny:\n#   - Bash(rm -rf*)\n# ask: []\n"
        ),
        (".agentsmesh/ignore", "node_modules/\n.env\n"),
    ]

    public static func run(root: String, options: Options) async throws(ToolError) -> JSONValue {
        if FileSystem.kind(root + "/" + ConfigLoader.projectFile) != .missing {
            if options.lessons && options.targets == nil && !options.allTargets {
                return try await retrofitLessons(root: root)
            }
            throw ToolError(ErrorCode.alreadyExists, "agentsmesh.yaml already exists; this project is initialised")
        }
        let detected = TargetID.firstClass.filter { id in
            Targets.projector(id)?.detectionPaths.contains { FileSystem.exists(root + "/" + $0) } ?? false
        }
        let home = ProcessEnvironment.value("HOME") ?? ""
        let targets: [String]
        if let requested = options.targets {
            targets = requested
        } else if options.allTargets {
            targets = TargetID.firstClass
        } else if !detected.isEmpty {
            targets = detected
        } else {
            let homeTools = TargetID.firstClass.filter { id in
                let folder = [TargetID.claudeCode: ".claude", TargetID.cursor: ".cursor", TargetID.geminiCLI: ".gemini"][id] ?? ""
                return !home.isEmpty && FileSystem.isDirectory(home + "/" + folder)
            }
            targets = homeTools.isEmpty ? TargetID.firstClass : homeTools
        }
        // A lone AGENTS.md is read by several tools and overwritten by generate (the root mirror): it is
        // imported like any tool's root file (through the Cursor importer, which reads it), never replaced.
        var importers = detected
        let lonelyAgentsFile =
            FileSystem.kind(root + "/AGENTS.md") == .file
            && !detected.contains(TargetID.cursor) && !detected.contains(TargetID.geminiCLI)
        if lonelyAgentsFile { importers.append(TargetID.cursor) }
        if !importers.isEmpty && !options.yes {
            let found = detected + (lonelyAgentsFile ? ["AGENTS.md"] : [])
            throw ToolError(
                ErrorCode.importRequired,
                "existing tool configuration found for \(found.joined(separator: ", ")); rerun with --yes to import it into .agentsmesh/",
                details: ["tools": .strings(found)])
        }
        let safe = SafePath(root: root)
        var created: [String] = []
        func seed(_ path: String, _ text: String) throws(ToolError) {
            let absolute = try safe.resolve(path)
            guard FileSystem.kind(absolute) == .missing else { return }
            try AtomicFile.write(text, to: absolute, displayPath: path)
            created.append(path)
        }
        let config =
            "version: 1\ntargets: [\(targets.joined(separator: ", "))]\nfeatures: [rules, commands, agents, skills, mcp, hooks, ignore, permissions]\n"

        // Imports first, so seeds never overwrite imported content.
        var importData = ImportData(from: importers.joined(separator: ","))
        var importedSources: Set<String> = []
        var followedLinks: [String] = []
        // Per tool: canonical path → the native file read, and canonical paths renamed on the way in.
        var sourcesByTarget: [String: [String: String]] = [:]
        var renames: [String: [String: String]] = [:]
        if !importers.isEmpty {
            var collected: [(String, CanonicalProject)] = []
            var failures: [ToolError] = []
            for id in importers {
                let result = try Importer.collect(root: root, from: id, features: nil, reportFailures: false)
                failures += result.failures
                importData.warnings += result.warnings
                importData.skipped += result.skipped
                importedSources.formUnion(result.sources.values)
                sourcesByTarget[id] = result.sources
                followedLinks += result.followedLinks
                collected.append((id, result.project))
            }
            // Every unreadable file of every tool in one report, before anything is written.
            if let failure = ImportResult.combined(failures) { throw failure }
            if !collected.contains(where: { $0.1.root != nil }),
                let first = collected.firstIndex(where: { $0.1.rules.contains { $0.trigger == "always_on" } })
            {
                let promoted = collected[first].1.rules.first { $0.trigger == "always_on" }?.path
                Importer.promoteRootIfMissing(&collected[first].1, warnings: &importData.warnings)
                if let promoted { renames[collected[first].0, default: [:]][promoted] = "rules/_root.md" }
            }
            let disambiguated = disambiguate(collected, warnings: &importData.warnings)
            for ((id, before), (_, after)) in zip(collected, disambiguated) {
                renames[id, default: [:]].merge(renamedPaths(before, after), uniquingKeysWith: { a, _ in a })
            }
            for (id, project) in disambiguated {
                var data = ImportData(from: id)
                try Importer.merge(project, into: root, data: &data, seedSelfEntry: false)
                importData.imported += data.imported
                importData.warnings += data.warnings
            }
        }
        try seed(ConfigLoader.projectFile, config)
        for (path, text) in seeds { try seed(path, text) }
        if FileSystem.kind(root + "/.agentsmesh/mcp.json") == .missing {
            try seed(".agentsmesh/mcp.json", JSONEmitter.pretty(["mcpServers": ["agentsmesh": Importer.selfEntry]]) + "\n")
        } else {
            var data = ImportData(from: "init")
            try Importer.mergeMcp(JSONObject(), root: root, seedSelfEntry: true, data: &data)
        }
        try appendGitignore(root: root, lines: gitignoreLines)
        if options.lessons {
            for path in try LessonsSeeder.seed(root: root) where !created.contains(path) { created.append(path) }
        }
        // A followed link would make generate write into the folder it points at (the user's shared copy):
        // the link goes, the generated folder takes its place, the link target stays as it is.
        var unlinked: [JSONValue] = []
        for link in Set(followedLinks).sorted(by: FileSystem.byteOrder) where FileSystem.kind(root + "/" + link) == .symlink {
            try FileSystem.remove(root + "/" + link, displayPath: link)
            unlinked.append(["path": .string(link), "reason": .string(linkReason)])
        }
        let generated = try await Generator(root: root).generate(GenerateOptions(lockTimeout: 30))
        let adopted = try removeRenamedSources(
            root: root,
            sources: importedSources.filter { path in
                !followedLinks.contains { FileSystem.isInside(path, $0) }
            })
        return [
            "targets": .strings(targets),
            "imported": .array(importData.imported.map { ["kind": .string($0.kind), "name": .string($0.name), "path": .string($0.path)] }),
            "created": .strings(created),
            "replaced": .strings(adopted),
            "removed": .array(
                unlinked
                    + adopted.map { path in
                        var item: JSONObject = ["path": .string(path)]
                        if let now = renamedOutput(of: path, sources: sourcesByTarget, renames: renames) {
                            item["renamedTo"] = .string(now)
                        }
                        item["reason"] = .string(renamedReason)
                        return .object(item)
                    }),
            "skipped": .array(
                importData.skipped.map { ["kind": .string($0.kind), "name": .string($0.name), "reason": .string($0.reason)] }),
            "warnings": .array(importData.warnings.map(\.json)),
            "generated": generated.json,
        ]
    }

    /// Canonical paths that changed between an import and its disambiguated form (same entity order).
    static func renamedPaths(_ before: CanonicalProject, _ after: CanonicalProject) -> [String: String] {
        var out: [String: String] = [:]
        for (old, new) in zip(before.rules, after.rules) where !old.isRoot && old.name != new.name {
            out[old.path] = "rules/\(new.name).md"
        }
        for (old, new) in zip(before.commands, after.commands) where old.name != new.name { out[old.path] = "commands/\(new.slashPath).md" }
        for (old, new) in zip(before.agents, after.agents) where old.name != new.name { out[old.path] = "agents/\(new.name).md" }
        for (old, new) in zip(before.skills, after.skills) where old.name != new.name { out["skills/\(old.name)"] = "skills/\(new.name)" }
        return out
    }

    /// The generated file that now holds what a removed native file held, when it can be named.
    static func renamedOutput(of native: String, sources: [String: [String: String]], renames: [String: [String: String]]) -> String? {
        for (id, map) in sources {
            guard let canonical = map.first(where: { $0.value == native })?.key, let projector = Targets.projector(id) else { continue }
            var now = renames[id]?[canonical] ?? canonical
            for (old, new) in renames[id] ?? [:] where old.hasPrefix("skills/") && canonical.hasPrefix(old + "/") {
                now = new + canonical.dropFirst(old.count)
            }
            return projector.rebasedPath(forCanonical: ".agentsmesh/" + now)
        }
        return nil
    }

    /// Why init removes a native file it imported (listed in its text and JSON output).
    public static let renamedReason = "imported into .agentsmesh/ and now generated under another name (renamedTo; its content is kept)"
    /// Why init removes a symbolic link it followed.
    public static let linkReason =
        "symbolic link replaced by the generated folder (imported into .agentsmesh/; the folder it pointed at is untouched)"

    /// `init --lessons` on an initialised project: adds the lessons files that are missing, then generates.
    static func retrofitLessons(root: String) async throws(ToolError) -> JSONValue {
        let created = try LessonsSeeder.seed(root: root)
        let config = try ConfigLoader.load(root: root)
        let generated = try await Generator(root: root).generate(GenerateOptions(lockTimeout: 30))
        return [
            "targets": .strings(config.targets),
            "imported": [],
            "created": .strings(created),
            "replaced": [],
            "removed": [],
            "skipped": [],
            "warnings": [],
            "generated": generated.json,
        ]
    }

    /// Native files that were imported but are now generated under another name (collisions) would be
    /// left as unmanaged files; their content lives in `.agentsmesh/`, so they are removed.
    static func removeRenamedSources(root: String, sources: Set<String>) throws(ToolError) -> [String] {
        guard let lock = try Lockfile.read(root: root), let outputs = lock.outputs else { return [] }
        let config = try ConfigLoader.load(root: root)
        let folders = config.targets.compactMap { Targets.projector($0) }.flatMap(\.managedFolders)
        var removed: [String] = []
        for path in sources.sorted(by: FileSystem.byteOrder) where outputs[path] == nil {
            guard folders.contains(where: { path.hasPrefix($0 + "/") }), FileSystem.kind(root + "/" + path) == .file else { continue }
            // Never through a linked folder: the file is the link target's, shared with whatever else uses it.
            guard FileSystem.realPath(root + "/" + path) == SafePath(root: root).root + "/" + path else { continue }
            try FileSystem.remove(root + "/" + path, displayPath: path)
            Generator.removeEmptyParents(of: path, root: root, managedFolders: folders)
            removed.append(path)
        }
        return removed
    }

    /// Entities imported from more than one tool under the same name are kept as `<name>-<target>`.
    /// An MCP server that two tools define differently under one name keeps the first tool's definition as
    /// the shared one; each later tool's own definition is kept as `<target>:<name>` (generated for that tool
    /// under its name). Identical definitions are simply one server.
    static func disambiguate(_ imports: [(String, CanonicalProject)], warnings: inout [Diagnostic]) -> [(String, CanonicalProject)] {
        guard imports.count > 1 else { return imports }
        var firstServer: [String: JSONValue] = [:]
        var result = imports
        for index in result.indices {
            guard var servers = result[index].1.mcpServers else { continue }
            let id = result[index].0
            for (name, server) in servers {
                guard let first = firstServer[name] else {
                    firstServer[name] = server
                    continue
                }
                guard !McpProjection.sameServer(first, server) else { continue }
                servers = servers.renamingKey(name, to: "\(id):\(name)")
                warnings.append(
                    Diagnostic(
                        code: "MCP_SERVER_PER_TARGET",
                        message:
                            "MCP server '\(name)' is configured differently in \(id); kept as '\(id):\(name)' in .agentsmesh/mcp.json (generated for \(id) only, the other tools keep the first definition)",
                        path: ".agentsmesh/mcp.json", target: id))
            }
            result[index].1.mcpServers = servers
        }
        return disambiguateNames(result)
    }

    static func disambiguateNames(_ imports: [(String, CanonicalProject)]) -> [(String, CanonicalProject)] {
        func counts(_ names: (CanonicalProject) -> [String]) -> [String: Int] {
            var c: [String: Int] = [:]
            for (_, project) in imports { for name in Set(names(project)) { c[name, default: 0] += 1 } }
            return c
        }
        let rules = counts { $0.rules.filter { !$0.isRoot }.map(\.name) }
        let commands = counts { $0.commands.map(\.name) }
        let agents = counts { $0.agents.map(\.name) }
        let skills = counts { $0.skills.map(\.name) }
        return imports.map { id, project in
            var p = project
            for i in p.rules.indices where !p.rules[i].isRoot && (rules[p.rules[i].name] ?? 0) > 1 { p.rules[i].name += "-\(id)" }
            for i in p.commands.indices where (commands[p.commands[i].name] ?? 0) > 1 { p.commands[i].name += "-\(id)" }
            for i in p.agents.indices where (agents[p.agents[i].name] ?? 0) > 1 { p.agents[i].name += "-\(id)" }
            for i in p.skills.indices where (skills[p.skills[i].name] ?? 0) > 1 { p.skills[i].name += "-\(id)" }
            return (id, p)
        }
    }

    /// Appends each line to `.gitignore` only if absent.
    public static func appendGitignore(root: String, lines: [String]) throws(ToolError) {
        try LineFile.appendMissing(lines, to: root + "/.gitignore", displayPath: ".gitignore")
    }
}
