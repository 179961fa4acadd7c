internal import AgentsMeshKit
internal import SharedCore
internal import SharedPlatform

/// The mkdir-based write lock `.agentsmesh/lessons/.lessons.lock/` with the eviction rules of §4.3.
///
/// `mkdir` is atomic, so whoever creates the folder holds the lock; the holder then writes `owner.json`
/// (`{"acquiredAt","command","hostname","pid"}`) inside it so others can judge staleness.
struct LessonsLock: Sendable {
    static let ownerFile = "owner.json"
    static let maximumAge = 6.0 * 3600
    static let unparsableGrace = 60.0

    let root: String
    var directory: String { root + "/" + LessonsFiles.lock }
    var ownerPath: String { directory + "/" + LessonsLock.ownerFile }

    /// Takes the lock, polling every 100 ms for up to `timeout` seconds; `LOCK_HELD` after that.
    func acquire(command: String, timeout: Double) throws(ToolError) {
        let deadline = Clock.now() + timeout
        while true {
            if try tryAcquire(command: command) { return }
            if Clock.now() >= deadline { throw heldError() }
            usleep(100_000)
        }
    }

    /// One attempt; evicts a stale holder once.
    func tryAcquire(command: String) throws(ToolError) -> Bool {
        try FileSystem.makeDirectories(root + "/" + LessonsFiles.folder, displayPath: LessonsFiles.folder)
        for _ in 0..<2 {
            if mkdir(directory, 0o755) == 0 {
                var owner = JSONObject()
                owner["acquiredAt"] = .string(Clock.isoNow())
                owner["command"] = .string(command)
                owner["hostname"] = .string(LessonsLock.hostname)
                owner["pid"] = .int(Int(getpid()))
                try AtomicFile.write(JSONEmitter.compact(.object(owner)) + "\n", to: ownerPath, displayPath: LessonsFiles.lock)
                return true
            }
            guard errno == EEXIST else { throw ToolError.io("cannot create lock", path: LessonsFiles.lock, errno: errno) }
            if !evictIfStale() { return false }
        }
        return false
    }

    /// Removes the lock when this process holds it.
    func release() {
        guard let owner = readOwner(), owner["pid"]?.intValue == Int(getpid()),
            owner["hostname"]?.stringValue == LessonsLock.hostname
        else { return }
        FileSystem.removeTree(directory)
    }

    /// Deletes the lock when its holder is a dead local process, it is older than 6 hours, or its owner file
    /// is unreadable and the folder is older than 60 seconds. Returns whether the lock is gone.
    func evictIfStale(now: Double = Clock.now()) -> Bool {
        guard FileSystem.kind(directory) != .missing else { return true }
        let mtime = FileSystem.modificationTime(directory) ?? now
        let before = try? FileSystem.read(ownerPath, displayPath: LessonsFiles.lock)
        let stale: Bool
        if let owner = readOwner(), let pid = owner["pid"]?.intValue {
            let acquired = owner["acquiredAt"]?.stringValue.flatMap(Clock.parseISO) ?? mtime
            if now - acquired > LessonsLock.maximumAge {
                stale = true
            } else if owner["hostname"]?.stringValue == LessonsLock.hostname, pid > 0, kill(pid_t(pid), 0) != 0,
                errno == ESRCH
            {
                stale = true
            } else {
                stale = false
            }
        } else {
            stale = now - mtime > LessonsLock.unparsableGrace
        }
        guard stale else { return false }
        // Re-check that the lock was not replaced while we were judging it.
        let after = try? FileSystem.read(ownerPath, displayPath: LessonsFiles.lock)
        guard before == after else { return false }
        let tomb = directory + ".stale-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(directory, tomb) == 0 else { return FileSystem.kind(directory) == .missing }
        FileSystem.removeTree(tomb)
        return true
    }

    private func readOwner() -> JSONValue? {
        guard let bytes = try? FileSystem.read(ownerPath, displayPath: LessonsFiles.lock) else { return nil }
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
            "\(LessonsFiles.lock)/ is held by process \(pid) (\(owner?["command"]?.stringValue ?? "unknown")); try again when it finishes",
            details: .object(details))
    }

    static var hostname: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
