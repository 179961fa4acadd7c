internal import Dispatch
internal import SharedPlatform

/// Watches chosen files and folder trees below a project root and reports debounced bursts of changes.
///
/// The watcher takes its baseline (inotify watches or a polling snapshot) in `init`; the background
/// reader starts with the first `changes()` call, so changes made in between land in the first batch.
/// Streams keep the watcher running while they are consumed; `stop()` ends every stream.
package final class FileWatcher: Sendable {
    /// How changes are detected.
    package enum Backend: Sendable { case inotify, polling }

    private let core: WatcherCore

    /// root: absolute project root. watched: relative paths (files or folders, recursive for folders) to watch.
    /// ignore: relative path (with "/" separators, relative to root) -> true to ignore.
    package init(
        root: String, watched: [String], ignore: @escaping @Sendable (String) -> Bool,
        debounceMilliseconds: Int = 300, pollMilliseconds: Int = 500, forcePolling: Bool = false
    ) {
        let scope = WatchScope(root: root, watched: watched, ignore: ignore)
        let engine: WatchEngine
        if !forcePolling, let state = InotifyState.open(scope) {
            engine = .inotify(state)
        } else {
            engine = .polling(PollSnapshot.take(scope))
        }
        core = WatcherCore(
            scope: scope,
            engine: engine,
            debounceNanos: UInt64(max(0, debounceMilliseconds)) * 1_000_000,
            pollNanos: UInt64(max(10, pollMilliseconds)) * 1_000_000
        )
    }

    deinit {
        core.ownerReleased()
    }

    /// The backend actually in use (inotify on Linux when inotify_init1 succeeds, else polling).
    package var backend: Backend { core.backend }

    /// An async stream yielding, after each debounced burst, the sorted set of changed relative paths.
    package func changes() -> AsyncStream<[String]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [String].self, bufferingPolicy: .unbounded)
        core.subscribe(continuation)
        return stream
    }

    /// Stops watching; the stream finishes.
    package func stop() {
        core.stop()
    }
}

// MARK: - Shared state

/// A value guarded by a pthread mutex; the only unchecked-Sendable type in this file.
private final class WatcherLock<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }
}

/// The detection machinery handed from `init` to the background reader.
private enum WatchEngine: Sendable {
    case inotify(InotifyState)
    case polling(PollSnapshot)
}

private struct WatcherShared: Sendable {
    var continuations: [UInt64: AsyncStream<[String]>.Continuation] = [:]
    var nextID: UInt64 = 0
    /// Set until the reader starts (or `stop` disposes of it).
    var engine: WatchEngine?
    var stopped = false
    var ownerGone = false
}

/// Everything the background reader needs; outlives the public object while streams are consumed.
private final class WatcherCore: Sendable {
    let scope: WatchScope
    let backend: FileWatcher.Backend
    let debounceNanos: UInt64
    let pollNanos: UInt64
    let shared: WatcherLock<WatcherShared>

    init(scope: WatchScope, engine: WatchEngine, debounceNanos: UInt64, pollNanos: UInt64) {
        self.scope = scope
        self.debounceNanos = debounceNanos
        self.pollNanos = pollNanos
        switch engine {
        case .inotify: backend = .inotify
        case .polling: backend = .polling
        }
        shared = WatcherLock(WatcherShared(engine: engine))
    }

    var isStopped: Bool { shared.withLock { $0.stopped } }

    func subscribe(_ continuation: AsyncStream<[String]>.Continuation) {
        let id: UInt64? = shared.withLock { state in
            guard !state.stopped else { return nil }
            let id = state.nextID
            state.nextID += 1
            return id
        }
        guard let id else {
            continuation.finish()
            return
        }
        continuation.onTermination = { _ in self.unsubscribe(id) }
        let start: WatchEngine?? = shared.withLock { state in
            guard !state.stopped else { return nil }
            state.continuations[id] = continuation
            let engine = state.engine
            state.engine = nil
            return .some(engine)
        }
        guard let start else {
            continuation.finish()
            return
        }
        if let engine = start {
            DispatchQueue(label: "agentsmesh.file-watcher").async { self.run(engine) }
        }
    }

    func unsubscribe(_ id: UInt64) {
        let orphaned = shared.withLock { state in
            state.continuations[id] = nil
            return state.ownerGone && state.continuations.isEmpty && !state.stopped
        }
        if orphaned { stop() }
    }

    func ownerReleased() {
        let orphaned = shared.withLock { state in
            state.ownerGone = true
            return state.continuations.isEmpty
        }
        if orphaned { stop() }
    }

    func stop() {
        let (continuations, engine) = shared.withLock { state in
            guard !state.stopped else { return ([AsyncStream<[String]>.Continuation](), WatchEngine?.none) }
            state.stopped = true
            let continuations = Array(state.continuations.values)
            state.continuations = [:]
            let engine = state.engine
            state.engine = nil
            return (continuations, engine)
        }
        for continuation in continuations { continuation.finish() }
        if case .inotify(let state)? = engine { close(state.fd) }
    }

    func deliver(_ pending: inout Set<String>) {
        let batch = pending.sorted()
        pending.removeAll()
        let continuations = shared.withLock { Array($0.continuations.values) }
        for continuation in continuations { continuation.yield(batch) }
    }

    func run(_ engine: WatchEngine) {
        switch engine {
        case .inotify(let state): runInotify(state)
        case .polling(let snapshot): runPolling(snapshot)
        }
    }

    private func runPolling(_ initial: PollSnapshot) {
        var snapshot = initial
        var pending = Set<String>()
        var deadline: UInt64 = 0
        var nextScan = WatchIO.monotonicNanos() + pollNanos
        while !isStopped {
            let now = WatchIO.monotonicNanos()
            let settled = !pending.isEmpty && now >= deadline
            if now >= nextScan || settled {
                let next = PollSnapshot.take(scope)
                let changed = snapshot.changes(to: next)
                snapshot = next
                nextScan = WatchIO.monotonicNanos() + pollNanos
                if !changed.isEmpty {
                    pending.formUnion(changed)
                    deadline = WatchIO.monotonicNanos() + debounceNanos
                } else if settled {
                    deliver(&pending)
                }
                continue
            }
            var wake = min(nextScan, now + 50_000_000)
            if !pending.isEmpty { wake = min(wake, deadline) }
            WatchIO.sleepMilliseconds(WatchIO.millisecondsUntil(wake, from: now))
        }
    }

    private func runInotify(_ initial: InotifyState) {
        var state = initial
        defer { close(state.fd) }
        var pending = Set<String>()
        var deadline: UInt64 = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !isStopped {
            let now = WatchIO.monotonicNanos()
            if !pending.isEmpty && now >= deadline {
                deliver(&pending)
                continue
            }
            var wake = now + 100_000_000
            if !pending.isEmpty { wake = min(wake, deadline) }
            var descriptor = pollfd(fd: state.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(WatchIO.millisecondsUntil(wake, from: now)))
            guard ready > 0 else { continue }
            if state.drain(into: &pending, buffer: &buffer, scope: scope) {
                deadline = WatchIO.monotonicNanos() + debounceNanos
            }
        }
    }
}

// MARK: - Paths

/// Root, watched entries and the ignore predicate, with the path rules shared by both backends.
struct WatchScope: Sendable {
    let root: String
    let watched: [String]
    let ignore: @Sendable (String) -> Bool

    init(root: String, watched: [String], ignore: @escaping @Sendable (String) -> Bool) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.watched = watched.map(WatchScope.normalize)
        self.ignore = ignore
    }

    static func normalize(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        return parts.joined(separator: "/")
    }

    func absolute(_ relative: String) -> String {
        if relative.isEmpty { return root }
        return root == "/" ? "/" + relative : root + "/" + relative
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder.isEmpty ? name : folder + "/" + name
    }

    /// True when `relative` is a watched entry or lies below one.
    func covers(_ relative: String) -> Bool {
        watched.contains { $0.isEmpty || relative == $0 || relative.hasPrefix($0 + "/") }
    }

    /// True for the root and the folders between it and a nested watched entry.
    func leadsToWatched(_ relative: String) -> Bool {
        relative.isEmpty || watched.contains { $0.hasPrefix(relative + "/") }
    }

    /// Folders are also offered to the predicate with a trailing "/" so "packs/"-style rules match.
    func isExcluded(_ relative: String, isFolder: Bool) -> Bool {
        ignore(relative) || (isFolder && ignore(relative + "/"))
    }

    func reports(_ relative: String, isFolder: Bool) -> Bool {
        covers(relative) && !isExcluded(relative, isFolder: isFolder)
    }

    func needsDescent(_ relative: String) -> Bool {
        reports(relative, isFolder: true) || leadsToWatched(relative)
    }
}

/// Small POSIX helpers shared by both backends.
enum WatchIO {
    static func listFolder(_ path: String) -> [String] {
        guard let folder = opendir(path) else { return [] }
        defer { closedir(folder) }
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// lstat wrapper: nil when the path is missing; symlinks are never followed.
    static func fileStatus(_ path: String) -> stat? {
        var status = stat()
        return lstat(path, &status) == 0 ? status : nil
    }

    static func isFolder(_ status: stat) -> Bool {
        (status.st_mode & S_IFMT) == S_IFDIR
    }

    static func monotonicNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func millisecondsUntil(_ target: UInt64, from now: UInt64) -> Int {
        guard target > now else { return 0 }
        return Int((target - now + 999_999) / 1_000_000)
    }

    static func sleepMilliseconds(_ milliseconds: Int) {
        guard milliseconds > 0 else { return }
        var duration = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&duration, &remaining) != 0 && errno == EINTR {
            duration = remaining
        }
    }
}

// MARK: - Polling backend

/// One entry's identity; folders compare by presence only, so adding a child reports just the child.
private struct PollStamp: Equatable, Sendable {
    var folder: Bool
    var size: Int64 = 0
    var inode: UInt64 = 0
    var modifiedSeconds: Int = 0
    var modifiedNanos: Int = 0
    var changedSeconds: Int = 0
    var changedNanos: Int = 0
}

private struct PollSnapshot: Sendable {
    var entries: [String: PollStamp] = [:]

    static func take(_ scope: WatchScope) -> PollSnapshot {
        var snapshot = PollSnapshot()
        for entry in Set(scope.watched) {
            snapshot.record(entry, scope: scope)
        }
        return snapshot
    }

    private mutating func record(_ relative: String, scope: WatchScope) {
        guard let status = WatchIO.fileStatus(scope.absolute(relative)) else { return }
        if WatchIO.isFolder(status) {
            if !relative.isEmpty {
                guard !scope.isExcluded(relative, isFolder: true) else { return }
                entries[relative] = PollStamp(folder: true)
            }
            for name in WatchIO.listFolder(scope.absolute(relative)) {
                record(WatchScope.join(relative, name), scope: scope)
            }
            return
        }
        guard !scope.isExcluded(relative, isFolder: false) else { return }
        var stamp = PollStamp(folder: false)
        stamp.size = Int64(status.st_size)
        stamp.inode = UInt64(status.st_ino)
        stamp.modifiedSeconds = Int(status.modifiedTime.tv_sec)
        stamp.modifiedNanos = Int(status.modifiedTime.tv_nsec)
        stamp.changedSeconds = Int(status.changedTime.tv_sec)
        stamp.changedNanos = Int(status.changedTime.tv_nsec)
        entries[relative] = stamp
    }

    func changes(to next: PollSnapshot) -> Set<String> {
        var changed = Set<String>()
        for (path, stamp) in entries where next.entries[path] != stamp {
            changed.insert(path)
        }
        for path in next.entries.keys where entries[path] == nil {
            changed.insert(path)
        }
        return changed
    }
}
