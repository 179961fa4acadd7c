public import SharedCore
internal import SharedPlatform

/// A cross-process lock file created with `O_CREAT|O_EXCL` (§4.3).
public struct ProcessLock: Sendable {
    /// Project-relative lock path, e.g. `.agentsmesh/.generate.lock`.
    public let relativePath: String
    public let absolutePath: String

    public init(root: String, relativePath: String) {
        self.relativePath = relativePath
        self.absolutePath = root + "/" + relativePath
    }

    /// The local host name.
    static var hostname: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One attempt: acquires the lock or throws `LOCK_HELD` with the holder in details.
    public func tryAcquire(command: String) throws(ToolError) {
        try FileSystem.makeDirectories(String(absolutePath[..<(absolutePath.lastIndex(of: "/") ?? absolutePath.endIndex)]), displayPath: relativePath)
        for _ in 0..<2 {
            let fd = open(absolutePath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                var content = JSONObject()
                content["pid"] = .int(Int(getpid()))
                content["hostname"] = .string(Self.hostname)
                content["command"] = .string(command)
                content["acquiredAt"] = .string(Clock.isoNow())
                let bytes = Array(JSONEmitter.compact(.object(content)).utf8)
                _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, bytes.count) }
                fsync(fd)
                close(fd)
                return
            }
            guard errno == EEXIST else { throw ToolError.io("cannot create lock", path: relativePath, errno: errno) }
            if evictIfStale() { continue }
            break
        }
        let holder = (try? FileSystem.read(absolutePath, displayPath: relativePath)).flatMap { try? JSONParser.parse(bytes: $0) }
        var details = JSONObject()
        details["pid"] = holder?["pid"] ?? .null
        details["command"] = holder?["command"] ?? .null
        throw ToolError(
            ErrorCode.lockHeld,
            "\(relativePath) is held by process \(holder?["pid"]?.intValue.map(String.init) ?? "?") (\(holder?["command"]?.stringValue ?? "unknown")); try again when it finishes",
            details: .object(details))
    }

    /// Waits up to `timeout` seconds (polling every 100 ms) for the lock.
    public func acquire(command: String, timeout: Double) throws(ToolError) {
        let deadline = Clock.now() + timeout
        while true {
            do {
                try tryAcquire(command: command)
                return
            } catch where error.code == ErrorCode.lockHeld && Clock.now() < deadline {
                usleep(100_000)
            }
        }
    }

    /// Removes the lock if this process holds it.
    public func release() {
        guard let bytes = try? FileSystem.read(absolutePath, displayPath: relativePath),
            let holder = try? JSONParser.parse(bytes: bytes), holder["pid"]?.intValue == Int(getpid())
        else { return }
        unlink(absolutePath)
    }

    /// Deletes a stale lock: dead local PID, older than 6 hours, or unparsable and older than 60 s.
    public func evictIfStale() -> Bool {
        let now = Clock.now()
        let mtime = FileSystem.modificationTime(absolutePath) ?? now
        guard let bytes = try? FileSystem.read(absolutePath, displayPath: relativePath),
            let holder = try? JSONParser.parse(bytes: bytes), let pid = holder["pid"]?.intValue
        else {
            if now - mtime > 60 { return unlink(absolutePath) == 0 || errno == ENOENT }
            return false
        }
        let acquired = holder["acquiredAt"]?.stringValue.flatMap(Clock.parseISO) ?? mtime
        if now - acquired > 6 * 3600 { return unlink(absolutePath) == 0 || errno == ENOENT }
        if holder["hostname"]?.stringValue == Self.hostname, kill(pid_t(pid), 0) != 0, errno == ESRCH {
            return unlink(absolutePath) == 0 || errno == ENOENT
        }
        return false
    }
}
