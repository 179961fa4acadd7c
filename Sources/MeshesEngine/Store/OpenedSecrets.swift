internal import Synchronization

/// Unsealed machine-key secrets, by access key, each with the sealed bytes it came from: a key whose stored value
/// changes is unsealed again. Bounded (cleared when full); lives as long as its store.
package final class OpenedSecrets: Sendable {
    static let capacity = 1_000
    private let entries = Mutex<[String: (sealed: [UInt8], secret: String)]>([:])

    package init() {}

    /// The secret unsealed earlier from exactly `sealed`, if any.
    package func secret(_ accessKey: String, sealed: [UInt8]) -> String? {
        entries.withLock { entries in
            guard let entry = entries[accessKey], entry.sealed == sealed else { return nil }
            return entry.secret
        }
    }

    package func remember(_ accessKey: String, sealed: [UInt8], secret: String) {
        entries.withLock { entries in
            if entries.count >= OpenedSecrets.capacity { entries.removeAll(keepingCapacity: true) }
            entries[accessKey] = (sealed, secret)
        }
    }
}
