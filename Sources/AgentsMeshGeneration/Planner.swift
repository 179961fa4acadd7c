public import AgentsMeshCanonical
internal import AgentsMeshKit
public import AgentsMeshPacks
public import AgentsMeshProjectors
public import SharedCore

/// The status of one output in a plan.
public enum FileStatus: String, Sendable, Equatable {
    case create, update, unchanged, delete
}

/// One resolved output: final bytes, lock hash and status against disk.
public struct PlannedFile: Sendable, Equatable {
    public var path: String
    public var target: String
    public var kind: OutputKind
    public var bytes: [UInt8]
    public var hash: String
    public var status: FileStatus
    /// The bytes on disk before the run (for diff).
    public var previous: [UInt8]?
}

/// One file the plan deletes (stale output or superseded file).
public struct PlannedDeletion: Sendable, Equatable {
    public var path: String
    public var target: String
    public var previous: [UInt8]?
}

/// Everything generate would do, computed in memory (stages 2–7 of §4.1).
public struct GeneratePlan: Sendable {
    public var root: String
    public var config: ProjectConfig
    public var runTargets: [String]
    public var files: [PlannedFile]
    public var deletions: [PlannedDeletion]
    public var warnings: [Diagnostic]
    public var previousLock: Lockfile?
    public var newLock: Lockfile
    /// Managed folders of the run targets (for removing emptied sub-folders).
    public var managedFolders: [String]

    /// Whether anything would be written or deleted.
    public var hasChanges: Bool { !deletions.isEmpty || files.contains { $0.status != .unchanged } }
}

/// Builds generate plans; read-only.
public enum Planner {
    /// Plans a generate run for `targets` (nil = config targets).
    public static func plan(
        root: String, targets requested: [String]?, force: Bool, extendsMode: ExtendsCacheMode = .cached,
        environment: [String: String] = ProcessEnvironment.current
    ) throws(ToolError) -> GeneratePlan {
        let config = try ConfigLoader.load(root: root)
        var warnings: [Diagnostic] = []
        let runIds = runTargets(config: config, requested: requested)
        for id in runIds where Targets.projector(id) == nil {
            warnings.append(
                Diagnostic(
                    code: "TARGET_NOT_IMPLEMENTED", message: "target '\(id)' is planned but not implemented yet; skipped", target: id))
        }
        let projectors = runIds.compactMap { Targets.projector($0) }

        let extends = try ExtendsResolver(root: root, environment: environment, mode: extendsMode).resolve(config.extendEntries)
        warnings += extends.warnings
        let loaded = try PackMerge.loadMerged(root: root, extends: extends.extends)
        StageTimer.lap("plan.load")
        warnings += loaded.warnings
        let canonical = loaded.project
        let previousLock = try readLockTolerant(root: root)

        if projectors.contains(where: { config.features(for: $0.id).contains(.rules) }), canonical.root == nil {
            warnings.append(
                Diagnostic(
                    code: "ROOT_MISSING", message: ".agentsmesh/rules/_root.md is missing; no root instruction files are generated",
                    path: ".agentsmesh/rules/_root.md"))
        }
        if config.collaborationStrategy == "lock", !force {
            try checkLockedFeatures(config: config, checksums: loaded.checksums, lock: previousLock)
        }
        for event in canonical.unknownHookEvents {
            warnings.append(
                Diagnostic(
                    code: "UNKNOWN_HOOK_EVENT", message: "hooks.yaml event '\(event)' is not a known event; skipped",
                    path: ".agentsmesh/hooks.yaml"))
        }

        // Stage 5–6: project, mirror, collisions.
        // Targets project one after the other, each on all cores (rules and commands are projected in
        // parallel inside a projector; libdispatch would run those on one thread if the targets were
        // themselves a parallel loop). Their outputs join in target order.
        var outputs: [OutputFile] = []
        let projectRoot = SafePath(root: root).root
        let scans = ReferenceScans()
        let projections = projectors.map { projector in
            let context = ProjectionContext(
                config: config, features: config.features(for: projector.id), projectRoot: projectRoot, scans: scans)
            let projection = projector.project(canonical, context: context)
            StageTimer.lap("project." + projector.id)
            return projection
        }
        StageTimer.lap("plan.project")
        for projection in projections {
            outputs += projection.files
            warnings += projection.warnings
        }
        if let mirrorOwner = projectors.first(where: {
            [TargetID.cursor, TargetID.geminiCLI].contains($0.id) && config.features(for: $0.id).contains(.rules)
        }),
            let rootRule = canonical.root
        {
            let rebaser = mirrorOwner.forwardRebaser(canonical, projectRoot: projectRoot, scans: scans)
            let body = rebaser.rebase(rootRule.body.trimmedWhitespace(), from: ".agentsmesh/" + rootRule.path, to: "AGENTS.md")
            outputs.append(
                .text("AGENTS.md", mirrorOwner.id, ManagedBlocks.withContract(body, enabled: config.generationContract), kind: .mirror))
        }
        var chosen: [String: OutputFile] = [:]
        var order: [String] = []
        for file in outputs {
            guard let existing = chosen[file.path] else {
                chosen[file.path] = file
                order.append(file.path)
                continue
            }
            if existing.content == file.content { continue }
            if existing.kind == .mirror && file.kind != .mirror {
                chosen[file.path] = file
                continue
            }
            if file.kind == .mirror { continue }
            warnings.append(
                Diagnostic(
                    code: "OUTPUT_COLLISION",
                    message: "\(file.path) is produced differently by \(existing.target) and \(file.target); \(existing.target) wins",
                    path: file.path, target: file.target))
        }

        StageTimer.lap("plan.collisions")
        // Stage 7: boundary check before anything is read or written.
        let safe = SafePath(root: root)
        let managedFolders = projectors.flatMap(\.managedFolders)
        let survey = try safe.checkAll(order + managedFolders + projectors.flatMap(\.managedFiles))

        StageTimer.lap("plan.boundary")
        // Resolve contents against disk.
        let candidates = order.sorted(by: FileSystem.byteOrder).compactMap { chosen[$0] }
        StageTimer.lap("plan.sort")
        let files = try Parallel.map(candidates, grain: 32) { (file) throws(ToolError) -> PlannedFile? in
            let absolute = root + "/" + file.path
            // The boundary check already looked at each path (or found a folder above it missing).
            let kind = survey.kind(of: file.path) ?? FileSystem.kind(absolute)
            let existing = kind == .file ? try FileSystem.read(absolute, displayPath: file.path) : nil
            guard let resolved = try CoOwnedMerge.resolve(file, existing: existing) else { return nil }
            let status: FileStatus = existing == nil ? .create : existing == resolved.bytes ? .unchanged : .update
            return PlannedFile(
                path: file.path, target: file.target, kind: file.kind, bytes: resolved.bytes, hash: resolved.hash, status: status,
                previous: existing)
        }.compactMap { $0 }
        StageTimer.lap("plan.resolve")
        let produced = Set(files.map(\.path))

        // Stale cleanup plan.
        var deletions: [PlannedDeletion] = []
        let coOwned = Set(projectors.flatMap(\.coOwnedFiles))
        func owner(_ path: String) -> String? {
            for projector in projectors {
                if projector.managedFiles.contains(path) || projector.managedFolders.contains(where: { path.hasPrefix($0 + "/") }) {
                    return projector.id
                }
            }
            return nil
        }
        for path in (previousLock?.outputs ?? [:]).keys.sorted(by: FileSystem.byteOrder)
        where !produced.contains(path) && !coOwned.contains(path) {
            guard let target = owner(path) else { continue }
            let absolute = root + "/" + path
            guard FileSystem.kind(absolute) == .file else { continue }
            _ = try safe.resolve(path)
            deletions.append(PlannedDeletion(path: path, target: target, previous: try? FileSystem.read(absolute, displayPath: path)))
        }
        if produced.contains("CLAUDE.md"), FileSystem.kind(root + "/.claude/CLAUDE.md") == .file {
            deletions.append(
                PlannedDeletion(
                    path: ".claude/CLAUDE.md", target: TargetID.claudeCode,
                    previous: try? FileSystem.read(root + "/.claude/CLAUDE.md", displayPath: ".claude/CLAUDE.md")))
        }
        // Files in managed folders that no lock lists and this run does not produce (the set of known paths
        // is only built when the folders hold files: never on a first run).
        let found = projectors.flatMap { projector in
            projector.managedFolders.flatMap { folder in
                FileSystem.walkFiles(root + "/" + folder).filter { !$0.hasSuffix(".tmp") && Targets.mayGenerate($0, in: folder) }
                    .map { (path: folder + "/" + $0, target: projector.id) }
            }
        }
        if !found.isEmpty {
            let known = Set((previousLock?.outputs ?? [:]).keys).union(produced)
            for file in found where !known.contains(file.path) {
                warnings.append(unmanagedWarning(path: file.path, target: file.target))
            }
        }

        StageTimer.lap("plan.stale")
        // Stage 9 (computed): the new lock.
        let enabled = config.targets.filter { Targets.projector($0) != nil }
        let fullRun = enabled.allSatisfy { id in projectors.contains { $0.id == id } }
        var lock = Lockfile()
        lock.generatedAt = Clock.isoNow()
        lock.generatedBy = ProcessEnvironment.value("USER") ?? ProcessEnvironment.value("USERNAME") ?? "unknown"
        lock.libVersion = AgentsMeshVersion.current
        lock.packs = loaded.packs
        let newOutputs = Dictionary(files.map { ($0.path, $0.hash) }, uniquingKeysWith: { a, _ in a })
        if fullRun {
            lock.checksums = loaded.checksums
            lock.extends = Dictionary(extends.extends.map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })
            lock.outputs = newOutputs
            lock.staleTargets = []
        } else {
            lock.checksums = previousLock?.checksums ?? [:]
            lock.extends = previousLock?.extends ?? [:]
            var merged = previousLock?.outputs ?? [:]
            for deletion in deletions { merged[deletion.path] = nil }
            for (path, hash) in newOutputs { merged[path] = hash }
            lock.outputs = merged
            let runSet = Set(projectors.map(\.id))
            var stale = (previousLock?.staleTargets ?? []).filter { !runSet.contains($0) }
            for id in enabled where !runSet.contains(id) && !stale.contains(id) { stale.append(id) }
            lock.staleTargets = enabled.filter { stale.contains($0) } + stale.filter { !enabled.contains($0) }
        }
        StageTimer.lap("plan.lock")
        return GeneratePlan(
            root: root, config: config, runTargets: projectors.map(\.id), files: files, deletions: deletions,
            warnings: warnings, previousLock: previousLock, newLock: lock, managedFolders: managedFolders)
    }

    static let unmanagedCode = "UNMANAGED_FILE"

    /// The warning for a file found in a managed folder that no run produced or recorded.
    static func unmanagedWarning(path: String, target: String) -> Diagnostic {
        Diagnostic(
            code: unmanagedCode, message: "\(path) is not generated by agentsmesh; move it into .agentsmesh/ or delete it", path: path,
            target: target)
    }

    /// Config order filtered by `--targets`; requested ids missing from config are appended.
    static func runTargets(config: ProjectConfig, requested: [String]?) -> [String] {
        guard let requested else { return config.targets }
        return config.targets.filter { requested.contains($0) } + requested.filter { !config.targets.contains($0) }
    }

    /// A lock that cannot be parsed (e.g. conflict markers) is treated as absent by generate.
    static func readLockTolerant(root: String) throws(ToolError) -> Lockfile? {
        guard let bytes = try FileSystem.readIfExists(root + "/" + Lockfile.path, displayPath: Lockfile.path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        if Lockfile.hasConflictMarkers(text) { return nil }
        return try? Lockfile.parse(text)
    }

    static func checkLockedFeatures(config: ProjectConfig, checksums: [String: String], lock: Lockfile?) throws(ToolError) {
        guard let lock else { return }
        func feature(of path: String) -> Feature? {
            switch path {
            case "mcp.json": return .mcp
            case "hooks.yaml": return .hooks
            case "permissions.yaml": return .permissions
            case "ignore": return .ignore
            default: return Feature(rawValue: String(path.split(separator: "/").first ?? ""))
            }
        }
        var changed: [String] = []
        for path in Set(checksums.keys).union(lock.checksums.keys).sorted(by: FileSystem.byteOrder) {
            guard let f = feature(of: path), config.lockFeatures.contains(f) else { continue }
            if checksums[path] != lock.checksums[path] { changed.append(path) }
        }
        if !changed.isEmpty {
            throw ToolError(
                ErrorCode.lockedFeature,
                "locked canonical files changed: \(changed.map { ".agentsmesh/" + $0 }.joined(separator: ", ")); use --force to generate anyway",
                details: ["paths": .strings(changed)])
        }
    }
}
