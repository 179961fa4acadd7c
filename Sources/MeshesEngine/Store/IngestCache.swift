/// Facts that never become false once true — a workspace exists in an org, a catalogue entry exists — remembered
/// so that hot ingest can skip their SQL. Workspaces and catalogue entries are never deleted, so a remembered
/// fact cannot go stale; the cache is cleared when it grows past its bound.
actor IngestCache {
    static let maximumEntries = 200_000

    private var known = Set<String>()

    /// Which of `keys` are known.
    func lookup(_ keys: [String]) -> [Bool] { keys.map { known.contains($0) } }

    func remember(_ keys: [String]) {
        if known.count + keys.count > IngestCache.maximumEntries { known.removeAll(keepingCapacity: true) }
        known.formUnion(keys)
    }

    static func workspaceKey(org: String, workspace: String) -> String { "w\u{1}\(org)\u{1}\(workspace)" }
    static func catalogKey(workspace: String, kind: CatalogKind, key: String) -> String {
        "c\u{1}\(workspace)\u{1}\(kind.rawValue)\u{1}\(key)"
    }
}
