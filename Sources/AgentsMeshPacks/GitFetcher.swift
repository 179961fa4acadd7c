public import AgentsMeshCanonical
internal import AgentsMeshGit
internal import AgentsMeshKit
internal import CGit2
internal import Dispatch
public import SharedCore
internal import SharedPlatform

/// Progress of a git fetch: objects received / total and bytes received.
public struct FetchProgress: Sendable {
    public var receivedObjects: Int
    public var totalObjects: Int
    public var receivedBytes: Int
}

/// The outcome of fetching a pack source.
public struct FetchedTree: Sendable {
    /// The full commit SHA the tree was read from.
    public var commit: String
    /// The ref as resolved: a branch stays a branch name, a tag a tag name, else the SHA.
    public var resolvedRef: String?
    /// Whether the ref named a branch (refresh moves it), a tag or a commit.
    public var refKind: RefKind
    public var warnings: [Diagnostic]
}

/// What a requested ref turned out to be.
public enum RefKind: String, Sendable {
    case branch, tag, commit, head
}

/// Clones and fetches into a bare cache per source URL and materialises trees without a work tree.
/// All libgit2 work runs on a dedicated dispatch queue, never on the cooperative pool.
public struct GitFetcher: Sendable {
    /// `<cache>/git/`, where `<cache>` is `AGENTSMESH_CACHE` or `~/.agentsmesh/cache`.
    public let cacheFolder: String
    let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
        let base =
            environment["AGENTSMESH_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? "/tmp") + "/.agentsmesh/cache")
        cacheFolder = base + "/git"
    }

    private static let queue = DispatchQueue(label: "agentsmesh.libgit2", qos: .userInitiated)

    /// Fetches `source` at its ref and writes the commit's tree into `destination`.
    public func fetch(_ source: PackSource, into destination: String, progress: (@Sendable (FetchProgress) -> Void)? = nil)
        async throws(ToolError) -> FetchedTree
    {
        let environment = self.environment
        let cache = cacheFolder
        let result: Result<FetchedTree, ToolError> = await withCheckedContinuation { continuation in
            Self.queue.async {
                continuation.resume(
                    returning: Result { () throws(ToolError) -> FetchedTree in
                        try GitSession(source: source, cacheFolder: cache, environment: environment, progress: progress).run(
                            into: destination)
                    })
            }
        }
        return try result.get()
    }
}

/// Payload handed to libgit2 callbacks.
final class GitCallbackContext: @unchecked Sendable {
    // Only touched on the libgit2 queue during one fetch.
    let username: String?
    let token: String?
    let progress: (@Sendable (FetchProgress) -> Void)?
    var credentialAttempts = 0
    var sshKeyIndex = 0
    let sshKeys: [String]

    init(username: String?, token: String?, sshKeys: [String], progress: (@Sendable (FetchProgress) -> Void)?) {
        self.username = username
        self.token = token
        self.sshKeys = sshKeys
        self.progress = progress
    }
}

/// One fetch, run synchronously on the libgit2 queue.
struct GitSession {
    let source: PackSource
    let cacheFolder: String
    let environment: [String: String]
    let progress: (@Sendable (FetchProgress) -> Void)?

    func fail(_ what: String) -> ToolError {
        ToolError("FETCH_FAILED", Redaction.mask("\(what) \(source.display): \(LibGit2.lastError())", environment: environment))
    }

    func check(_ rc: Int32, _ what: String) throws(ToolError) {
        if rc < 0 { throw fail(what) }
    }

    /// The cache folder for this source: readable prefix + hash of the credential-free URL.
    var cachePath: String {
        let url = Redaction.stripUserinfo(source.location)
        let readable = String(source.defaultName.prefix(40))
        return cacheFolder + "/" + readable + "-" + String(SHA256.hex(url).prefix(16)) + ".git"
    }

    func run(into destination: String) throws(ToolError) -> FetchedTree {
        LibGit2.ensure()
        try FileSystem.makeDirectories(cacheFolder, displayPath: "~/.agentsmesh/cache/git")
        var repo: OpaquePointer?
        if FileSystem.isDirectory(cachePath), git_repository_open_bare(&repo, cachePath) == 0 {
            // reuse the cache
        } else if source.location.hasPrefix("file://") {
            // A local repository: the cold cache is a bare clone that copies its object files (as
            // `git clone --local --no-hardlinks` does) instead of re-packing every object through the
            // transport; refreshes then fetch into it like any other cache.
            FileSystem.removeTree(cachePath)
            var options = git_clone_options()
            git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION))
            options.bare = 1
            options.local = GIT_CLONE_LOCAL_NO_LINKS
            if git_clone(&repo, source.location, cachePath, &options) != 0 {
                FileSystem.removeTree(cachePath)
                repo = nil
                try check(git_repository_init(&repo, cachePath, 1), "cannot create the git cache for")
            }
        } else {
            FileSystem.removeTree(cachePath)
            try check(git_repository_init(&repo, cachePath, 1), "cannot create the git cache for")
        }
        guard let repo else { throw fail("cannot open the git cache for") }
        defer { git_repository_free(repo) }

        var remote: OpaquePointer?
        if git_remote_lookup(&remote, repo, "origin") != 0 {
            try check(git_remote_create(&remote, repo, "origin", source.location), "cannot configure the remote for")
        } else if let existing = remote, let url = git_remote_url(existing), String(cString: url) != source.location {
            try check(git_remote_set_url(repo, "origin", source.location), "cannot configure the remote for")
            git_remote_free(existing)
            remote = nil
            try check(git_remote_lookup(&remote, repo, "origin"), "cannot configure the remote for")
        }
        guard let remote else { throw fail("cannot configure the remote for") }
        defer { git_remote_free(remote) }

        let context = GitCallbackContext(
            username: tokenUser, token: token, sshKeys: sshKeyPaths, progress: progress)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        callbacks.credentials = gitCredentialCallback
        callbacks.transfer_progress = gitProgressCallback
        callbacks.payload = unmanaged.toOpaque()

        // Resolve the ref against the remote's advertisement.
        StageTimer.lap("git.open")
        try check(git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil), "cannot reach")
        let heads = listHeads(remote)
        var defaultBranch: String?
        var buffer = git_buf()
        if git_remote_default_branch(&buffer, remote) == 0, let ptr = buffer.ptr {
            defaultBranch = String(cString: ptr)
        }
        git_buf_dispose(&buffer)
        git_remote_disconnect(remote)

        let resolution = try resolve(heads: heads, defaultBranch: defaultBranch)
        var fetchOptions = git_fetch_options()
        git_fetch_options_init(&fetchOptions, UInt32(GIT_FETCH_OPTIONS_VERSION))
        fetchOptions.callbacks = callbacks
        fetchOptions.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        if let refspec = resolution.refspec {
            try withStrArray([refspec]) { (array: inout git_strarray) throws(ToolError) in
                try check(git_remote_fetch(remote, &array, &fetchOptions, nil), "cannot fetch")
            }
        } else if !objectExists(repo, resolution.commit ?? "") {
            try withStrArray(["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]) {
                (array: inout git_strarray) throws(ToolError) in
                try check(git_remote_fetch(remote, &array, &fetchOptions, nil), "cannot fetch")
            }
        }
        StageTimer.lap("git.fetch")
        let commit = try commitSHA(repo, resolution: resolution)
        var warnings: [Diagnostic] = []
        try materialize(repo, commit: commit, into: destination, warnings: &warnings)
        StageTimer.lap("git.materialize")
        return FetchedTree(commit: commit, resolvedRef: resolution.name, refKind: resolution.kind, warnings: warnings)
    }

    var tokenUser: String? {
        if source.location.hasPrefix("https://github.com/") { return "x-access-token" }
        if source.location.hasPrefix("https://gitlab.com/") { return "oauth2" }
        return nil
    }

    var token: String? {
        if source.location.hasPrefix("https://github.com/") { return environment["AGENTSMESH_GITHUB_TOKEN"] }
        if source.location.hasPrefix("https://gitlab.com/") { return environment["AGENTSMESH_GITLAB_TOKEN"] }
        return nil
    }

    var sshKeyPaths: [String] {
        guard let home = environment["HOME"] else { return [] }
        return ["id_ed25519", "id_rsa"].map { home + "/.ssh/" + $0 }.filter { FileSystem.exists($0) }
    }

    struct Head {
        var name: String
        var oid: String
        var peeled: String?
    }

    func listHeads(_ remote: OpaquePointer) -> [Head] {
        var list: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        guard git_remote_ls(&list, &count, remote) == 0, let list else { return [] }
        var heads: [String: Head] = [:]
        var order: [String] = []
        for i in 0..<count {
            guard let head = list[i]?.pointee, let cName = head.name else { continue }
            var name = String(cString: cName)
            var oid = head.oid
            let sha = oidString(&oid)
            if name.hasSuffix("^{}") {
                name.removeLast(3)
                heads[name, default: Head(name: name, oid: sha)].peeled = sha
                continue
            }
            if heads[name] == nil { order.append(name) }
            heads[name] = Head(name: name, oid: sha, peeled: heads[name]?.peeled)
        }
        return order.compactMap { heads[$0] }
    }

    struct Resolution {
        var kind: RefKind
        var name: String?
        var refspec: String?
        var localRef: String?
        var commit: String?
    }

    func resolve(heads: [Head], defaultBranch: String?) throws(ToolError) -> Resolution {
        func find(_ name: String) -> Head? { heads.first { $0.name == name } }
        guard let ref = source.ref else {
            let branchRef =
                defaultBranch
                ?? heads.first { $0.name == "HEAD" }.flatMap { head in
                    heads.first { $0.name.hasPrefix("refs/heads/") && $0.oid == head.oid }?.name
                }
            guard let branchRef, branchRef.hasPrefix("refs/heads/") else {
                throw ToolError("FETCH_FAILED", "cannot find the default branch of \(source.display)")
            }
            let branch = String(branchRef.dropFirst("refs/heads/".count))
            return Resolution(
                kind: .head, name: branch, refspec: "+\(branchRef):refs/remotes/origin/\(branch)", localRef: "refs/remotes/origin/\(branch)"
            )
        }
        if let tag = find("refs/tags/" + ref) {
            return Resolution(
                kind: .tag, name: ref, refspec: "+refs/tags/\(ref):refs/tags/\(ref)", localRef: "refs/tags/\(ref)",
                commit: tag.peeled ?? tag.oid)
        }
        if find("refs/heads/" + ref) != nil {
            return Resolution(
                kind: .branch, name: ref, refspec: "+refs/heads/\(ref):refs/remotes/origin/\(ref)", localRef: "refs/remotes/origin/\(ref)")
        }
        let isHex = (7...40).contains(ref.count) && ref.allSatisfy { $0.isHexDigit }
        guard isHex else {
            throw ToolError("FETCH_FAILED", "ref '\(ref)' not found in \(source.display)", details: ["reason": "REF_NOT_FOUND"])
        }
        // A full SHA advertised by the server can be fetched directly; otherwise fetch heads and tags.
        let full = heads.first { $0.oid.hasPrefix(ref.lowercased()) || $0.peeled?.hasPrefix(ref.lowercased()) == true }
        return Resolution(
            kind: .commit, name: nil, refspec: nil, localRef: nil, commit: full.map { $0.peeled ?? $0.oid } ?? ref.lowercased())
    }

    func objectExists(_ repo: OpaquePointer, _ sha: String) -> Bool {
        guard sha.count == 40 else { return false }
        var oid = git_oid()
        guard git_oid_fromstr(&oid, sha) == 0 else { return false }
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, repo, &oid) == 0 else { return false }
        git_commit_free(commit)
        return true
    }

    func commitSHA(_ repo: OpaquePointer, resolution: Resolution) throws(ToolError) -> String {
        let spec: String
        if let localRef = resolution.localRef {
            spec = localRef + "^{commit}"
        } else {
            spec = (resolution.commit ?? "") + "^{commit}"
        }
        var object: OpaquePointer?
        guard git_revparse_single(&object, repo, spec) == 0, let object else {
            throw ToolError(
                "FETCH_FAILED", "ref '\(source.ref ?? "HEAD")' not found in \(source.display)", details: ["reason": "REF_NOT_FOUND"])
        }
        defer { git_object_free(object) }
        guard let id = git_object_id(object) else { throw fail("cannot read the commit of") }
        var copy = id.pointee
        return oidString(&copy)
    }

    /// Writes the commit's tree into `destination` (regular files only; symlinks and submodules skipped).
    func materialize(_ repo: OpaquePointer, commit sha: String, into destination: String, warnings: inout [Diagnostic]) throws(ToolError) {
        var oid = git_oid()
        try check(git_oid_fromstr(&oid, sha), "bad commit id from")
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, repo, &oid), "cannot read the commit of")
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "cannot read the tree of")
        defer { git_tree_free(tree) }
        guard let tree else { throw fail("cannot read the tree of") }
        var blobs: [(path: String, bytes: [UInt8], mode: mode_t)] = []
        try writeTree(repo, tree, relative: "", destination: destination, warnings: &warnings, blobs: &blobs)
        // Folders exist (created while walking); the blobs are written on all cores.
        // Scratch tree in the private staging folder: moved or re-staged by the installer, never used in
        // place, so no temp/rename/fsync per blob.
        _ = try Parallel.map(blobs, grain: 32) { (blob) throws(ToolError) -> Bool in
            try AtomicFile.writeScratch(blob.bytes, to: destination + "/" + blob.path, displayPath: blob.path, mode: blob.mode)
            return true
        }
    }

    private func writeTree(
        _ repo: OpaquePointer, _ tree: OpaquePointer, relative: String, destination: String, warnings: inout [Diagnostic],
        blobs: inout [(path: String, bytes: [UInt8], mode: mode_t)]
    ) throws(ToolError) {
        let count = git_tree_entrycount(tree)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree, index), let cName = git_tree_entry_name(entry) else { continue }
            let name = String(cString: cName)
            if name == ".git" || name.contains("/") || name == ".." || name == "." { continue }
            let path = relative.isEmpty ? name : relative + "/" + name
            let mode = git_tree_entry_filemode(entry)
            switch mode {
            case GIT_FILEMODE_TREE:
                var subtree: OpaquePointer?
                guard git_tree_lookup(&subtree, repo, git_tree_entry_id(entry)) == 0, let subtree else {
                    throw fail("cannot read \(path) of")
                }
                defer { git_tree_free(subtree) }
                // The parent was created by the enclosing level (or is the destination itself).
                if mkdir(destination + "/" + path, 0o755) != 0 && errno != EEXIST {
                    throw ToolError.io("cannot create folder", path: path, errno: errno)
                }
                try writeTree(repo, subtree, relative: path, destination: destination, warnings: &warnings, blobs: &blobs)
            case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE:
                var blob: OpaquePointer?
                guard git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) == 0, let blob else { throw fail("cannot read \(path) of") }
                defer { git_blob_free(blob) }
                let size = Int(git_blob_rawsize(blob))
                let bytes: [UInt8] = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: size))
                blobs.append((path, bytes, mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0o755 : 0o644))
            case GIT_FILEMODE_LINK:
                warnings.append(
                    Diagnostic(code: "SYMLINK_SKIPPED", message: "symlink \(path) in the repository is not installed", path: path))
            default:
                warnings.append(Diagnostic(code: "SUBMODULE_SKIPPED", message: "submodule \(path) is not installed", path: path))
            }
        }
    }

    func withStrArray(_ strings: [String], _ body: (inout git_strarray) throws(ToolError) -> Void) throws(ToolError) {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { for pointer in pointers { free(pointer) } }
        try pointers.withUnsafeMutableBufferPointer {
            (buffer: inout UnsafeMutableBufferPointer<UnsafeMutablePointer<CChar>?>) throws(ToolError) in
            var array = git_strarray(strings: buffer.baseAddress, count: strings.count)
            try body(&array)
        }
    }
}

func oidString(_ oid: UnsafePointer<git_oid>) -> String {
    var buffer = [CChar](repeating: 0, count: 41)
    git_oid_tostr(&buffer, 41, oid)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// libgit2 credential callback: token for github/gitlab over https, then ssh-agent and key files.
private func gitCredentialCallback(
    out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, url: UnsafePointer<CChar>?, usernameFromURL: UnsafePointer<CChar>?,
    allowedTypes: UInt32, payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let payload, let out else { return Int32(GIT_PASSTHROUGH.rawValue) }
    let context = Unmanaged<GitCallbackContext>.fromOpaque(payload).takeUnretainedValue()
    context.credentialAttempts += 1
    if context.credentialAttempts > 4 { return -1 }
    if allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = context.token, let user = context.username {
        return git_credential_userpass_plaintext_new(out, user, token)
    }
    if allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
        let user = usernameFromURL.map { String(cString: $0) } ?? "git"
        if context.credentialAttempts == 1 { return git_credential_ssh_key_from_agent(out, user) }
        if context.sshKeyIndex < context.sshKeys.count {
            let key = context.sshKeys[context.sshKeyIndex]
            context.sshKeyIndex += 1
            return git_credential_ssh_key_new(out, user, key + ".pub", key, nil)
        }
    }
    return Int32(GIT_PASSTHROUGH.rawValue)
}

private func gitProgressCallback(stats: UnsafePointer<git_indexer_progress>?, payload: UnsafeMutableRawPointer?) -> Int32 {
    guard let payload, let stats else { return 0 }
    let context = Unmanaged<GitCallbackContext>.fromOpaque(payload).takeUnretainedValue()
    context.progress?(
        FetchProgress(
            receivedObjects: Int(stats.pointee.received_objects), totalObjects: Int(stats.pointee.total_objects),
            receivedBytes: Int(stats.pointee.received_bytes)))
    return 0
}
