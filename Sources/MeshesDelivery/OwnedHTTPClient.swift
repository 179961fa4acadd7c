internal import AsyncHTTPClient
internal import Synchronization

/// An HTTP client this process owns: shut down once, by `shutdown()` or, for an owner dropped on an error path
/// without it, when the owner goes away.
final class OwnedHTTPClient: Sendable {
    let client: HTTPClient
    private let closed = Mutex(false)

    init(_ configuration: HTTPClient.Configuration) {
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    deinit {
        if !closed.withLock({ $0 }) { try? client.syncShutdown() }
    }

    /// Closes the pool (in-flight requests finish first); later calls do nothing.
    func shutdown() async {
        guard
            closed.withLock({ closed in
                defer { closed = true }
                return !closed
            })
        else { return }
        try? await client.shutdown()
    }
}
