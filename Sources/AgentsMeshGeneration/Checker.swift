internal import AgentsMeshCanonical
internal import AgentsMeshKit
internal import AgentsMeshLessons
internal import AgentsMeshPacks
internal import AgentsMeshProjectors
internal import Dispatch
public import SharedCore

/// The result of `check` (§4.4).
public struct CheckResult: Sendable, Equatable {
    public var modified: [String] = []
    public var added: [String] = []
    public var removed: [String] = []
    public var extendsChanged: [String] = []
    public var staleTargets: [String] = []
    public var outputsModified: [String] = []
    public var outputsRemoved: [String] = []
    public var outputsStale: [String] = []
    public var outputsChecked = false
    public var lockConflict = false
    public var lessonsGraphError: ToolError?

    public var canonicalDrift: Bool {
        !modified.isEmpty || !added.isEmpty || !removed.isEmpty || !extendsChanged.isEmpty || !staleTargets.isEmpty
    }
    public var outputDrift: Bool { !outputsModified.isEmpty || !outputsRemoved.isEmpty || !outputsStale.isEmpty }
    public var inSync: Bool { !canonicalDrift && !outputDrift && !lockConflict && lessonsGraphError == nil }

    /// What is out of sync and, for each kind, the command that really fixes it (one line each).
    public var advice: String {
        var lines: [String] = []
        func list(_ paths: [String]) -> String {
            paths.count <= 5 ? paths.joined(separator: ", ") : paths.prefix(5).joined(separator: ", ") + " and \(paths.count - 5) more"
        }
        if lockConflict { lines.append(".agentsmesh/.lock has git conflict markers: run `agentsmesh merge`") }
        let canonical = modified + added + removed
        if !canonical.isEmpty {
            lines.append(
                "canonical files changed since the last generate (\(list(canonical.map { ".agentsmesh/" + $0 }))): run `agentsmesh generate`"
            )
        }
        if !extendsChanged.isEmpty { lines.append("extends changed (\(list(extendsChanged))): run `agentsmesh generate`") }
        if !staleTargets.isEmpty { lines.append("targets skipped by the last generate (\(list(staleTargets))): run `agentsmesh generate`") }
        if !outputsModified.isEmpty {
            lines.append(
                "generated files were edited (\(list(outputsModified))): keep the edits with `agentsmesh import --from <target>`, or discard them with `agentsmesh generate`"
            )
        }
        if !outputsRemoved.isEmpty { lines.append("generated files were deleted (\(list(outputsRemoved))): run `agentsmesh generate`") }
        if !outputsStale.isEmpty {
            lines.append(
                "files agentsmesh did not generate sit in folders it manages (\(list(outputsStale))): bring them into .agentsmesh/ with `agentsmesh import --from <target>`, or delete them (`agentsmesh generate` does not remove them)"
            )
        }
        if let error = lessonsGraphError { lines.append("lessons graph unreadable (\(error.message)): run `agentsmesh lessons validate`") }
        return lines.joined(separator: "\n")
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["inSync"] = .bool(inSync)
        object["canonicalDrift"] = .bool(canonicalDrift)
        object["outputDrift"] = .bool(outputDrift)
        object["modified"] = .strings(modified)
        object["added"] = .strings(added)
        object["removed"] = .strings(removed)
        object["extendsChanged"] = .strings(extendsChanged)
        object["staleTargets"] = .strings(staleTargets)
        object["outputsModified"] = .strings(outputsModified)
        object["outputsRemoved"] = .strings(outputsRemoved)
        object["outputsStale"] = .strings(outputsStale)
        object["outputsChecked"] = .bool(outputsChecked)
        object["lockConflict"] = .bool(lockConflict)
        if let error = lessonsGraphError {
            object["lessonsGraphError"] = ["code": .string(error.code), "message": .string(error.message)]
        } else {
            object["lessonsGraphError"] = .null
        }
        return .object(object)
    }
}

/// Drift detection against `.agentsmesh/.lock` without running the full projection.
public enum Checker {
    /// `environment` is what extends are fetched with (cache folder, tokens, `AGENTSMESH_ALLOW_*`).
    public static func check(
        root: String, verifyOutputs: Bool = true, environment: [String: String] = ProcessEnvironment.current
    ) throws(ToolError) -> CheckResult {
        if let clean = cachedClean(root: root, verifyOutputs: verifyOutputs) { return clean }
        return try fullCheck(root: root, verifyOutputs: verifyOutputs, environment: environment)
    }

    /// The clean result, when the stat cache recorded by the last generate says `check` is clean there and
    /// every recorded stat still matches (racy entries re-verified by content). Nil otherwise.
    static func cachedClean(root: String, verifyOutputs: Bool) -> CheckResult? {
        guard let cache = StatCache.load(root: root, key: GenerateCache.key(root: root)),
            let record = cache.records.first(where: { $0.hasPrefix(GenerateCache.checkCleanRecord) }),
            cache.validate(root: root, listingExcludes: GenerateCache.transient) != nil
        else { return nil }
        var result = CheckResult()
        result.outputsChecked = verifyOutputs && record.hasSuffix("1")
        result.lessonsGraphError = LessonsService.graphReadError(root: root)
        return result
    }

    /// Names of extends whose resolution differs from the lock's (or that one of the two lacks), sorted.
    static func extendsChanged(root: String, config: ProjectConfig, lock: Lockfile, environment: [String: String]) throws(ToolError)
        -> [String]
    {
        let entries = config.extendEntries
        guard !entries.isEmpty || !lock.extends.isEmpty else { return [] }
        let resolved = try ExtendsResolver(root: root, environment: environment).resolve(entries)
        var changed: Set<String> = Set(lock.extends.keys).subtracting(entries.map(\.name))
        for extend in resolved.extends where lock.extends[extend.name] != extend.id { changed.insert(extend.name) }
        return changed.sorted(by: FileSystem.byteOrder)
    }

    /// `check` without the stat cache's clean record (the cache may still answer for unchanged files).
    static func fullCheck(root: String, verifyOutputs: Bool, environment: [String: String]) throws(ToolError) -> CheckResult {
        guard let bytes = try FileSystem.readIfExists(root + "/" + Lockfile.path, displayPath: Lockfile.path) else {
            throw ToolError(ErrorCode.notFound, ".agentsmesh/.lock not found; run agentsmesh generate")
        }
        var result = CheckResult()
        let text = String(decoding: bytes, as: UTF8.self)
        if Lockfile.hasConflictMarkers(text) {
            result.lockConflict = true
            return result
        }
        // The lock and the stat cache (an accelerator only: it answers for files whose stat is unchanged and
        // settled) are parsed side by side.
        let loads = Parallel.all([
            { @Sendable in Startup.lock(Result { () throws(ToolError) in try Lockfile.parse(text) }) },
            { @Sendable in Startup.cache(StatCache.load(root: root, key: GenerateCache.key(root: root)).map { ($0, $0.index()) }) },
        ])
        guard case .lock(let parsed) = loads[0], case .cache(let loaded) = loads[1] else { return result }
        let lock = try parsed.get()
        let config = try ConfigLoader.load(root: root)
        let cache = loaded?.0
        let cached = loaded?.1 ?? [:]
        @Sendable func cachedHash(_ path: String, _ stat: FileStat) -> String? {
            guard let cache, let entry = cached[path], cache.trusts(entry, current: stat) else { return nil }
            return entry.hash
        }
        // Three independent scans run side by side: canonical checksums, the lstat of every recorded
        // output, and the listing of the managed folders (results are used in the original order).
        let outputPaths = verifyOutputs ? (lock.outputs?.keys.sorted(by: FileSystem.byteOrder) ?? []) : []
        let managedFolders =
            verifyOutputs && lock.outputs != nil ? config.targets.compactMap { Targets.projector($0) }.flatMap(\.managedFolders) : []
        // The output lstats are split in chunks so the scans balance across cores.
        let chunk = 512
        var jobs: [Scan] = [.canonical] + managedFolders.indices.map { Scan.managed($0) }
        for start in stride(from: 0, to: outputPaths.count, by: chunk) {
            jobs.append(.outputs(start..<min(outputPaths.count, start + chunk)))
        }
        var canonical: Result<[String: String], ToolError> = .success([:])
        var outputStats: [FileStat] = []
        var managedFiles: [[String]] = []
        for scanned in try Parallel.map(
            jobs, grain: 1,
            { job -> Scanned in
                switch job {
                case .canonical:
                    return .canonical(
                        Result { () throws(ToolError) -> [String: String] in
                            try CanonicalStore.checksums(root: root) { (display: String, absolute: String) throws(ToolError) -> String in
                                if let hash = cachedHash(display, FileStat.of(absolute)) { return hash }
                                return SHA256.tagged(try FileSystem.read(absolute, displayPath: display))
                            }
                        })
                case .managed(let index):
                    return .managed(FileSystem.walkFiles(root + "/" + managedFolders[index]))
                case .outputs(let range):
                    return .outputs(outputPaths[range].map { FileStat.of(root + "/" + $0) })
                }
            })
        {
            switch scanned {
            case .canonical(let value): canonical = value
            case .managed(let value): managedFiles.append(value)
            case .outputs(let value): outputStats += value
            }
        }
        let current = try canonical.get()
        for path in current.keys.sorted(by: FileSystem.byteOrder) {
            if let locked = lock.checksums[path] {
                if locked != current[path] { result.modified.append(path) }
            } else {
                result.added.append(path)
            }
        }
        result.removed = lock.checksums.keys.filter { current[$0] == nil }.sorted(by: FileSystem.byteOrder)
        result.staleTargets = lock.staleTargets.sorted(by: FileSystem.byteOrder)
        result.lessonsGraphError = LessonsService.graphReadError(root: root)
        result.extendsChanged = try extendsChanged(root: root, config: config, lock: lock, environment: environment)

        guard verifyOutputs, let outputs = lock.outputs else { return result }
        result.outputsChecked = true
        let coOwned = try coOwnedDescriptors(root: root, config: config, checksums: current)
        for (path, stat) in zip(outputPaths, outputStats) {
            let absolute = root + "/" + path
            if coOwned[path] == nil, stat.kind == .file, let hash = cachedHash(path, stat) {
                if hash != outputs[path] { result.outputsModified.append(path) }
                continue
            }
            guard stat.kind == .file, let disk = try? FileSystem.read(absolute, displayPath: path) else {
                result.outputsRemoved.append(path)
                continue
            }
            let hash: String?
            if let descriptor = coOwned[path] {
                hash = CoOwnedMerge.diskHash(descriptor, bytes: disk)
            } else {
                hash = SHA256.tagged(disk)
            }
            if hash != outputs[path] { result.outputsModified.append(path) }
        }
        var stale: Set<String> = []
        for (folder, files) in zip(managedFolders, managedFiles) {
            for rel in files where outputs[folder + "/" + rel] == nil && Targets.mayGenerate(rel, in: folder) {
                stale.insert(folder + "/" + rel)
            }
        }
        result.outputsStale = stale.sorted(by: FileSystem.byteOrder)
        return result
    }

    /// The co-owned outputs generate would produce, projected from the settings files only,
    /// so owned-key hashing matches generate exactly.
    static func coOwnedDescriptors(root: String, config: ProjectConfig, checksums: [String: String]) throws(ToolError) -> [String:
        OutputFile]
    {
        var partial = CanonicalProject()
        let base = root + "/.agentsmesh/"
        if let bytes = try FileSystem.readIfExists(base + "mcp.json", displayPath: ".agentsmesh/mcp.json") {
            partial.mcpServers = try SettingsParsing.mcpServers(bytes, path: ".agentsmesh/mcp.json")
        }
        if let bytes = try FileSystem.readIfExists(base + "permissions.yaml", displayPath: ".agentsmesh/permissions.yaml") {
            partial.permissions = try SettingsParsing.permissions(bytes, path: ".agentsmesh/permissions.yaml")
        }
        if let bytes = try FileSystem.readIfExists(base + "hooks.yaml", displayPath: ".agentsmesh/hooks.yaml") {
            partial.hooks = try SettingsParsing.hooks(bytes, path: ".agentsmesh/hooks.yaml")
        }
        if checksums.keys.contains(where: { $0.hasPrefix("agents/") }) {
            partial.agents = [Agent(name: "probe", path: "agents/probe.md", body: "")]
        }
        // Rules make Gemini's settings carry the `context.fileName` key (ensured, not hashed).
        if checksums.keys.contains(where: { $0.hasPrefix("rules/") }) {
            partial.rules = [Rule(name: "_root", path: "rules/_root.md", isRoot: true, body: "")]
        }
        var out: [String: OutputFile] = [:]
        for projector in config.targets.compactMap({ Targets.projector($0) }) {
            let context = ProjectionContext(config: config, features: config.features(for: projector.id), projectRoot: root)
            for file in projector.project(partial, context: context).files where file.kind == .coOwned {
                out[file.path] = file
            }
        }
        return out
    }
}

/// The independent parts of `check`'s scan.
private enum Scan: Sendable {
    case canonical
    case managed(Int)
    case outputs(Range<Int>)
}

private enum Scanned: Sendable {
    case canonical(Result<[String: String], ToolError>)
    case managed([String])
    case outputs([FileStat])
}

/// The two loads at the start of `check`.
private enum Startup: Sendable {
    case lock(Result<Lockfile, ToolError>)
    case cache((StatCache, [String: StatCache.Entry])?)
}
