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

/// The rules each ingest key fans out to, kept across transactions while the database's routing version is the one
/// they were read under. Triggers (schema v7) give that version a new random value on every change of `rules` and
/// of a connection's `active`, by this process or any other, so a rule created, deleted or disabled anywhere is seen
/// by the very next ingest. Used only inside write transactions (one writer at a time), hence one lock.
final class RoutingCache: Sendable {
    static let maximumEntries = 4096

    private let state = Mutex<(version: Int64?, matches: [SQLiteStore.MatchKey: [SQLiteStore.RuleMatch]])>((nil, [:]))

    /// The matches of `key` under the database's current routing `version` (read by the caller in its transaction),
    /// loading them with `load` when they are not known under it.
    func matches(
        _ key: SQLiteStore.MatchKey, version: Int64, load: () throws -> [SQLiteStore.RuleMatch]
    ) rethrows -> [SQLiteStore.RuleMatch] {
        if let known = state.withLock({ $0.version == version ? $0.matches[key] : nil }) { return known }
        let loaded = try load()
        state.withLock { state in
            if state.version != version || state.matches.count >= RoutingCache.maximumEntries {
                state = (version, [:])
            }
            state.matches[key] = loaded
        }
        return loaded
    }
}
