internal import AgentsMeshCanonical
internal import AgentsMeshKit
internal import AgentsMeshPacks
internal import AgentsMeshProjectors
public import SharedCore

/// `merge` (§4.9): rebuilds `.lock` after a git conflict.
public enum LockMerge {
    public static func merge(root: String) throws(ToolError) -> JSONValue {
        let text = (try FileSystem.readIfExists(root + "/" + Lockfile.path, displayPath: Lockfile.path)).map {
            String(decoding: $0, as: UTF8.self)
        }
        var outputPaths: Set<String> = []
        var hadConflict = false
        var packs: [String: String] = [:]
        if let text {
            hadConflict = Lockfile.hasConflictMarkers(text)
            for side in sides(of: text) {
                guard let lock = try? Lockfile.parse(side) else { continue }
                outputPaths.formUnion(lock.outputs?.keys ?? [:].keys)
                for (k, v) in lock.packs where packs[k] == nil { packs[k] = v }
            }
        }
        let config = try ConfigLoader.load(root: root)
        var lock = Lockfile()
        lock.generatedAt = Clock.isoNow()
        lock.generatedBy = ProcessEnvironment.value("USER") ?? ProcessEnvironment.value("USERNAME") ?? "unknown"
        lock.libVersion = AgentsMeshVersion.current
        lock.checksums = try CanonicalStore.checksums(root: root)
        lock.packs = packs
        // Extends as they resolve now (from the cache for remote sources).
        let extends = try ExtendsResolver(root: root).resolve(config.extendEntries).extends
        lock.extends = Dictionary(extends.map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })
        if !outputPaths.isEmpty || text == nil {
            var outputs: [String: String] = [:]
            let coOwned = try Checker.coOwnedDescriptors(root: root, config: config, checksums: lock.checksums)
            for path in outputPaths.sorted(by: FileSystem.byteOrder) {
                let absolute = root + "/" + path
                guard FileSystem.kind(absolute) == .file, let bytes = try? FileSystem.read(absolute, displayPath: path) else { continue }
                if let descriptor = coOwned[path] {
                    if let hash = CoOwnedMerge.diskHash(descriptor, bytes: bytes) { outputs[path] = hash }
                } else {
                    outputs[path] = SHA256.tagged(bytes)
                }
            }
            lock.outputs = outputs
        }
        try AtomicFile.write(lock.serialized(), to: root + "/" + Lockfile.path, displayPath: Lockfile.path)
        return [
            "hadConflict": .bool(hadConflict), "checksums": .int(lock.checksums.count),
            "outputs": .int(lock.outputs?.count ?? 0), "path": .string(Lockfile.path),
        ]
    }

    /// The "ours" and "theirs" texts of a conflicted file (or the text itself).
    static func sides(of text: String) -> [String] {
        guard Lockfile.hasConflictMarkers(text) else { return [text] }
        var ours: [Substring] = []
        var theirs: [Substring] = []
        var state = 0  // 0 common, 1 ours, 2 theirs
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("<<<<<<< ") {
                state = 1
                continue
            }
            if line == "=======" && state == 1 {
                state = 2
                continue
            }
            if line.hasPrefix(">>>>>>> ") {
                state = 0
                continue
            }
            if state != 2 { ours.append(line) }
            if state != 1 { theirs.append(line) }
        }
        return [ours.joined(separator: "\n"), theirs.joined(separator: "\n")]
    }
}
