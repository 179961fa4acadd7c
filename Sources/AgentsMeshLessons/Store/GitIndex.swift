internal import AgentsMeshGit
internal import CGit2
internal import SharedCore

/// The git index of the work tree containing a path, read through libgit2: used to tell whether
/// `lessons.json` is unmerged and which files are tracked.
struct GitIndex {
    /// The work tree root (real path, no trailing `/`).
    let workTree: String
    private let index: OpaquePointer

    /// Runs `body` with the index of the work tree containing `path`; `nil` when there is none (no
    /// repository, a bare one, or an unreadable index).
    static func with<T>(containing path: String, _ body: (GitIndex) -> T) -> T? {
        LibGit2.ensure()
        var repository: OpaquePointer?
        guard git_repository_open_ext(&repository, path, 0, nil) == 0, let repository else { return nil }
        defer { git_repository_free(repository) }
        guard git_repository_is_bare(repository) == 0, let workdir = git_repository_workdir(repository) else { return nil }
        var index: OpaquePointer?
        guard git_repository_index(&index, repository) == 0, let index else { return nil }
        defer { git_index_free(index) }
        var tree = String(cString: workdir)
        while tree.count > 1 && tree.hasSuffix("/") { tree.removeLast() }
        return body(GitIndex(workTree: FileSystem.realPath(tree) ?? tree, index: index))
    }

    /// Paths (relative to `root`) of the index entries under `root`, stage 0 and conflicted alike.
    func trackedPaths(under root: String) -> [String] {
        guard let prefix = relativePrefix(root) else { return [] }
        var out: [String] = []
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), let raw = entry.pointee.path else { continue }
            let path = String(cString: raw)
            if path.hasPrefix(prefix) { out.append(String(path.dropFirst(prefix.count))) }
        }
        return out
    }

    /// Whether the file at `relativePath` under `root` has conflict stages in the index.
    func isUnmerged(_ relativePath: String, under root: String) -> Bool {
        guard let prefix = relativePrefix(root) else { return false }
        let path = prefix + relativePath
        return (1...3).contains { git_index_get_bypath(index, path, Int32($0)) != nil }
    }

    /// `root` relative to the work tree, with a trailing `/` (empty for the work tree itself).
    private func relativePrefix(_ root: String) -> String? {
        if root == workTree { return "" }
        guard root.hasPrefix(workTree + "/") else { return nil }
        return String(root.dropFirst(workTree.count + 1)) + "/"
    }
}
