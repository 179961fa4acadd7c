package import SharedCore
internal import SharedPlatform

/// The one cross-process lock scheme (§4.3) behind the generate, install and lessons locks.
///
/// Whoever creates the lock holds it: a file created with `O_CREAT|O_EXCL` (`.file`), or a folder made by
/// `mkdir` holding an owner file (`.directory`, for the lessons lock). The holder records
/// `{"acquiredAt","command","hostname","pid"}`; others evict the lock when it is stale: its holder is a dead
/// process on this host, it is older than 6 hours, or its owner record is unreadable and older than 60 s.
package struct ProcessLock: Sendable {
    /// How the lock exists on disk.
    package enum Form: Sendable, Equatable {
        /// The lock is a file holding the owner record.
        case file
        /// The lock is a folder holding the owner record in a file of this name.
        case directory(ownerFile: String)
    }

    static let maximumAge = 6.0 * 3600
    static let unparsableGrace = 60.0

    /// Project-relative lock path, e.g. `.agentsmesh/.generate.lock`.
    package let relativePath: String
    package let absolutePath: String
    package let form: Form

    package init(root: String, relativePath: String, form: Form = .file) {
        self.relativePath = relativePath
        self.absolutePath = root + "/" + relativePath
        self.form = form
    }

    /// The file holding the owner record.
    var ownerPath: String {
        switch form {
        case .file: return absolutePath
        case .directory(let ownerFile): return absolutePath + "/" + ownerFile
        }
    }

    /// The lock as users see it in messages (`/` after a folder).
    var displayPath: String { form == .file ? relativePath : relativePath + "/" }

    /// The local host name.
    package static var hostname: String { Platform.hostname }

    /// The owner record this process writes.
    static func ownerRecord(command: String) -> JSONValue {
        var owner = JSONObject()
        owner["acquiredAt"] = .string(Clock.isoNow())
        owner["command"] = .string(command)
        owner["hostname"] = .string(hostname)
        owner["pid"] = .int(Int(getpid()))
        return .object(owner)
    }

    /// One attempt: acquires the lock (evicting a stale holder once) or throws `LOCK_HELD` with the holder
    /// in details.
    package func tryAcquire(command: String) throws(ToolError) {
        let parent = String(absolutePath[..<(absolutePath.lastIndex(of: "/") ?? absolutePath.endIndex)])
        try FileSystem.makeDirectories(parent, displayPath: relativePath)
        for _ in 0..<2 {
            if try create(command: command) { return }
            guard errno == EEXIST else { throw ToolError.io("cannot create lock", path: relativePath, errno: errno) }
            if !evictIfStale() { break }
        }
        throw heldError()
    }

    /// Creates the lock with this process's owner record; false (errno set) when that fails.
    private func create(command: String) throws(ToolError) -> Bool {
        let record = JSONEmitter.compact(Self.ownerRecord(command: command))
        switch form {
        case .file:
            let fd = open(absolutePath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return false }
            _ = AtomicFile.writeAll(fd, Array(record.utf8))
            fsync(fd)
            close(fd)
            return true
        case .directory:
            guard mkdir(absolutePath, 0o755) == 0 else { return false }
            try AtomicFile.write(record + "\n", to: ownerPath, displayPath: displayPath)
            return true
        }
    }

    /// Waits up to `timeout` seconds (polling every 100 ms) for the lock; `LOCK_HELD` after that.
    package func acquire(command: String, timeout: Double) throws(ToolError) {
        let deadline = Clock.now() + timeout
        while true {
            do {
                try tryAcquire(command: command)
                return
            } catch  where error.code == ErrorCode.lockHeld && Clock.now() < deadline {
                usleep(100_000)
            }
        }
    }

    /// Removes the lock if this process holds it.
    package func release() {
        guard let owner = readOwner(), owner["pid"]?.intValue == Int(getpid()),
            owner["hostname"]?.stringValue == Self.hostname
        else { return }
        remove(absolutePath)
    }

    /// Deletes the lock when it is stale (see the type's comment). Returns whether the lock is gone.
    package func evictIfStale(now: Double = Clock.now()) -> Bool {
        guard FileSystem.kind(absolutePath) != .missing else { return true }
        let mtime = FileSystem.modificationTime(absolutePath) ?? now
        let before = try? FileSystem.read(ownerPath, displayPath: relativePath)
        let stale: Bool
        if let owner = before.flatMap({ try? JSONParser.parse(bytes: $0) }), let pid = owner["pid"]?.intValue {
            let acquired = owner["acquiredAt"]?.stringValue.flatMap(Clock.parseISO) ?? mtime
            stale =
                now - acquired > Self.maximumAge
                || (owner["hostname"]?.stringValue == Self.hostname && pid > 0 && kill(pid_t(pid), 0) != 0 && errno == ESRCH)
        } else {
            stale = now - mtime > Self.unparsableGrace
        }
        guard stale else { return false }
        // The lock may have been replaced while it was judged: evict only what was judged.
        guard (try? FileSystem.read(ownerPath, displayPath: relativePath)) == before else { return false }
        let tomb = absolutePath + ".stale-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(absolutePath, tomb) == 0 else { return FileSystem.kind(absolutePath) == .missing }
        remove(tomb)
        return true
    }

    private func remove(_ path: String) {
        switch form {
        case .file: unlink(path)
        case .directory: FileSystem.removeTree(path)
        }
    }

    private func readOwner() -> JSONValue? {
        guard let bytes = try? FileSystem.read(ownerPath, displayPath: relativePath) else { return nil }
        return try? JSONParser.parse(bytes: bytes)
    }

    private func heldError() -> ToolError {
        let owner = readOwner()
        var details = JSONObject()
        details["pid"] = owner?["pid"] ?? .null
        details["command"] = owner?["command"] ?? .null
        let pid = owner?["pid"]?.intValue.map(String.init) ?? "?"
        return ToolError(
            ErrorCode.lockHeld,
            "\(displayPath) is held by process \(pid) (\(owner?["command"]?.stringValue ?? "unknown")); try again when it finishes",
            details: .object(details))
    }
}
