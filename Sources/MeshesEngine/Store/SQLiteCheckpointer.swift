internal import Foundation
internal import GRDBSQLite
internal import Synchronization

/// Moves WAL checkpoints off the write path. SQLite's automatic checkpoint runs inside the commit that crosses the
/// threshold: that writer copies every frame and syncs both files while every other write waits (measured: a
/// 250 ms stall every ~2 s under steady single-event ingest, the whole p99 of `POST /events`). Here a thread of its
/// own runs a PASSIVE checkpoint every `interval` (it never blocks the writer), and a RESTART once the log holds more
/// than `restartFrames` frames, so the log starts over instead of growing; by then the passive runs have copied
/// nearly everything, so the writer waits only for the remainder. Durability of commits is unchanged (WAL).
final class SQLiteCheckpointer: Sendable {
    /// When to checkpoint.
    struct Policy: Sendable {
        var interval: Double = 0.5
        var restartFrames: Int32 = 8_000
    }

    private let stopped = Mutex(false)
    private let wake = DispatchSemaphore(value: 0)
    /// Frames in the log after the most recent checkpoint, and checkpoints run (for tests and timings).
    let progress = Mutex((logFrames: Int32(0), runs: 0))

    /// Starts the thread; nil when the file cannot be opened for writing (the caller keeps SQLite's automatic
    /// checkpoint then).
    init?(path: String, policy: Policy) {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let handle else {
            if let handle { sqlite3_close_v2(handle) }
            return nil
        }
        sqlite3_busy_timeout(handle, 5000)
        let connection = CheckpointConnection(handle: handle)
        let thread = Thread { [self] in run(connection, policy) }
        thread.name = "meshes-checkpoint"
        thread.start()
    }

    /// Ends the thread after its current checkpoint (its connection closes with it).
    func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        if first { wake.signal() }
    }

    private func run(_ connection: CheckpointConnection, _ policy: Policy) {
        defer { sqlite3_close_v2(connection.handle) }
        var log: Int32 = 0
        while !stopped.withLock({ $0 }) {
            _ = wake.wait(timeout: .now() + policy.interval)
            if stopped.withLock({ $0 }) { break }
            let mode = log > policy.restartFrames ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE
            var frames: Int32 = 0
            var copied: Int32 = 0
            let code = sqlite3_wal_checkpoint_v2(connection.handle, nil, mode, &frames, &copied)
            // SQLITE_BUSY: a RESTART could not get every reader onto the newest snapshot in time; the next round
            // tries again. Frames stay counted either way.
            if code == SQLITE_OK || code == SQLITE_BUSY {
                log = frames
                progress.withLock {
                    $0.logFrames = frames
                    $0.runs += 1
                }
            }
        }
    }
}

/// The checkpointer's own connection, used only by its thread.
private final class CheckpointConnection: @unchecked Sendable {
    let handle: OpaquePointer
    init(handle: OpaquePointer) { self.handle = handle }
}
