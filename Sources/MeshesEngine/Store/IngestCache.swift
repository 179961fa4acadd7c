internal import Synchronization

/// Facts that never become false once true — a workspace exists in an org, a catalogue entry exists — remembered
/// so that hot ingest can skip their SQL. Workspaces and catalogue entries are never deleted, so a remembered
/// fact cannot go stale; the cache is cleared when it grows past its bound. A lock, not an actor: every ingest
/// asks it, and a lookup is shorter than the two thread hops of an actor call.
final class IngestCache: Sendable {
    static let maximumEntries = 200_000

    private let known = Mutex(Set<String>())

    /// Which of `keys` are known.
    func lookup(_ keys: [String]) -> [Bool] {
        known.withLock { known in keys.map { known.contains($0) } }
    }

    func remember(_ keys: [String]) {
        known.withLock { known in
            if known.count + keys.count > IngestCache.maximumEntries { known.removeAll(keepingCapacity: true) }
            known.formUnion(keys)
        }
    }

    static func workspaceKey(org: String, workspace: String) -> String { "w\u{1}\(org)\u{1}\(workspace)" }
    static func catalogKey(workspace: String, kind: CatalogKind, key: String) -> String {
        "c\u{1}\(workspace)\u{1}\(kind.rawValue)\u{1}\(key)"
    }
}
