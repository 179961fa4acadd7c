/// Process locks held by this process, so an interrupt can release them before exiting.
public actor HeldLocks {
    /// The one registry of this process.
    public static let shared = HeldLocks()

    private var locks: [String: ProcessLock] = [:]

    public func add(_ lock: ProcessLock) { locks[lock.absolutePath] = lock }

    public func remove(_ lock: ProcessLock) { locks[lock.absolutePath] = nil }

    /// Releases every lock this process holds (used on SIGINT/SIGTERM).
    public func releaseAll() {
        for lock in locks.values { lock.release() }
        locks.removeAll()
    }
}
