package import SharedPlatform

/// Crash-safe writes: temp file in the destination folder, made durable, renamed over the destination.
///
/// Durability is batched: `AtomicFile.Batch` writes every temp file first and makes the durable ones durable
/// before any rename (`fsync` each when there are few — `stageAll` has its writers do it alongside the other
/// writes; one `syncfs` of the destination filesystem when there are many: one flush instead of one per
/// file), then renames each temp over its destination. A crash at any point
/// leaves every durable destination either with its old bytes or with its complete new bytes, never
/// half-written; stray `.tmp` files are the only residue. The single-file `write` is a batch of one.
///
/// A temp staged with `durable: false` skips the flush: readers still never see it half-written (rename is
/// atomic), but after a power loss it may be empty. Generate uses that for outputs it fully derives from
/// the canonical folder (a later `check` reports them and `generate` rewrites them); files holding user
/// data (canonical files, co-owned settings, the lockfile) are always durable.
package enum AtomicFile {
    /// Writes `bytes` to `path` atomically; a symlink at the destination is replaced, never followed.
    /// Parent folders are created (0755). `displayPath` is used in errors.
    package static func write(
        _ bytes: [UInt8], to path: String, displayPath: String, mode: mode_t = 0o644
    ) throws(ToolError) {
        var batch = Batch()
        defer { batch.discard() }
        try batch.stage(bytes, to: path, displayPath: displayPath, mode: mode)
        try batch.commit()
    }

    /// UTF-8 convenience for `write(_:to:displayPath:)`.
    package static func write(_ text: String, to path: String, displayPath: String) throws(ToolError) {
        try write(Array(text.utf8), to: path, displayPath: displayPath)
    }

    /// A set of atomic writes made durable together. `stage` writes temp files, `commit` syncs them once
    /// and renames them into place in staging order; `discard` removes temps that were not committed.
    ///
    /// Temps sit beside their destinations: a rename within one folder only locks that folder, where a rename
    /// across folders takes the filesystem-wide rename lock (measured slower on many files).
    package struct Batch {
        struct Pending: Sendable {
            var temp: String
            var path: String
            var displayPath: String
            var durable = true
        }

        var pending: [Pending] = []
        var trees: [PendingTree] = []
        var folders = FolderCache()
        /// What the entries built inside new folders (below each new folder, not the folder itself) look like,
        /// by destination path: their stat when written (a rename of the folder changes none of them) and, for
        /// folders, their sorted entry names. Lets a caller record them without walking them again.
        package private(set) var built = BuiltEntries()
        /// Where `stageAll` notes its temps before creating them (see `recover(journal:)`); nil: no note.
        let journal: String?
        var journalWritten = false

        package init(journal: String? = nil) {
            self.journal = journal
        }

        /// Writes `bytes` to a temp file next to `path` (not yet durable, not yet visible).
        package mutating func stage(_ bytes: [UInt8], to path: String, displayPath: String, mode: mode_t = 0o644) throws(ToolError) {
            let (folder, name) = Self.split(path)
            try folders.ensure(folder, displayPath: displayPath)
            let temp = folder + "/.\(name).agentsmesh-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
            if let code = AtomicFile.writeNew(temp, bytes, mode: mode).code {
                throw ToolError.io("cannot write", path: displayPath, errno: code)
            }
            pending.append(Pending(temp: temp, path: path, displayPath: displayPath))
        }

        /// `stage` for many files at once, written on all cores; a writer that finds its folder missing creates
        /// it (and its parents). On failure the temps already written stay staged (so `discard` removes them)
        /// and the first failure in input order is thrown.
        ///
        /// With `root`, a destination folder below `root` that does not exist yet is built whole under a temp
        /// name beside it (`.<name>.agentsmesh-<pid>-<token>-d<n>.tmp/`), its files written under their own
        /// names, and `commit` renames the folder into place: readers see the whole folder or nothing, and the
        /// files skip their own temp + rename (half the directory operations of a first generate).
        package mutating func stageAll(
            _ items: [(bytes: [UInt8], path: String, displayPath: String, durable: Bool)], mode: mode_t = 0o644, root: String? = nil
        ) throws(ToolError) {
            var jobs: [StageJob] = []
            jobs.reserveCapacity(items.count)
            // One random token per batch: temp names differ by index, and O_EXCL catches any clash.
            let pid = getpid()
            let token = UInt32.random(in: 0...UInt32.max)
            var fresh = FreshFolders(root: root)
            var treeIndex: [String: Int] = [:]
            for (index, item) in items.enumerated() {
                var job = StageJob(index: index, bytes: item.bytes, path: item.path, displayPath: item.displayPath, durable: item.durable)
                if let top = fresh.topMissing(Self.split(item.path).folder) {
                    let tree: Int
                    if let known = treeIndex[top] {
                        tree = known
                    } else {
                        let (parent, name) = Self.split(top)
                        let temp = parent + "/.\(name).agentsmesh-\(pid)-\(token)-d\(trees.count).tmp"
                        tree = trees.count
                        treeIndex[top] = tree
                        trees.append(PendingTree(temp: temp, path: top, displayPath: Self.treeDisplay(top: top, item: item)))
                    }
                    job.tree = tree
                    job.target = trees[tree].temp + String(Substring(item.path.utf8.dropFirst(top.utf8.count)))
                } else {
                    let (folder, name) = Self.split(item.path)
                    job.target = folder + "/.\(name).agentsmesh-\(pid)-\(token)-\(index).tmp"
                }
                jobs.append(job)
            }
            guard !jobs.isEmpty else { return }
            // The temps are noted before any is created, so that a later run can remove what a crash left.
            writeJournal(
                marker: ".agentsmesh-\(pid)-\(token)-", folders: Set(jobs.lazy.filter { $0.tree == nil }.map { Self.split($0.path).folder })
            )
            for tree in trees {
                guard mkdir(tree.temp, 0o755) == 0 else { throw ToolError.io("cannot create folder", path: tree.displayPath, errno: errno) }
            }
            // Few durable files are flushed by their writers, alongside the other writes (many are flushed
            // together by `commit`).
            let flushNow = jobs.lazy.filter(\.durable).count <= AtomicFile.perFileSyncLimit
            // A folder's files are written by one worker: creating entries locks the folder.
            let outcomes = try Parallel.mapGrouped(jobs, group: { Self.split($0.target).folder }) {
                job -> (failure: ToolError?, stat: FileStat?) in
                let folder = Self.split(job.target).folder
                let sync = flushNow && job.durable
                // A file built inside a new folder is stat'd by its writer: nothing else touches it until the
                // folder is renamed, which leaves it as it is.
                var written = AtomicFile.writeNew(job.target, job.bytes, mode: mode, sync: sync, statWritten: job.tree != nil)
                if written.code == ENOENT {
                    do throws(ToolError) {
                        try FileSystem.makeDirectories(folder, displayPath: job.displayPath)
                    } catch {
                        return (error, nil)
                    }
                    written = AtomicFile.writeNew(job.target, job.bytes, mode: mode, sync: sync, statWritten: job.tree != nil)
                }
                return (written.code.map { ToolError.io("cannot write", path: job.displayPath, errno: $0) }, written.stat)
            }
            var failure: ToolError?
            for (job, outcome) in zip(jobs, outcomes) {
                if let error = outcome.failure {
                    if failure == nil { failure = error }
                    continue
                }
                if let stat = outcome.stat { built.stats[job.path] = stat }
                let item = Pending(temp: job.target, path: job.path, displayPath: job.displayPath, durable: job.durable && !flushNow)
                if let tree = job.tree {
                    trees[tree].files.append(item)
                } else {
                    pending.append(item)
                }
            }
            if let failure { throw failure }
            recordBuiltFolders()
        }

        /// Stats and entry names of the folders below each new folder, taken once every file is written (a
        /// folder changes whenever an entry is added to it).
        mutating func recordBuiltFolders() {
            guard !trees.isEmpty else { return }
            var tops: [Substring: Int] = [:]
            for (index, tree) in trees.enumerated() { tops[Substring(tree.path)] = index }
            /// The new folder `folder` lies in, itself included.
            func tree(of folder: Substring) -> Int? {
                var current = folder
                while true {
                    if let index = tops[current] { return index }
                    guard let slash = current.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
                    current = current[..<slash]
                }
            }
            // Folder → entry names: the files first, then each folder below a new folder joins its parent.
            var names: [Substring: [Substring]] = [:]
            for tree in trees {
                for file in tree.files {
                    guard let slash = file.path.utf8.lastIndex(of: UInt8(ascii: "/")) else { continue }
                    names[file.path[..<slash], default: []].append(file.path[file.path.utf8.index(after: slash)...])
                }
            }
            var interior: [(folder: Substring, tree: Int)] = []
            var queue = Array(names.keys)
            while let folder = queue.popLast() {
                guard let index = tree(of: folder), folder.utf8.count > trees[index].path.utf8.count,
                    let slash = folder.utf8.lastIndex(of: UInt8(ascii: "/"))
                else { continue }
                interior.append((folder, index))
                let parent = folder[..<slash]
                if names[parent] == nil { queue.append(parent) }
                names[parent, default: []].append(folder[folder.utf8.index(after: slash)...])
            }
            let temps = interior.map { trees[$0.tree].temp + String(Substring($0.folder.utf8.dropFirst(trees[$0.tree].path.utf8.count))) }
            let stats = Parallel.transform(temps, grain: 32) { FileStat.of($0) }
            for ((folder, _), stat) in zip(interior, stats) where stat.kind == .directory {
                let key = String(folder)
                built.stats[key] = stat
                built.listings[key] = names[folder, default: []].map(String.init).sorted(by: FileSystem.byteOrder)
            }
        }

        /// How a new folder is named in errors: the display path of one of its files, cut at the folder.
        static func treeDisplay(top: String, item: (bytes: [UInt8], path: String, displayPath: String, durable: Bool)) -> String {
            let rest = item.path.dropFirst(top.count)
            return item.displayPath.hasSuffix(rest) ? String(item.displayPath.dropLast(rest.count)) : item.displayPath
        }

        struct StageJob: Sendable {
            var index: Int
            var bytes: [UInt8]
            var path: String
            var displayPath: String
            var durable: Bool
            /// Where the bytes go: a temp beside `path`, or `path`'s place inside a new folder's temp.
            var target = ""
            /// The new folder (index into `trees`) the file is built in.
            var tree: Int?
        }

        /// A folder that did not exist, built under `temp` and renamed to `path` by `commit`.
        struct PendingTree: Sendable {
            var temp: String
            var path: String
            var displayPath: String
            /// Its files (`temp`: the file's place inside the folder's temp; `path`: its destination).
            var files: [Pending] = []
        }

        /// Which folders below a root are missing, probed once each (a folder below a missing one is not probed).
        struct FreshFolders {
            let root: String?
            var known: [String: String?] = [:]

            init(root: String?) {
                self.root = root
            }

            /// The highest missing folder on the way from `root` down to `folder` (nil when `folder` exists, is
            /// not below `root`, or there is no root). Anything other than "no such entry" counts as existing,
            /// so the ordinary write path reports it.
            mutating func topMissing(_ folder: String) -> String? {
                guard let root, FileSystem.isInside(folder, root) else { return nil }
                if let answer = known[folder] { return answer }
                let parent = Batch.split(folder).folder
                var answer = topMissing(parent)
                if answer == nil {
                    var st = stat()
                    answer = lstat(folder, &st) != 0 && errno == ENOENT ? folder : nil
                }
                known[folder] = answer
                return answer
            }
        }

        /// Makes every staged temp durable, then renames each new folder and each temp into place.
        package mutating func commit() throws(ToolError) {
            guard !pending.isEmpty || !trees.isEmpty else { return }
            let durable = pending.filter(\.durable) + trees.flatMap { $0.files.filter(\.durable) }
            try AtomicFile.sync(durable.map(\.temp), displayPaths: durable.map(\.displayPath))
            while !trees.isEmpty {
                let tree = trees.removeFirst()
                let (failure, whole) = AtomicFile.place(tree: tree)
                // Files moved in one by one were changed by their renames: what was built is not what is there.
                if !whole { built.forget(below: tree.path) }
                if let failure { throw failure }
            }
            if pending.count > 64 {
                // Many files: renamed on all cores (each rename is atomic on its own; their order is not
                // observable as a whole either way). Failed renames lose their temps; the first failure is thrown.
                let items = pending
                pending.removeAll()
                let failures = try Parallel.mapGrouped(items, group: { Self.split($0.path).folder }) { item -> ToolError? in
                    AtomicFile.place(item)
                }
                if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
                return
            }
            while !pending.isEmpty {
                if let failure = AtomicFile.place(pending.removeFirst()) { throw failure }
            }
        }

        /// A destination's folder (`.` when it has none) and file name.
        static func split(_ path: String) -> (folder: String, name: String) {
            guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return (".", path) }
            return (String(path[..<slash]), String(path[path.index(after: slash)...]))
        }

        /// Removes temps (and new folders' temps) that were staged but not committed, and the journal note.
        /// Call it once the batch is done, committed or not.
        package mutating func discard() {
            for item in pending { unlink(item.temp) }
            pending.removeAll()
            for tree in trees { FileSystem.removeTree(tree.temp) }
            trees.removeAll()
            built = BuiltEntries()
            if journalWritten, let journal {
                unlink(journal)
                journalWritten = false
            }
        }

        /// Notes, in `journal`, the temp marker of this batch, the new folders' temps and the folders that
        /// will hold file temps. Best effort and not flushed: it only serves to clean up after a crash.
        mutating func writeJournal(marker: String, folders: Set<String>) {
            guard let journal else { return }
            var text = AtomicFile.journalMagic + "\nmarker " + marker + "\n"
            for tree in trees { text += "tree " + tree.temp + "\n" }
            for folder in folders.sorted(by: FileSystem.byteOrder) { text += "folder " + folder + "\n" }
            // Appended when a batch already noted temps (several `stageAll` calls on one batch).
            let flags = journalWritten ? O_WRONLY | O_APPEND | O_CLOEXEC : O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW
            let fd = open(journal, flags, 0o644)
            guard fd >= 0 else { return }
            _ = AtomicFile.writeAll(fd, Array(text.utf8))
            close(fd)
            journalWritten = true
        }
    }

    /// Creates `path` (which must not exist) with `bytes`, flushed to disk when `sync`, and returns its `fstat`
    /// once written when `statWritten`; on failure nothing is left and the errno is returned.
    static func writeNew(
        _ path: String, _ bytes: [UInt8], mode: mode_t, sync: Bool = false, statWritten: Bool = false
    ) -> (code: Int32?, stat: FileStat?) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { return (errno, nil) }
        if let code = writeAll(fd, bytes) ?? (sync && fsync(fd) != 0 ? errno : nil) {
            close(fd)
            unlink(path)
            return (code, nil)
        }
        if !umaskKeeps(mode) { fchmod(fd, mode) }
        var written: FileStat?
        if statWritten {
            var st = stat()
            if fstat(fd, &st) == 0 { written = FileStat(st) }
        }
        close(fd)
        return (nil, written)
    }

    /// Renames a staged temp over its destination; on failure the temp is removed and the error returned.
    static func place(_ item: Batch.Pending) -> ToolError? {
        if rename(item.temp, item.path) == 0 { return nil }
        let code = errno
        unlink(item.temp)
        return ToolError.io("cannot replace", path: item.displayPath, errno: code)
    }

    static let journalMagic = "agentsmesh-staging 1"

    /// Removes what an interrupted batch left (its journal names the temps; see `Batch(journal:)`), then the
    /// journal. Only entries whose names carry one of the journal's markers and end in `.tmp` are removed,
    /// whatever else the journal says; a missing or foreign journal removes nothing.
    package static func recover(journal: String) {
        guard let bytes = try? FileSystem.readIfExists(journal, displayPath: journal) else { return }
        defer { unlink(journal) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.first == journalMagic else { return }
        var markers: [String] = []
        var trees: [String] = []
        var folders: [String] = []
        for line in lines.dropFirst() {
            if line.hasPrefix("marker ") {
                let marker = String(line.dropFirst(7))
                if isTempMarker(marker) { markers.append(marker) }
            } else if line.hasPrefix("tree ") {
                trees.append(String(line.dropFirst(5)))
            } else if line.hasPrefix("folder ") {
                folders.append(String(line.dropFirst(7)))
            }
        }
        func isTemp(_ name: String) -> Bool {
            name.hasPrefix(".") && name.hasSuffix(".tmp") && markers.contains { name.containsBytes($0) }
        }
        for tree in trees where isTemp(Batch.split(tree).name) { FileSystem.removeTree(tree) }
        for folder in folders {
            for name in FileSystem.list(folder) where isTemp(name) { FileSystem.removeTree(folder + "/" + name) }
        }
    }

    /// `.agentsmesh-<pid>-<token>-`, as batches name their temps.
    static func isTempMarker(_ marker: String) -> Bool {
        let parts = marker.split(separator: "-", omittingEmptySubsequences: false)
        return marker.hasPrefix(".agentsmesh-") && marker.hasSuffix("-") && parts.count == 4
            && [parts[1], parts[2]].allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    }

    /// Renames a new folder's temp into place (`whole`). When the folder appeared meanwhile (someone else
    /// created it and put files in it), its files are renamed in one by one instead. On failure the temp
    /// folder is removed and the error returned.
    static func place(tree: Batch.PendingTree) -> (failure: ToolError?, whole: Bool) {
        if rename(tree.temp, tree.path) == 0 { return (nil, true) }
        let code = errno
        defer { FileSystem.removeTree(tree.temp) }
        guard code == ENOTEMPTY || code == EEXIST else {
            return (ToolError.io("cannot create folder", path: tree.displayPath, errno: code), false)
        }
        var failure: ToolError?
        for file in tree.files where failure == nil {
            do throws(ToolError) {
                try FileSystem.makeDirectories(Batch.split(file.path).folder, displayPath: file.displayPath)
            } catch {
                failure = error
                break
            }
            failure = place(file)
        }
        return (failure, false)
    }

    /// Whether files created with `mode` get exactly that mode under the process umask (so no `fchmod`).
    static func umaskKeeps(_ mode: mode_t) -> Bool {
        guard let mask = processUmask else { return false }
        return mode & mask == 0
    }

    /// The umask, read from `/proc/self/status` (reading it with umask(2) would briefly change it for
    /// every thread); nil when unknown.
    static let processUmask: mode_t? = {
        guard let text = try? FileSystem.read("/proc/self/status", displayPath: "/proc/self/status") else { return nil }
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Umask:") {
            return mode_t(String(line.dropFirst(6).drop { $0 == " " || $0 == "\t" }), radix: 8)
        }
        return nil
    }()

    /// Files up to which `sync` flushes each file on its own rather than the whole filesystem.
    static let perFileSyncLimit = 16

    /// Makes the given files durable: `fsync` each when there are few, else one `syncfs` of their
    /// filesystem when possible (falling back to `fsync` each).
    package static func sync(_ paths: [String], displayPaths: [String]) throws(ToolError) {
        guard let first = paths.first else { return }
        // Few files: fsync is cheaper than flushing everything dirty on the filesystem.
        let fd = paths.count <= perFileSyncLimit ? -1 : open(first, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            let flushed = Platform.syncFilesystem(fd)
            close(fd)
            if flushed { return }
        }
        for (index, path) in paths.enumerated() {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            let display = index < displayPaths.count ? displayPaths[index] : path
            guard fd >= 0 else { throw ToolError.io("cannot sync", path: display, errno: errno) }
            let rc = fsync(fd)
            let code = errno
            close(fd)
            if rc != 0 { throw ToolError.io("cannot sync", path: display, errno: code) }
        }
    }

    /// Writes every byte to `fd`; returns the errno on failure.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                SharedPlatform.write(fd, raw.baseAddress! + offset, bytes.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }

    /// Plain (non-atomic, not synced) write for private scratch/staging folders, which are made durable
    /// as a whole (or thrown away) by their owner. Parent folders must exist. Truncates an existing file.
    package static func writeScratch(_ bytes: [UInt8], to path: String, displayPath: String, mode: mode_t = 0o644) throws(ToolError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw ToolError.io("cannot write", path: displayPath, errno: errno) }
        if let code = writeAll(fd, bytes) {
            close(fd)
            throw ToolError.io("cannot write", path: displayPath, errno: code)
        }
        fchmod(fd, mode)
        close(fd)
    }
}

/// Entries a batch built inside new folders, by destination path (see `AtomicFile.Batch.built`).
package struct BuiltEntries: Sendable {
    package var stats: [String: FileStat] = [:]
    /// Folder → its entry names in byte order.
    package var listings: [String: [String]] = [:]

    package init() {}

    /// The same entries keyed by their path relative to `root` (entries outside it are left out).
    package func relative(to root: String) -> BuiltEntries {
        let prefix = root.utf8.count + 1
        func key(_ path: String) -> String { String(Substring(path.utf8.dropFirst(prefix))) }
        var relative = BuiltEntries()
        relative.stats.reserveCapacity(stats.count)
        for (path, stat) in stats where FileSystem.isInside(path, root) { relative.stats[key(path)] = stat }
        for (path, names) in listings where FileSystem.isInside(path, root) { relative.listings[key(path)] = names }
        return relative
    }

    /// Drops every entry below `folder`.
    mutating func forget(below folder: String) {
        stats = stats.filter { !FileSystem.isInside($0.key, folder) }
        listings = listings.filter { !FileSystem.isInside($0.key, folder) }
    }
}

/// Remembers folders known to exist during one batch of writes, so each is probed/created once.
package struct FolderCache {
    var known: Set<String> = []

    package init() {}

    /// Records a folder the caller knows exists.
    package mutating func assume(_ folder: String) { known.insert(folder) }

    /// Creates `folder` (and parents) unless it was already seen.
    package mutating func ensure(_ folder: String, displayPath: String) throws(ToolError) {
        if known.contains(folder) { return }
        try FileSystem.makeDirectories(folder, displayPath: displayPath)
        known.insert(folder)
    }
}
