internal import SharedPlatform

// The file watcher's platform code: the inotify backend on Linux; elsewhere `InotifyState.open` answers nil
// and the watcher polls.

#if os(Linux)
    /// The inotify descriptor and the folder each watch descriptor stands for (relative, "" = root).
    struct InotifyState: Sendable {
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
#else
    /// No inotify here: the watcher always polls.
    struct InotifyState: Sendable {
        let fd: Int32 = -1

        static func open(_ scope: WatchScope) -> InotifyState? { nil }

        mutating func drain(into pending: inout Set<String>, buffer: inout [UInt8], scope: WatchScope) -> Bool { false }
    }
#endif
