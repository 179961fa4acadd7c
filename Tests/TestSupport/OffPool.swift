import Foundation

/// Runs blocking work (waiting for a child process, draining its pipes) on a thread of its own and awaits the
/// result, so the cooperative pool stays free meanwhile.
///
/// On two cores that pool has two threads; a test that blocks one of them while its child talks to a server or
/// receiver living in the test process (and another suite blocks the other) starves that server, and its requests
/// time out. Every wait for a child in the meshes suites goes through here.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// `offPool` for work that cannot fail.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: work()) }
    }
}
