/// Process locks held by this process, so an interrupt can release them before exiting.
package actor HeldLocks {
    /// The one registry of this process.
    package static let shared = HeldLocks()

    private var locks: [String: ProcessLock] = [:]

    package func add(_ lock: ProcessLock) { locks[lock.absolutePath] = lock }

    package func remove(_ lock: ProcessLock) { locks[lock.absolutePath] = nil }

    /// Releases every lock this process holds (used on SIGINT/SIGTERM).
    package func releaseAll() {
        for lock in locks.values { lock.release() }
        locks.removeAll()
    }
}
