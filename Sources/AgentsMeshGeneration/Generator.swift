public import AgentsMeshCanonical
internal import AgentsMeshKit
internal import AgentsMeshLessons
public import AgentsMeshPacks
internal import AgentsMeshProjectors
public import SharedCore

/// Options of `generate` (§4.1).
public struct GenerateOptions: Sendable {
    public var targets: [String]?
    public var dryRun = false
    public var check = false
    public var force = false
    /// Seconds to wait for `.generate.lock` (0 = fail at once, as MCP does).
    public var lockTimeout: Double = 30
    /// The verb recorded in the process lock.
    public var command = "generate"
    /// How remote extends are read: from the cache, re-fetched (`--refresh-cache`), or uncached (`--no-cache`).
    public var extendsMode: ExtendsCacheMode = .cached
    /// The environment extends are fetched with (cache folder, tokens, `AGENTSMESH_ALLOW_*`).
    public var environment: [String: String] = ProcessEnvironment.current

    public init(targets: [String]? = nil, dryRun: Bool = false, check: Bool = false, force: Bool = false, lockTimeout: Double = 30) {
        self.targets = targets
        self.dryRun = dryRun
        self.check = check
        self.force = force
        self.lockTimeout = lockTimeout
    }
}

/// The outcome of a generate run (the `data` of §4.1).
public struct GenerateResult: Sendable {
    public var dryRun: Bool
    public var targets: [String]
    public var files: [(path: String, target: String, status: FileStatus)]
    public var lockfileUpdated: Bool
    public var warnings: [Diagnostic]

    public func count(_ status: FileStatus) -> Int { files.filter { $0.status == status }.count }

    /// Paths with pending changes.
    public var changes: [(path: String, target: String, status: FileStatus)] { files.filter { $0.status != .unchanged } }

    public var json: JSONValue {
        var object = JSONObject()
        object["dryRun"] = .bool(dryRun)
        object["targets"] = .strings(targets)
        object["files"] = .array(
            files.map { ["path": .string($0.path), "target": .string($0.target), "status": .string($0.status.rawValue)] })
        object["counts"] = [
            "create": .int(count(.create)), "update": .int(count(.update)), "unchanged": .int(count(.unchanged)),
            "delete": .int(count(.delete)),
        ]
        object["lockfileUpdated"] = .bool(lockfileUpdated)
        object["warnings"] = .array(warnings.map(\.json))
        return .object(object)
    }
}

/// Owns the generate lock: in-process callers are serialised by the actor, other processes by
/// `.agentsmesh/.generate.lock`.
public actor Generator {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// Runs generate; `--check` returns `DRIFT` when anything is pending.
    public func generate(_ options: GenerateOptions) async throws(ToolError) -> GenerateResult {
        if options.dryRun || options.check {
            let plan = try Planner.plan(
                root: root, targets: options.targets, force: options.force, extendsMode: options.extendsMode,
                environment: options.environment)
            let result = Self.result(plan, dryRun: true, lockUpdated: false)
            if options.check, plan.hasChanges || !(plan.previousLock.map { $0.sameContent(as: plan.newLock) } ?? false) {
                throw ToolError(ErrorCode.drift, "generated files are out of date; run `agentsmesh generate`", details: result.json)
            }
            if options.check, let graphError = LessonsService.graphReadError(root: root) {
                var details = result.json.objectValue ?? JSONObject()
                details["lessonsGraphError"] = ["code": .string(graphError.code), "message": .string(graphError.message)]
                throw ToolError(ErrorCode.drift, "the lessons graph cannot be read: \(graphError.message)", details: .object(details))
            }
            return result
        }
        StageTimer.lap("generate.begin")
        let lock = ProcessLock(root: root, relativePath: ".agentsmesh/.generate.lock")
        // Registered before acquiring: no suspension point may sit between acquire and release,
        // or a re-entrant call on this actor would spin on the file lock this call holds.
        await HeldLocks.shared.add(lock)
        let outcome = Result { () throws(ToolError) -> GenerateResult in
            try lock.acquire(command: options.command, timeout: options.lockTimeout)
            defer { lock.release() }
            // Temps an interrupted run left behind (its journal names them) go first.
            AtomicFile.recover(journal: root + "/" + Self.stagingJournal)
            let cacheable = GenerateCache.isCacheable(options)
            if cacheable, let result = GenerateCache.fastPath(root: root) { return result }
            let stamp = FileStat.clockNow()
            StageTimer.lap("generate.lock-and-fast-path")
            let pre = cacheable ? GenerateCache.collect(root: root, outputs: [], racyStamp: stamp) : nil
            StageTimer.lap("generate.pre-snapshot")
            let plan = try Planner.plan(
                root: root, targets: options.targets, force: options.force, extendsMode: options.extendsMode,
                environment: options.environment)
            if plan.hasChanges || !(plan.previousLock.map { $0.sameContent(as: plan.newLock) } ?? false) {
                // The stat cache describes the state before this run: drop it before anything changes.
                StatCache.remove(root: root)
            }
            // The lock text is prepared while the writes run (they mostly wait on folder locks).
            let lockJob = Parallel.background { plan.newLock.serialized() }
            let built = try Self.apply(plan)
            StageTimer.lap("generate.apply")
            let lockText = lockJob.wait()
            let lockUpdated = try Self.writeLock(plan, text: lockText)
            let writtenAt = FileStat.writtenBound()
            StageTimer.lap("generate.lock")
            // The result is built first: recording starts by waiting for the filesystem clock to pass this
            // run's writes, which this work usually covers.
            let result = Self.result(plan, dryRun: false, lockUpdated: lockUpdated)
            StageTimer.lap("generate.result")
            // Extends are read from outside the project: a run with any is never recorded for the fast path.
            if let pre, plan.config.extendEntries.isEmpty {
                GenerateCache.record(
                    root: root, plan: plan, pre: pre, stamp: stamp, writtenAt: writtenAt, lockUpdated: lockUpdated, lockText: lockText,
                    built: built)
            }
            StageTimer.lap("generate.record")
            return result
        }
        await HeldLocks.shared.remove(lock)
        return try outcome.get()
    }

    /// Stage 8 + 10: atomic writes, then deletions and emptied managed folders.
    /// Every changed file is written to its temp first (on all cores), co-owned temps are made durable, then
    /// each is renamed over its destination (no file is ever half-written). Returns what was built inside
    /// new folders, by project-relative path (see `AtomicFile.Batch.built`).
    @discardableResult
    static func apply(_ plan: GeneratePlan) throws(ToolError) -> BuiltEntries {
        var batch = AtomicFile.Batch(journal: plan.root + "/" + stagingJournal)
        defer { batch.discard() }
        StageTimer.lap("apply.begin")
        // Co-owned files also hold the user's own keys: they are flushed before the rename. Every other output
        // is derived from the canonical folder and is only renamed into place (see `AtomicFile`).
        try batch.stageAll(
            plan.files.filter { $0.status != .unchanged }.map {
                (bytes: $0.bytes, path: plan.root + "/" + $0.path, displayPath: $0.path, durable: $0.kind == .coOwned)
            }, root: plan.root)
        StageTimer.lap("apply.stage")
        try batch.commit()
        StageTimer.lap("apply.commit")
        for deletion in plan.deletions {
            try FileSystem.remove(plan.root + "/" + deletion.path, displayPath: deletion.path)
            removeEmptyParents(of: deletion.path, root: plan.root, managedFolders: plan.managedFolders)
        }
        return batch.built.relative(to: plan.root)
    }

    /// Removes folders emptied by deletions, up to and including the managed folder.
    static func removeEmptyParents(of path: String, root: String, managedFolders: [String]) {
        guard let folder = managedFolders.first(where: { path.hasPrefix($0 + "/") }) else { return }
        var current = path
        while let slash = current.lastIndex(of: "/") {
            current = String(current[..<slash])
            guard current.count >= folder.count, FileSystem.removeIfEmptyDirectory(root + "/" + current) else { break }
        }
    }

    /// Where a run notes its temps while it writes (removed when it is done; see `AtomicFile.recover`).
    static let stagingJournal = ".agentsmesh/.generate-staging.tmp"

    /// Stage 9: rewrites `.lock` only when its content changed.
    static func writeLock(_ plan: GeneratePlan, text: String) throws(ToolError) -> Bool {
        if let previous = plan.previousLock, previous.sameContent(as: plan.newLock),
            FileSystem.kind(plan.root + "/" + Lockfile.path) == .file
        {
            return false
        }
        try AtomicFile.write(text, to: plan.root + "/" + Lockfile.path, displayPath: Lockfile.path)
        return true
    }

    static func result(_ plan: GeneratePlan, dryRun: Bool, lockUpdated: Bool) -> GenerateResult {
        var files = plan.files.map { (path: $0.path, target: $0.target, status: $0.status) }
        // The planned files come in byte order already; only deletions need merging in.
        if !plan.deletions.isEmpty {
            files += plan.deletions.map { (path: $0.path, target: $0.target, status: FileStatus.delete) }
            files.sort { FileSystem.byteOrder($0.path, $1.path) }
        }
        return GenerateResult(dryRun: dryRun, targets: plan.runTargets, files: files, lockfileUpdated: lockUpdated, warnings: plan.warnings)
    }
}
