public import AgentsMeshCanonical
internal import AgentsMeshKit
internal import Foundation
public import SharedCore
internal import SharedPlatform

/// How `generate` treats the extends cache (§2.1, §4.1).
public enum ExtendsCacheMode: Sendable, Equatable {
    /// Remote sources are fetched once and read from the cache afterwards.
    case cached
    /// Remote sources are fetched again and the cache entries replaced (`--refresh-cache`).
    case refresh
    /// Remote sources are fetched into a temporary folder removed after the run (`--no-cache`).
    case uncached
}

/// Resolves the `extends:` entries of a project: fetches each source (or reads it from the cache), reads it
/// the way `install` reads a pack (§5.3, with the entry's `path`, `target`, `as` and consent), and narrows it
/// to the entry's `features` and `pick`. Local folders and archives are read on every run; remote sources
/// (git, https archives) are cached under `<cache>/extends/`, keyed by the credential-free source, the ref
/// and the options that shape the reading. Runs synchronously: a fetch blocks the calling thread.
public struct ExtendsResolver: Sendable {
    public let root: String
    let environment: [String: String]
    public let mode: ExtendsCacheMode

    public init(root: String, environment: [String: String] = ProcessEnvironment.current, mode: ExtendsCacheMode = .cached) {
        self.root = root
        self.environment = environment
        self.mode = mode
    }

    /// `AGENTSMESH_CACHE`, else `~/.agentsmesh/cache`.
    public var cacheBase: String {
        environment["AGENTSMESH_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "/tmp") + "/.agentsmesh/cache")
    }

    /// The result: each entry loaded, in list order, and what was noticed on the way.
    public struct Resolved: Sendable {
        public var extends: [LoadedExtend] = []
        public var warnings: [Diagnostic] = []
    }

    public func resolve(_ entries: [ExtendEntry]) throws(ToolError) -> Resolved {
        var resolved = Resolved()
        guard !entries.isEmpty else { return resolved }
        var scratch: [String] = []
        defer { scratch.forEach(FileSystem.removeTree) }
        for entry in entries {
            do throws(ToolError) {
                let (extend, warnings) = try resolve(entry, scratch: &scratch)
                resolved.extends.append(extend)
                resolved.warnings += warnings
            } catch {
                throw ToolError(
                    error.code, "extends '\(entry.name)': \(error.message)",
                    details: Self.details(error.details, name: entry.name))
            }
        }
        return resolved
    }

    static func details(_ details: JSONValue?, name: String) -> JSONValue {
        var object = details?.objectValue ?? JSONObject()
        object["extend"] = .string(name)
        return .object(object)
    }

    /// The cache folder of one entry.
    func cacheFolder(_ entry: ExtendEntry, source: PackSource) -> String {
        var key = [source.persisted, source.ref ?? "", entry.path ?? "", entry.target ?? "", entry.asKind ?? ""]
        key.append(entry.accept.joined(separator: ","))
        let readable = String(source.defaultName.prefix(40))
        return cacheBase + "/extends/" + readable + "-" + String(SHA256.hex(key.joined(separator: "\n")).prefix(16))
    }

    static let metaName = "extend.json"

    private func resolve(_ entry: ExtendEntry, scratch: inout [String]) throws(ToolError) -> (LoadedExtend, [Diagnostic]) {
        let source = try PackSource.parse(entry.sourceWithRef, environment: environment)
        let key = source.persisted + "#" + (source.ref ?? "")
        let cached = source.isRemote && mode != .uncached
        let folder: String
        if cached {
            folder = cacheFolder(entry, source: source)
            if mode == .cached, let meta = Self.readMeta(folder), meta["key"]?.stringValue == key {
                return try load(entry, folder: folder, meta: meta)
            }
        } else {
            folder = try makeScratch("read")
            scratch.append(folder)
        }
        let fetchScratch = try makeScratch("fetch")
        scratch.append(fetchScratch)
        let (tree, id, fetchWarnings) = try fetch(source, entry: entry, scratch: fetchScratch)
        // A cache entry is prepared beside its folder and swapped in whole; a one-run read goes straight in.
        let stage = cached ? folder + ".staging-\(UInt32.random(in: 0...UInt32.max))" : folder
        defer { if cached { FileSystem.removeTree(stage) } }
        var meta = try materialise(entry, source: source, tree: tree, into: stage)
        meta["key"] = .string(key)
        meta["id"] = .string(id)
        meta["fetched_at"] = .string(Clock.isoNow())
        meta["warnings"] = .array(fetchWarnings.map(\.json) + (meta["warnings"]?.arrayValue ?? []))
        if cached {
            try AtomicFile.writeScratch(
                Array(JSONEmitter.pretty(.object(meta)).utf8), to: stage + "/" + Self.metaName, displayPath: Self.metaName)
            try AtomicFile.sync(FileSystem.walkFiles(stage).map { stage + "/" + $0 }, displayPaths: FileSystem.walkFiles(stage))
            try swap(stage, into: folder)
        }
        return try load(entry, folder: folder, meta: .object(meta))
    }

    private func makeScratch(_ purpose: String) throws(ToolError) -> String {
        let base = cacheBase + "/tmp"
        try FileSystem.makeDirectories(base, displayPath: "the extends cache")
        let path = base + "/\(purpose)-\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"
        try FileSystem.makeDirectories(path, displayPath: "the extends cache")
        return path
    }

    /// The source's tree (after `path`) and its lock id.
    private func fetch(_ source: PackSource, entry: ExtendEntry, scratch: String) throws(ToolError) -> (String, String, [Diagnostic]) {
        var tree: String
        var id: String
        var warnings: [Diagnostic] = []
        switch source.kind {
        case .local:
            let path = absolute(source.location)
            guard FileSystem.isDirectory(path) else {
                throw ToolError(ErrorCode.notFound, "local source \(source.location) is not a folder")
            }
            tree = FileSystem.realPath(path) ?? path
            id = ""
        case .archive:
            var archive = absolute(source.location)
            if source.location.hasPrefix("https://") {
                archive = scratch + "/download.tar.gz"
                try ArchiveDownloader.transfer(
                    source, to: archive, environment: environment, maxBytes: ArchiveDownloader.maxBytes, progress: nil)
            } else if FileSystem.kind(archive) != .file {
                throw ToolError(ErrorCode.notFound, "archive \(source.location) not found")
            }
            let bytes = try FileSystem.read(archive, displayPath: "archive")
            let into = scratch + "/tree"
            try FileSystem.makeDirectories(into, displayPath: "the extends cache")
            let report = try Archive.extract(archive, displayPath: source.display, into: into, progress: nil)
            warnings += report.warnings
            tree = Archive.contentRoot(into)
            id = SHA256.tagged(bytes)
        case .git, .github, .gitlab:
            let into = scratch + "/tree"
            try FileSystem.makeDirectories(into, displayPath: "the extends cache")
            var gitEnvironment = environment
            // --no-cache: the bare repository cache lives in the scratch folder too.
            if mode == .uncached { gitEnvironment["AGENTSMESH_CACHE"] = scratch + "/cache" }
            let fetcher = GitFetcher(environment: gitEnvironment)
            let result = try GitSession(source: source, cacheFolder: fetcher.cacheFolder, environment: gitEnvironment, progress: nil)
                .run(into: into)
            warnings += result.warnings
            tree = into
            id = result.commit
        }
        if let sub = entry.path {
            let resolved = try SafePath(root: tree).resolve(sub)
            guard FileSystem.isDirectory(resolved) else { throw ToolError(ErrorCode.notFound, "path \(sub) is not a folder in the source") }
            tree = resolved
        }
        if source.kind == .local { id = "local:" + (ContentHash.folder(tree) ?? "sha256:") }
        return (tree, id, warnings)
    }

    /// Reads the tree as `install` would and writes the result in canonical layout to `stage/canonical`.
    /// Returns the metadata to record (source type, files skipped, warnings).
    private func materialise(_ entry: ExtendEntry, source: PackSource, tree: String, into stage: String) throws(ToolError)
        -> JSONObject
    {
        var options = ClassifyOptions(asKind: entry.asKind, target: entry.target)
        options.trusted = !source.needsConsent
        options.accepted = Set(entry.accept)
        let pack = try PackClassifier.classify(tree: tree, options: options)
        let canonical = stage + "/canonical"
        try FileSystem.makeDirectories(canonical, displayPath: "the extends cache")
        for file in pack.files {
            let target = canonical + "/" + file.path
            if let slash = target.lastIndex(of: "/") {
                try FileSystem.makeDirectories(String(target[..<slash]), displayPath: "the extends cache")
            }
            try AtomicFile.writeScratch(file.bytes, to: target, displayPath: file.path)
        }
        var warnings = pack.warnings.map { warning -> Diagnostic in
            guard warning.code == "ELEVATED_STRIPPED", let kind = pack.strippedElevated.first(where: { warning.message.contains($0) })
            else {
                return warning
            }
            return Diagnostic(
                code: "ELEVATED_STRIPPED",
                message:
                    "extends '\(entry.name)': \(kind) from a remote source were not merged; add `accept: [\(kind)]` to the entry to allow them"
            )
        }
        for broken in pack.broken {
            warnings.append(
                Diagnostic(
                    code: "EXTEND_FILE_BROKEN", message: "extends '\(entry.name)': \(broken.path): \(broken.reason); skipped"))
        }
        var meta = JSONObject()
        meta["name"] = .string(entry.name)
        meta["source"] = .string(source.persisted)
        meta["source_type"] = pack.sourceType.map { .string($0.rawValue) } ?? .null
        meta["warnings"] = .array(warnings.map(\.json))
        return meta
    }

    /// Replaces a cache entry: the old one is moved aside, the new one renamed in, the old one removed.
    private func swap(_ stage: String, into folder: String) throws(ToolError) {
        let aside = folder + ".old-\(UInt32.random(in: 0...UInt32.max))"
        let hadOld = FileSystem.kind(folder) != .missing
        if hadOld, rename(folder, aside) != 0 { throw ToolError.io("cannot replace", path: "the extends cache entry", errno: errno) }
        if rename(stage, folder) != 0 {
            let code = errno
            if hadOld { rename(aside, folder) }
            throw ToolError.io("cannot write", path: "the extends cache entry", errno: code)
        }
        if hadOld { FileSystem.removeTree(aside) }
    }

    static func readMeta(_ folder: String) -> JSONValue? {
        guard let bytes = try? FileSystem.read(folder + "/" + metaName, displayPath: metaName),
            let meta = try? JSONParser.parse(bytes: bytes), meta["id"]?.stringValue != nil,
            FileSystem.isDirectory(folder + "/canonical")
        else { return nil }
        return meta
    }

    private func load(_ entry: ExtendEntry, folder: String, meta: JSONValue) throws(ToolError) -> (
        LoadedExtend, [Diagnostic]
    ) {
        var warnings: [Diagnostic] = []
        for warning in meta["warnings"]?.arrayValue ?? [] {
            guard let code = warning["code"]?.stringValue, let message = warning["message"]?.stringValue else { continue }
            warnings.append(Diagnostic(code: code, message: message, path: warning["path"]?.stringValue))
        }
        let display = "extends/\(entry.name)/"
        let loaded = try CanonicalStore.load(canonicalRoot: folder + "/canonical", displayPrefix: display) {
            path, reason in
            warnings.append(Diagnostic(code: "EXTEND_FILE_BROKEN", message: "extends '\(entry.name)': \(path): \(reason); skipped"))
        }
        warnings += loaded.warnings
        var project = loaded.project
        Self.narrow(&project, entry: entry, warnings: &warnings)
        return (LoadedExtend(name: entry.name, id: meta["id"]?.stringValue ?? "", project: project), warnings)
    }

    /// Applies the entry's `features` and `pick`.
    static func narrow(_ project: inout CanonicalProject, entry: ExtendEntry, warnings: inout [Diagnostic]) {
        if let features = entry.features {
            if !features.contains(.rules) { project.rules = [] }
            if !features.contains(.commands) { project.commands = [] }
            if !features.contains(.agents) { project.agents = [] }
            if !features.contains(.skills) { project.skills = [] }
            if !features.contains(.mcp) { project.mcpServers = nil }
            if !features.contains(.hooks) { project.hooks = nil }
            if !features.contains(.permissions) { project.permissions = nil }
            if !features.contains(.ignore) { project.ignore = nil }
        }
        func missing(_ kind: String, _ wanted: [String], _ present: [String]) {
            for name in wanted where !present.contains(name) {
                warnings.append(
                    Diagnostic(
                        code: "EXTEND_PICK_MISSING",
                        message: "extends '\(entry.name)': pick.\(kind) names '\(name)', which the source does not have"))
            }
        }
        if let names = entry.pick["rules"] {
            let present = project.rules.map { $0.isRoot ? "_root" : $0.name }
            missing("rules", names, present)
            project.rules.removeAll { !names.contains($0.isRoot ? "_root" : $0.name) }
        }
        if let names = entry.pick["commands"] {
            missing("commands", names, project.commands.map(\.name))
            project.commands.removeAll { !names.contains($0.name) }
        }
        if let names = entry.pick["agents"] {
            missing("agents", names, project.agents.map(\.name))
            project.agents.removeAll { !names.contains($0.name) }
        }
        if let names = entry.pick["skills"] {
            missing("skills", names, project.skills.map(\.name))
            project.skills.removeAll { !names.contains($0.name) }
        }
    }

    private func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : root + "/" + path }
}
