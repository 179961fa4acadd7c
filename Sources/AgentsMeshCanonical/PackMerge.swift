public import SharedCore

/// One `extends:` entry, resolved and loaded (§2.12).
public struct LoadedExtend: Sendable {
    public var name: String
    /// The lock value: commit SHA, `sha256:` of the archive, or `local:sha256:` of the folder (§4.2).
    public var id: String
    public var project: CanonicalProject

    public init(name: String, id: String, project: CanonicalProject) {
        self.name = name
        self.id = id
        self.project = project
    }
}

/// Merging installed packs and extends under the project's own canonical content (§2.12, §5.7).
public enum PackMerge {
    public static let packsFolder = ".agentsmesh/packs"

    /// Loads the project and every pack under `.agentsmesh/packs/`, then merges `extends` under both;
    /// pack hashes go to `packs`.
    public static func loadMerged(root: String, extends: [LoadedExtend]) throws(ToolError) -> LoadedCanonical {
        var loaded = try CanonicalStore.load(root: root)
        let projectEvents = Set(loaded.project.hooks?.events.map(\.event) ?? [])
        let packNames = FileSystem.list(root + "/" + packsFolder).filter {
            FileSystem.kind(root + "/" + packsFolder + "/" + $0) == .directory && !$0.hasPrefix(".")
        }
        if let installs = try? InstallsFile.read(root: root) {
            for row in installs.rows {
                guard let name = row["name"]?.stringValue else {
                    loaded.warnings.append(
                        Diagnostic(
                            code: "INVALID_INSTALL_ROW", message: "installs.yaml has a row without a name; kept as is",
                            path: InstallsFile.path))
                    continue
                }
                if !packNames.contains(name) {
                    loaded.warnings.append(
                        Diagnostic(
                            code: "PACK_MISSING",
                            message:
                                "pack '\(name)' is recorded in installs.yaml but .agentsmesh/packs/\(name) is missing; run `agentsmesh install --sync`",
                            path: InstallsFile.path))
                }
            }
        }
        for name in packNames {
            let folder = root + "/" + packsFolder + "/" + name
            let pack = try CanonicalStore.load(canonicalRoot: folder, displayPrefix: "\(packsFolder)/\(name)/") { path, reason in
                loaded.warnings.append(
                    Diagnostic(
                        code: "PACK_FILE_BROKEN", message: "\(packsFolder)/\(name)/\(path): \(reason); skipped",
                        path: "\(packsFolder)/\(name)/\(path)"))
            }
            loaded.warnings += pack.warnings
            merge(pack.project, named: name, into: &loaded)
            if let hash = packHash(folder: folder) { loaded.packs[name] = hash }
        }
        if !extends.isEmpty { mergeExtends(extends, into: &loaded, projectEvents: projectEvents) }
        return loaded
    }

    /// Folds the extends (a later entry beats an earlier one; the last root wins), then merges that layer
    /// under the project and packs. Hooks: an event the project defines ignores every extend's list for it;
    /// otherwise the extends' list comes first and the packs' entries follow it.
    static func mergeExtends(_ extends: [LoadedExtend], into loaded: inout LoadedCanonical, projectEvents: Set<String>) {
        var layer = LoadedCanonical(project: CanonicalProject(), checksums: [:], warnings: [])
        var rootOwner = "extends"
        for extend in extends.reversed() {
            if layer.project.root == nil, extend.project.root != nil { rootOwner = extend.name }
            merge(extend.project, named: extend.name, layer: .extend, into: &layer)
        }
        loaded.warnings += layer.warnings
        let extendHooks = layer.project.hooks
        layer.project.hooks = nil
        merge(layer.project, named: rootOwner, layer: .extend, into: &loaded)
        guard let hooks = extendHooks?.events, !hooks.isEmpty else { return }
        var merged = loaded.project.hooks ?? Hooks()
        for (event, entries) in hooks where !projectEvents.contains(event) {
            var seen = Set(entries.map(\.identity))
            let packEntries = merged.entries(for: event).filter { seen.insert($0.identity).inserted }
            if let index = merged.events.firstIndex(where: { $0.event == event }) {
                merged.events[index].entries = entries + packEntries
            } else {
                merged.events.append((event, entries))
            }
        }
        loaded.project.hooks = merged
    }

    /// Where merged content comes from: packs warn when shadowed, extends override quietly (that is
    /// what they are for).
    enum Layer { case pack, extend }

    /// `content_hash` from `pack.yaml`, else computed from the folder.
    static func packHash(folder: String) -> String? {
        if let bytes = try? FileSystem.readIfExists(folder + "/pack.yaml", displayPath: "pack.yaml"),
            let object = try? ConfigLoader.parseMapping(bytes, path: "pack.yaml"), let hash = object["content_hash"]?.stringValue
        {
            return hash
        }
        return ContentHash.folder(folder, excluding: ["pack.yaml", ".agentsmesh-install-manifest.json"])
    }

    static func merge(_ pack: CanonicalProject, named packName: String, layer: Layer = .pack, into loaded: inout LoadedCanonical) {
        var project = loaded.project
        let label = layer == .pack ? "pack" : "extend"
        func shadowed(_ kind: String, _ name: String) {
            guard layer == .pack else { return }
            loaded.warnings.append(
                Diagnostic(
                    code: "PACK_SHADOWED",
                    message: "\(kind) '\(name)' from pack '\(packName)' is shadowed by an existing \(kind) of the same name"))
        }
        // Names already taken (the project's, then each one merged): a pack can hold thousands of entities.
        var ruleNames = Set(project.rules.lazy.filter { !$0.isRoot }.map(\.name))
        var commandNames = Set(project.commands.map(\.name))
        var agentNames = Set(project.agents.map(\.name))
        var skillNames = Set(project.skills.map(\.name))
        /// Appends `item` unless its name is taken (then warns); `place` sets its canonical path first.
        func adopt<Item>(
            _ item: Item, _ kind: String, _ name: String, _ names: inout Set<String>, into list: inout [Item],
            place: (inout Item) -> Void = { _ in }
        ) {
            guard names.insert(name).inserted else { return shadowed(kind, name) }
            var item = item
            place(&item)
            list.append(item)
        }
        for var rule in pack.rules {
            if rule.isRoot {
                if project.root == nil {
                    rule.path = "rules/_root.md"
                    project.rules.insert(rule, at: 0)
                    continue
                }
                loaded.warnings.append(
                    Diagnostic(code: "ROOT_DEMOTED", message: "root rule of \(label) '\(packName)' is demoted to rule '\(packName)-root'"))
                rule.isRoot = false
                rule.name = "\(packName)-root"
            }
            adopt(rule, "rule", rule.name, &ruleNames, into: &project.rules) { $0.path = "rules/\($0.name).md" }
        }
        for command in pack.commands {
            adopt(command, "command", command.name, &commandNames, into: &project.commands) {
                $0.path = "commands/\($0.slashPath).md"
            }
        }
        for agent in pack.agents {
            adopt(agent, "agent", agent.name, &agentNames, into: &project.agents) { $0.path = "agents/\($0.name).md" }
        }
        for skill in pack.skills {
            adopt(skill, "skill", skill.name, &skillNames, into: &project.skills)
        }
        if let servers = pack.mcpServers {
            var merged = project.mcpServers ?? JSONObject()
            for (name, server) in servers where merged[name] == nil { merged[name] = server }
            project.mcpServers = merged
        }
        if let permissions = pack.permissions {
            var merged = project.permissions ?? Permissions()
            func union(_ a: [String], _ b: [String]) -> [String] { a + b.filter { !a.contains($0) } }
            merged.allow = union(merged.allow, permissions.allow)
            merged.deny = union(merged.deny, permissions.deny)
            merged.ask = union(merged.ask, permissions.ask)
            project.permissions = merged
        }
        if let hooks = pack.hooks {
            var merged = project.hooks ?? Hooks()
            for (event, entries) in hooks.events {
                var seen = Set(merged.entries(for: event).map(\.identity))
                var added: [HookEntry] = []
                for entry in entries where !seen.contains(entry.identity) {
                    seen.insert(entry.identity)
                    added.append(entry)
                }
                if !added.isEmpty || merged.events.contains(where: { $0.event == event }) == false {
                    merged.append(added, to: event)
                }
            }
            project.hooks = merged
        }
        if let ignore = pack.ignore {
            var lines = project.ignore.map { $0.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
            while lines.last == "" { lines.removeLast() }
            for pattern in ignore.patterns where !lines.contains(pattern) { lines.append(pattern) }
            project.ignore = IgnoreFile(text: lines.joined(separator: "\n") + "\n")
        }
        loaded.project = project
    }
}

/// The §4.2 content hash: SHA-256 of `\n`-joined sorted `<relpath>:<sha256 hex>` lines.
public enum ContentHash {
    public static func folder(_ folder: String, excluding: Set<String> = []) -> String? {
        var lines: [String] = []
        for rel in FileSystem.walkFiles(folder) where !excluding.contains(rel) {
            guard let bytes = try? FileSystem.read(folder + "/" + rel, displayPath: rel) else { return nil }
            lines.append(rel + ":" + SHA256.hex(bytes))
        }
        return "sha256:" + SHA256.hex(lines.sorted(by: FileSystem.byteOrder).joined(separator: "\n"))
    }

    /// The same hash from already computed `relpath → sha256 hex` pairs.
    public static func fromHexes(_ hexes: [String: String]) -> String {
        let lines = hexes.map { $0.key + ":" + $0.value }
        return "sha256:" + SHA256.hex(lines.sorted(by: FileSystem.byteOrder).joined(separator: "\n"))
    }
}
