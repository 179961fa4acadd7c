internal import Dispatch
internal import SharedPlatform

/// Watches chosen files and folder trees below a project root and reports debounced bursts of changes.
///
/// The watcher takes its baseline (inotify watches or a polling snapshot) in `init`; the background
/// reader starts with the first `changes()` call, so changes made in between land in the first batch.
/// Streams keep the watcher running while they are consumed; `stop()` ends every stream.
public final class FileWatcher: Sendable {
    /// How changes are detected.
    public enum Backend: Sendable { case inotify, polling }

    private let core: WatcherCore

    /// root: absolute project root. watched: relative paths (files or folders, recursive for folders) to watch.
    /// ignore: relative path (with "/" separators, relative to root) -> true to ignore.
    public init(
        root: String, watched: [String], ignore: @escaping @Sendable (String) -> Bool,
        debounceMilliseconds: Int = 300, pollMilliseconds: Int = 500, forcePolling: Bool = false
    ) {
        let scope = WatchScope(root: root, watched: watched, ignore: ignore)
        let engine: WatchEngine
        #if os(Linux)
        if !forcePolling, let state = InotifyState.open(scope) {
            engine = .inotify(state)
        } else {
            engine = .polling(PollSnapshot.take(scope))
        }
        #else
        engine = .polling(PollSnapshot.take(scope))
        #endif
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
    public var backend: Backend { core.backend }

    /// An async stream yielding, after each debounced burst, the sorted set of changed relative paths.
    public func changes() -> AsyncStream<[String]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [String].self, bufferingPolicy: .unbounded)
        core.subscribe(continuation)
        return stream
    }

    /// Stops watching; the stream finishes.
    public func stop() {
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
    #if os(Linux)
    case inotify(InotifyState)
    #endif
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
        #if os(Linux)
        case .inotify: backend = .inotify
        #endif
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
        #if os(Linux)
        if case .inotify(let state)? = engine { close(state.fd) }
        #else
        _ = engine
        #endif
    }

    func deliver(_ pending: inout Set<String>) {
        let batch = pending.sorted()
        pending.removeAll()
        let continuations = shared.withLock { Array($0.continuations.values) }
        for continuation in continuations { continuation.yield(batch) }
    }

    func run(_ engine: WatchEngine) {
        switch engine {
        #if os(Linux)
        case .inotify(let state): runInotify(state)
        #endif
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

    #if os(Linux)
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
    #endif
}

// MARK: - Paths

/// Root, watched entries and the ignore predicate, with the path rules shared by both backends.
private struct WatchScope: Sendable {
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
private enum WatchIO {
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
        #if canImport(Darwin)
        stamp.modifiedSeconds = Int(status.st_mtimespec.tv_sec)
        stamp.modifiedNanos = Int(status.st_mtimespec.tv_nsec)
        stamp.changedSeconds = Int(status.st_ctimespec.tv_sec)
        stamp.changedNanos = Int(status.st_ctimespec.tv_nsec)
        #else
        stamp.modifiedSeconds = Int(status.st_mtim.tv_sec)
        stamp.modifiedNanos = Int(status.st_mtim.tv_nsec)
        stamp.changedSeconds = Int(status.st_ctim.tv_sec)
        stamp.changedNanos = Int(status.st_ctim.tv_nsec)
        #endif
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

// MARK: - inotify backend

#if os(Linux)
/// The inotify descriptor and the folder each watch descriptor stands for (relative, "" = root).
private struct InotifyState: Sendable {
    let fd: Int32
    var pathByWatch: [Int32: String] = [:]
    var watchByPath: [String: Int32] = [:]
    var outOfWatches = false

    /// Events of interest; `IN_ONLYDIR | IN_DONT_FOLLOW` keep watches on real folders only.
    static let mask = UInt32(
        IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB
            | IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW
    )

    /// Sets up watches for the whole scope; nil when inotify is unavailable or the watch limit is hit.
    static func open(_ scope: WatchScope) -> InotifyState? {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        var state = InotifyState(fd: fd)
        var ignored = Set<String>()
        state.watchTree("", scope: scope, found: &ignored)
        guard !state.outOfWatches, state.watchByPath[""] != nil else {
            close(fd)
            return nil
        }
        return state
    }

    private mutating func addWatch(_ relative: String, scope: WatchScope) -> Bool {
        let wd = inotify_add_watch(fd, scope.absolute(relative), InotifyState.mask)
        guard wd >= 0 else {
            if errno == ENOSPC { outOfWatches = true }
            return false
        }
        if let previous = pathByWatch[wd], previous != relative, watchByPath[previous] == wd {
            watchByPath[previous] = nil
        }
        pathByWatch[wd] = relative
        watchByPath[relative] = wd
        return true
    }

    /// Watches `relative` and every folder below it that matters; collects reportable entries found.
    mutating func watchTree(_ relative: String, scope: WatchScope, found: inout Set<String>) {
        guard scope.needsDescent(relative), addWatch(relative, scope: scope) else { return }
        for name in WatchIO.listFolder(scope.absolute(relative)) {
            let child = WatchScope.join(relative, name)
            guard let status = WatchIO.fileStatus(scope.absolute(child)) else { continue }
            let folder = WatchIO.isFolder(status)
            if scope.reports(child, isFolder: folder) { found.insert(child) }
            if folder { watchTree(child, scope: scope, found: &found) }
        }
    }

    private mutating func dropWatches(under relative: String) {
        let prefix = relative + "/"
        for (path, wd) in watchByPath where path == relative || path.hasPrefix(prefix) {
            inotify_rm_watch(fd, wd)
            watchByPath[path] = nil
            pathByWatch[wd] = nil
        }
    }

    /// Reads every queued event; returns true when at least one reportable change was seen.
    mutating func drain(into pending: inout Set<String>, buffer: inout [UInt8], scope: WatchScope) -> Bool {
        var relevant = false
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress, raw.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return relevant }
            let events = buffer.withUnsafeBytes { raw in InotifyState.parse(raw, count: count) }
            for event in events where handle(event, into: &pending, scope: scope) {
                relevant = true
            }
        }
    }

    private struct Event {
        var wd: Int32
        var mask: UInt32
        var name: String
    }

    /// Decodes `struct inotify_event { int wd; uint32 mask, cookie, len; char name[len]; }` records.
    private static func parse(_ raw: UnsafeRawBufferPointer, count: Int) -> [Event] {
        var events: [Event] = []
        var offset = 0
        while offset + 16 <= count {
            let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let start = offset + 16
            let end = min(start + length, count)
            let name = String(decoding: raw[start..<end].prefix { $0 != 0 }, as: UTF8.self)
            events.append(Event(wd: wd, mask: mask, name: name))
            offset = start + length
        }
        return events
    }

    private mutating func handle(_ event: Event, into pending: inout Set<String>, scope: WatchScope) -> Bool {
        func has(_ flag: Int32) -> Bool { event.mask & UInt32(flag) != 0 }
        if has(IN_Q_OVERFLOW) {
            // Events were lost: re-arm every watch and report everything present plus the watched roots.
            var found = Set(scope.watched.filter { !$0.isEmpty })
            watchTree("", scope: scope, found: &found)
            pending.formUnion(found)
            return true
        }
        if has(IN_IGNORED) {
            if let path = pathByWatch.removeValue(forKey: event.wd), watchByPath[path] == event.wd {
                watchByPath[path] = nil
            }
            return false
        }
        guard !event.name.isEmpty, let folder = pathByWatch[event.wd] else { return false }
        let path = WatchScope.join(folder, event.name)
        let isDirectory = has(IN_ISDIR)
        if isDirectory && (has(IN_DELETE) || has(IN_MOVED_FROM)) {
            dropWatches(under: path)
        }
        let before = pending.count
        var relevant = false
        if scope.reports(path, isFolder: isDirectory) {
            pending.insert(path)
            relevant = true
        }
        if isDirectory && (has(IN_CREATE) || has(IN_MOVED_TO)) {
            // Entries created before the new watch existed are picked up by scanning the folder.
            watchTree(path, scope: scope, found: &pending)
            relevant = relevant || pending.count != before
        }
        return relevant
    }
}
#endif
