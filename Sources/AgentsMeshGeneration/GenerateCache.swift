internal import AgentsMeshCanonical
internal import AgentsMeshKit
internal import AgentsMeshPacks
internal import AgentsMeshProjectors
internal import SharedCore

/// The `.agentsmeshcache` stat cache of generate and check: a pure accelerator.
///
/// A full `generate` (no `--targets`, no `--force`) records the `lstat` identity of every path its plan
/// depends on — the config files, everything under `.agentsmesh/` (canonical files, packs, installs,
/// `.lock`; the top-level folder by its entry names), every managed folder/file and co-owned file of every
/// projector, `AGENTS.md`, `.claude/CLAUDE.md`, every output and their ancestors — together with the
/// content hashes it used and the result a re-run would give. A later generate whose every recorded stat
/// still matches (racy entries re-verified by content) answers with that result without loading or
/// projecting anything. `check` uses the recorded hashes instead of re-reading unchanged files.
enum GenerateCache {
    /// Top-level names of `.agentsmesh/` generate never reads (process locks, lessons, scratch).
    static let transient: Set<String> = [".generate.lock", ".install.lock", "lessons", ".lock.tmp"]

    /// Entries recorded for a cache built by another version or for another root are ignored.
    static func key(root: String) -> String {
        "v1 lib=\(AgentsMeshVersion.current) root=\(FileSystem.realPath(root) ?? root)"
    }

    struct Snapshot: Sendable {
        var order: [String] = []
        var stats: [String: FileStat] = [:]
        var listings: [String: String] = [:]
        /// Folder → hash of its entry names (as read while walking).
        var names: [String: String] = [:]
        /// Content hashes of files that were racy when the snapshot was taken (see `collect`).
        var hashes: [String: String] = [:]
    }

    /// lstat of every path a full plan depends on (see the type comment).
    /// With `racyStamp`, files racy against it are also hashed (read after their stat), so they can be
    /// re-verified by content later.
    ///
    /// With `carry` (the snapshot taken before a generate run), the entries below `.agentsmesh/` that the run
    /// does not write (everything but `.lock`) are taken from it instead of being walked again: the run read
    /// those files after `carry` was taken, so `carry` is what its plan depends on (a change since then
    /// shows as a stat mismatch the next time the cache is used).
    ///
    /// With `known` (what the run built inside new folders: their stats when written and their entry names),
    /// those entries are taken as they are instead of being stat'd and listed again.
    static func collect(
        root: String, outputs: [String], racyStamp: Int64? = nil, carry: Snapshot? = nil, known: BuiltEntries = BuiltEntries()
    ) -> Snapshot {
        var snapshot = Snapshot()
        // The big folders are walked on all cores first; the walk below (which decides order, de-duplication
        // and racy hashing) then reads their stats and listings from memory.
        let folder = CanonicalStore.folder
        let lockName = String(Lockfile.path.dropFirst(folder.count + 1))
        var carried: [String: [String]] = [:]
        if let carry {
            // The carried paths by their top-level name under `.agentsmesh/`.
            let prefix = folder + "/"
            for path in carry.order where path.utf8.count > prefix.utf8.count && path.utf8.starts(with: prefix.utf8) {
                let rest = path.utf8.dropFirst(prefix.utf8.count)
                let name = String(Substring(rest.prefix { $0 != UInt8(ascii: "/") }))
                if name != lockName { carried[name, default: []].append(path) }
            }
        }
        var roots = Targets.all.flatMap(\.managedFolders)
        for name in FileSystem.list(root + "/" + folder)
        where !transient.contains(name) && !StatCache.isScratch(name) && carried[name] == nil {
            // Installed packs are walked per pack folder so they spread over the cores too.
            let packs = name == "packs" ? FileSystem.list(root + "/" + folder + "/" + name) : []
            if !packs.isEmpty {
                for pack in packs {
                    let children = FileSystem.list(root + "/" + folder + "/packs/" + pack)
                    roots += children.isEmpty ? [folder + "/packs/" + pack] : children.map { folder + "/packs/" + pack + "/" + $0 }
                }
            } else {
                roots.append(folder + "/" + name)
            }
        }
        let early = prefetch(root: root, roots: roots, known: known)
        let expected = early.stats.count + outputs.count + (carry?.order.count ?? 0) + 64
        snapshot.stats.reserveCapacity(expected)
        snapshot.order.reserveCapacity(expected)
        snapshot.names.reserveCapacity(early.lists.count + 64)
        func single(_ path: String) -> FileStat? {
            guard snapshot.stats[path] == nil, !path.isEmpty else { return nil }
            let stat = early.stats[path] ?? known.stats[path] ?? FileStat.of(root + "/" + path)
            if let racyStamp, stat.kind == .file, stat.isRacy(stamp: racyStamp),
                let bytes = try? FileSystem.read(root + "/" + path, displayPath: path)
            {
                snapshot.hashes[path] = SHA256.tagged(bytes)
            }
            snapshot.stats[path] = stat
            snapshot.order.append(path)
            return stat
        }
        func listed(_ path: String) -> [String] {
            let names = early.lists[path] ?? known.listings[path] ?? FileSystem.list(root + "/" + path)
            snapshot.names[path] = StatCache.namesHash(names)
            return names
        }
        func tree(_ path: String) {
            guard let stat = single(path), stat.kind == .directory else { return }
            for name in listed(path) { tree(path + "/" + name) }
        }
        func ancestors(_ path: String) {
            for slash in path.utf8.indices where path.utf8[slash] == UInt8(ascii: "/") {
                let folder = String(path[..<slash])
                if single(folder)?.kind == .directory { _ = listed(folder) }
            }
        }
        _ = single(ConfigLoader.projectFile)
        _ = single(ConfigLoader.localFile)
        if single(folder)?.kind == .directory {
            snapshot.listings[folder] = StatCache.listingHash(root + "/" + folder, excluding: transient)
            for name in FileSystem.list(root + "/" + folder) where !transient.contains(name) && !StatCache.isScratch(name) {
                if let carry, let paths = carried[name] {
                    for path in paths where snapshot.stats[path] == nil {
                        guard let stat = carry.stats[path] else { continue }
                        snapshot.stats[path] = stat
                        snapshot.order.append(path)
                        if let names = carry.names[path] { snapshot.names[path] = names }
                        if let hash = carry.hashes[path] { snapshot.hashes[path] = hash }
                        if let listing = carry.listings[path] { snapshot.listings[path] = listing }
                    }
                } else {
                    tree(folder + "/" + name)
                }
            }
        }
        var paths: [String] = []
        for projector in Targets.all {
            paths += projector.managedFolders + projector.managedFiles + projector.coOwnedFiles
        }
        paths += ["AGENTS.md", ".claude/CLAUDE.md"] + outputs
        // A path already recorded (an output found by a managed folder's walk) has every ancestor recorded
        // and listed too: the managed folders come first in `paths`, each after its own ancestors.
        for path in paths where snapshot.stats[path] == nil {
            ancestors(path)
            tree(path)
        }
        return snapshot
    }

    /// lstat and listings of every entry below `roots` (walked in parallel, symlinks not followed).
    static func prefetch(root: String, roots: [String], known: BuiltEntries = BuiltEntries()) -> (
        stats: [String: FileStat], lists: [String: [String]]
    ) {
        let walked = Parallel.transform(roots, grain: 1) { start -> (stats: [(String, FileStat)], lists: [(String, [String])]) in
            var stats: [(String, FileStat)] = []
            var lists: [(String, [String])] = []
            var stack = [start]
            while let path = stack.popLast() {
                let stat = known.stats[path] ?? FileStat.of(root + "/" + path)
                stats.append((path, stat))
                guard stat.kind == .directory else { continue }
                let names = known.listings[path] ?? FileSystem.list(root + "/" + path)
                lists.append((path, names))
                for name in names { stack.append(path + "/" + name) }
            }
            return (stats, lists)
        }
        var stats: [String: FileStat] = [:]
        var lists: [String: [String]] = [:]
        stats.reserveCapacity(walked.reduce(0) { $0 + $1.stats.count })
        for part in walked {
            for (path, stat) in part.stats { stats[path] = stat }
            for (path, names) in part.lists { lists[path] = names }
        }
        return (stats, lists)
    }

    static func isCacheable(_ options: GenerateOptions) -> Bool {
        options.targets == nil && !options.force && !options.dryRun && !options.check && options.extendsMode == .cached
    }

    // MARK: - Fast path

    /// The result of a no-op generate, when the cache proves nothing changed since it was recorded.
    static func fastPath(root: String) -> GenerateResult? {
        guard let cache = StatCache.load(root: root, key: key(root: root)), !cache.records.isEmpty else { return nil }
        StageTimer.lap("fast.load")
        var targets: [String]?
        var warnings: [Diagnostic] = []
        for record in cache.records {
            if record.hasPrefix("targets ") {
                guard let list = (try? JSONParser.parse(String(record.dropFirst(8))))?.stringList else { return nil }
                targets = list
            } else if record.hasPrefix(checkCleanRecord) {
                continue
            } else if record.hasPrefix("warning ") {
                guard let object = (try? JSONParser.parse(String(record.dropFirst(8))))?.objectValue,
                    let code = object["code"]?.stringValue, let message = object["message"]?.stringValue
                else { return nil }
                warnings.append(
                    Diagnostic(code: code, message: message, path: object["path"]?.stringValue, target: object["target"]?.stringValue))
            } else {
                return nil
            }
        }
        guard let targets else { return nil }
        let stamp = FileStat.clockNow()
        guard let validation = cache.validate(root: root, listingExcludes: transient) else { return nil }
        StageTimer.lap("fast.validate")
        if validation.verified {
            // Racy entries were re-verified by content after `stamp`: record them against it.
            var refreshed = cache
            refreshed.stamp = stamp
            for index in refreshed.entries.indices where !refreshed.entries[index].listing {
                refreshed.entries[index].racy = refreshed.entries[index].stat.isRacy(stamp: stamp)
            }
            refreshed.write(root: root)
            StageTimer.lap("fast.refresh")
        }
        var files: [(path: String, target: String, status: FileStatus)] = []
        for entry in cache.entries {
            if let tag = entry.tag { files.append((path: entry.path, target: tag, status: .unchanged)) }
        }
        files.sort { FileSystem.byteOrder($0.path, $1.path) }
        StageTimer.lap("fast.result")
        return GenerateResult(dryRun: false, targets: targets, files: files, lockfileUpdated: false, warnings: warnings)
    }

    // MARK: - Recording

    /// Records the cache after a full generate run that started (before planning) with `pre` taken at
    /// filesystem time `stamp` and made its last write before filesystem time `writtenAt`. Anything that
    /// changed under the run (other than by the run) drops the cache.
    static func record(
        root: String, plan: GeneratePlan, pre: Snapshot, stamp: Int64, writtenAt: Int64, lockUpdated: Bool, lockText: String,
        built: BuiltEntries = BuiltEntries()
    ) {
        var touched = Set(plan.files.filter { $0.status != .unchanged }.map(\.path))
        touched.formUnion(plan.deletions.map(\.path))
        if lockUpdated { touched.insert(Lockfile.path) }
        var touchedFolders: Set<String> = []
        var lastFolder: Substring = ""
        for path in touched {
            guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { continue }
            // Files of one folder add the same ancestors: only a new folder is walked up.
            if path[..<slash] == lastFolder { continue }
            lastFolder = path[..<slash]
            var current = lastFolder
            while true {
                guard touchedFolders.insert(String(current)).inserted else { break }
                guard let up = current.utf8.lastIndex(of: UInt8(ascii: "/")) else { break }
                current = current[..<up]
            }
        }
        var outputs: [String: (hash: String, target: String)] = [:]
        for file in plan.files {
            outputs[file.path] = (file.kind == .coOwned ? SHA256.tagged(file.bytes) : file.hash, file.target)
        }
        let canonicalPrefix = CanonicalStore.folder + "/"
        let lockHash = lockUpdated ? SHA256.tagged(Array(lockText.utf8)) : nil
        var postStamp = stamp
        if !touched.isEmpty {
            // Wait for the filesystem clock to pass our own writes, so they are recorded as settled.
            FileStat.waitForClock(after: writtenAt)
            postStamp = FileStat.clockNow()
        }
        StageTimer.lap("record.wait")
        let post = collect(root: root, outputs: plan.files.map(\.path), carry: pre, known: built)
        StageTimer.lap("record.collect")
        let newChecksums = plan.newLock.checksums
        // One entry per recorded path, built on all cores (each depends on its own path only); any
        // inconsistency drops the whole cache.
        let built = Parallel.transform(post.order, grain: 256) { [touched, touchedFolders, postStamp, outputs] path -> EntryOutcome in
            guard let stat = post.stats[path] else { return .skip }
            if let listing = post.listings[path] {
                guard pre.listings[path] == listing || lockUpdated else { return .abandon }
                return .entry(StatCache.Entry(path: path, stat: stat, hash: listing, listing: true))
            }
            let racy: Bool
            if touched.contains(path) || touchedFolders.contains(path) {
                racy = stat.isRacy(stamp: postStamp)
            } else if let before = pre.stats[path] {
                guard before == stat else { return .abandon }
                racy = stat.isRacy(stamp: stamp)
            } else {
                racy = true
            }
            var entry = StatCache.Entry(path: path, stat: stat, racy: racy)
            if stat.kind == .directory {
                // Folders are verified by their entry names when their timestamps are racy.
                guard let names = post.names[path] else { return .abandon }
                entry.hash = names
            }
            if let output = outputs[path] {
                guard stat.kind == .file else { return .abandon }
                entry.hash = output.hash
                entry.tag = output.target
            } else if path.hasPrefix(canonicalPrefix), stat.kind == .file,
                let hash = newChecksums[String(path.dropFirst(canonicalPrefix.count))]
            {
                entry.hash = hash
            } else if stat.kind == .file, !touched.contains(path), let hash = pre.hashes[path] {
                entry.hash = hash
            } else if path == Lockfile.path, let lockHash, stat.kind == .file {
                entry.hash = lockHash
            }
            return .entry(entry)
        }
        var entries: [StatCache.Entry] = []
        entries.reserveCapacity(built.count)
        var recordable = true
        for outcome in built {
            switch outcome {
            case .skip: continue
            case .abandon: return StatCache.remove(root: root)
            case .entry(let entry):
                if entry.stat.kind == .other { recordable = false }
                entries.append(entry)
            }
        }
        StageTimer.lap("record.entries")
        var cache = StatCache(key: key(root: root), stamp: postStamp, entries: entries)
        StageTimer.lap("record.cache")
        let projectors = plan.runTargets.compactMap { Targets.projector($0) }
        if recordable, let warnings = rerunWarnings(plan: plan, post: post, projectors: projectors) {
            cache.records.append("targets " + JSONEmitter.compact(.strings(plan.runTargets)))
            for warning in warnings { cache.records.append("warning " + JSONEmitter.compact(warning.json)) }
        }
        if recordable, isCheckClean(plan: plan, post: post, projectors: projectors) {
            cache.records.append(checkCleanRecord + (plan.newLock.outputs == nil ? "0" : "1"))
        }
        StageTimer.lap("record.records")
        cache.write(root: root)
    }

    /// One recorded path's part of the cache.
    enum EntryOutcome: Sendable {
        case skip, abandon
        case entry(StatCache.Entry)
    }

    /// Record saying a `check` of the recorded state finds nothing (`1`: with outputs in the lock, `0`: without).
    static let checkCleanRecord = "check-clean "

    /// Whether `check` on the recorded state is clean by construction: the lock was just computed from the
    /// canonical files the run read (unchanged under it, or the cache would not be recorded), the outputs
    /// on disk are the plan's bytes, the lock lists no stale target, and every file in the managed folders is
    /// a recorded output (anything else there, or anything that is neither file nor folder, is not clean).
    static func isCheckClean(plan: GeneratePlan, post: Snapshot, projectors: [any TargetProjector]) -> Bool {
        guard plan.newLock.staleTargets.isEmpty else { return false }
        let outputs = plan.newLock.outputs ?? [:]
        let managed = Array(Set(projectors.flatMap(\.managedFolders)))
        for path in post.order {
            guard managed.contains(where: { FileSystem.isInside(path, $0) }) else { continue }
            guard let stat = post.stats[path] else { return false }
            switch stat.kind {
            case .directory: continue
            case .file: if outputs[path] == nil { return false }
            default: return false
            }
        }
        return true
    }

    /// The warnings a re-run on the recorded state gives: the plan's, with `UNMANAGED_FILE` recomputed
    /// against the new lock and the folders as they are now. Nil when that cannot be derived.
    static func rerunWarnings(plan: GeneratePlan, post: Snapshot, projectors: [any TargetProjector]) -> [Diagnostic]? {
        var warnings = plan.warnings.filter { $0.code != Planner.unmanagedCode }
        let known = Set(plan.newLock.outputs?.keys.map { $0 } ?? []).union(plan.files.map(\.path))
        let managed = Set(projectors.flatMap(\.managedFolders))
        for folder in managed {
            guard let stat = post.stats[folder], stat.kind == .directory || stat.kind == .missing else { return nil }
        }
        // One pass: the unknown files of every managed folder (a file is under each folder that prefixes it).
        var unknownByFolder: [String: [String]] = [:]
        for path in post.order where post.stats[path]?.kind == .file && !known.contains(path) {
            for folder in managed where FileSystem.isInside(path, folder) {
                let rel = String(Substring(path.utf8.dropFirst(folder.utf8.count + 1)))
                if !rel.hasSuffix(".tmp") && Targets.mayGenerate(rel, in: folder) { unknownByFolder[folder, default: []].append(rel) }
            }
        }
        for folder in unknownByFolder.keys { unknownByFolder[folder]?.sort(by: FileSystem.byteOrder) }
        for projector in projectors {
            for folder in projector.managedFolders {
                for rel in unknownByFolder[folder] ?? [] {
                    warnings.append(Planner.unmanagedWarning(path: folder + "/" + rel, target: projector.id))
                }
            }
        }
        return warnings
    }
}
