public import AgentsMeshCanonical
internal import AgentsMeshKit
internal import Foundation
public import SharedCore
internal import SharedPlatform

/// Installs, refreshes and removes packs. One install at a time per project: the actor serialises
/// in-process callers and `.agentsmesh/.install.lock` other processes. Every change to a pack is
/// staged in a private folder and renamed into place; on failure the previous state is untouched.
public actor PackInstaller {
    public let root: String
    let environment: [String: String]
    let lockTimeout: Double
    let regenerate: @Sendable () async throws(ToolError) -> [Diagnostic]
    let progress: (@Sendable (PackProgress) -> Void)?

    /// `regenerate` runs generate after a change (the CLI wires the Generator in).
    public init(
        root: String, environment: [String: String], lockTimeout: Double = 30,
        progress: (@Sendable (PackProgress) -> Void)? = nil,
        regenerate: @escaping @Sendable () async throws(ToolError) -> [Diagnostic]
    ) {
        self.root = root
        self.environment = environment
        self.lockTimeout = lockTimeout
        self.progress = progress
        self.regenerate = regenerate
    }

    static let manifestName = ".agentsmesh-install-manifest.json"

    var packsFolder: String { root + "/.agentsmesh/packs" }

    // MARK: - Locking

    private func withInstallLock<T: Sendable>(_ command: String, _ body: () async throws(ToolError) -> T) async throws(ToolError) -> T {
        let lock = ProcessLock(root: root, relativePath: ".agentsmesh/.install.lock")
        await HeldLocks.shared.add(lock)
        do {
            try lock.acquire(command: command, timeout: lockTimeout)
        } catch {
            await HeldLocks.shared.remove(lock)
            throw error
        }
        let result: Result<T, ToolError>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        lock.release()
        await HeldLocks.shared.remove(lock)
        return try result.get()
    }

    // MARK: - Install

    public func install(_ options: InstallOptions) async throws(ToolError) -> InstallData {
        if options.sync && options.extends {
            throw ToolError(ErrorCode.usage, "--extends records one source; it cannot be combined with --sync")
        }
        if options.sync { return try await sync(options) }
        guard let raw = options.source else { throw ToolError(ErrorCode.usage, "install needs a source (or --sync)") }
        let source = try PackSource.parse(raw, environment: environment)
        if options.extends { return try await installExtend(source: source, options: options) }
        return try await withInstallLock("install") { () throws(ToolError) -> InstallData in
            var installs = try InstallsFile.read(root: root) ?? InstallsFile()
            let staging = try makeStaging()
            // The staging folder goes last: deleting thousands of files just before generate writes its own
            // makes the filesystem's inode allocation slower for those writes.
            defer { FileSystem.removeTree(staging) }
            var data = try await installLocked(source: source, options: options, installs: &installs, refreshedAt: nil, staging: staging)
            if !options.dryRun {
                try writeInstalls(installs)
                StageTimer.lap("install.installs")
                data.warnings += try await regenerate()
                StageTimer.lap("install.generate")
            }
            return data
        }
    }

    /// `install --extends`: the source is resolved (fetched into the extends cache) and read as generate will
    /// read it, then recorded as an `extends:` entry of agentsmesh.yaml by an in-place edit; generate follows.
    private func installExtend(source: PackSource, options: InstallOptions) async throws(ToolError) -> InstallData {
        try await withInstallLock("install") { () throws(ToolError) -> InstallData in
            let name = try packName(options.name ?? source.defaultName, explicit: options.name != nil)
            let config = try ConfigLoader.load(root: root)
            var entry = ExtendEntry(name: name, source: source.persisted)
            entry.path = options.path
            entry.target = options.target
            entry.asKind = options.asKind
            entry.accept = source.needsConsent ? ["hooks", "permissions", "mcp"].filter { options.accept.contains($0) } : []
            // Validated exactly as the config loader will validate it.
            _ = try ExtendEntry.parse([entry.json], path: ConfigLoader.projectFile)
            let existing = config.extendEntries.first { $0.name == name }
            if let existing, existing.source != entry.source || existing.asKind != entry.asKind || existing.target != entry.target {
                throw ToolError(
                    "PACK_NAME_COLLISION",
                    "an extends entry named '\(name)' already takes \(Redaction.mask(existing.source)); choose another --name",
                    details: ["name": .string(name)])
            }
            if let row = (try InstallsFile.read(root: root))?.row(named: name), row["source"]?.stringValue != entry.source {
                throw ToolError(
                    "PACK_NAME_COLLISION",
                    "a pack named '\(name)' is already installed from \(row["source"]?.stringValue ?? "another source"); choose another --name",
                    details: ["name": .string(name)])
            }
            let resolved = try ExtendsResolver(root: root, environment: environment).resolve([entry])
            var data = InstallData(source: source.display, mode: "install", name: name, dryRun: options.dryRun)
            data.asExtends = true
            data.warnings = resolved.warnings
            if let project = resolved.extends.first?.project {
                let at = ConfigLoader.projectFile
                data.installed += project.rules.map { ("rule", $0.isRoot ? "_root" : $0.name, at) }
                data.installed += project.commands.map { ("command", $0.name, at) }
                data.installed += project.agents.map { ("agent", $0.name, at) }
                data.installed += project.skills.map { ("skill", $0.name, at) }
                if project.mcpServers != nil { data.installed.append(("mcp", "mcp.json", at)) }
                if project.hooks != nil { data.installed.append(("hooks", "hooks.yaml", at)) }
                if project.permissions != nil { data.installed.append(("permissions", "permissions.yaml", at)) }
                if project.ignore != nil { data.installed.append(("ignore", "ignore", at)) }
            }
            for warning in resolved.warnings where warning.code == "ELEVATED_STRIPPED" {
                if let kind = ["hooks", "permissions", "mcp"].first(where: { warning.message.contains(" \($0) from") }) {
                    data.skipped.append((kind, kind, "not consented; pass --accept-\(kind)"))
                }
            }
            let path = ConfigLoader.projectFile
            guard let bytes = try FileSystem.readIfExists(root + "/" + path, displayPath: path) else {
                throw ToolError(ErrorCode.noProject, "no \(path) found; run `agentsmesh init`")
            }
            var text = String(decoding: bytes, as: UTF8.self)
            if existing != nil, let without = ExtendsBlock.removing(named: name, from: text) { text = without }
            text = ExtendsBlock.appending(entry, to: text)
            // The edited file must load, with the new entry as given.
            let parsed = try ConfigLoader.parseMapping(Array(text.utf8), path: path) ?? JSONObject()
            guard try ExtendEntry.parse(parsed["extends"]?.arrayValue ?? [], path: path).contains(where: { $0 == entry }) else {
                throw ToolError(ErrorCode.ioError, "the extends entry could not be written into \(path) in place")
            }
            if options.dryRun { return data }
            try AtomicFile.write(text, to: try SafePath(root: root).resolve(path), displayPath: path)
            // Generate reads the new entry again: what it says of it was said above already.
            for warning in try await regenerate() where !data.warnings.contains(warning) { data.warnings.append(warning) }
            return data
        }
    }

    /// Staging, validation and swap of one pack; updates `installs` in memory.
    private func installLocked(
        source: PackSource, options: InstallOptions, installs: inout InstallsFile, refreshedAt: String?, staging: String
    ) async throws(ToolError) -> InstallData {
        StageTimer.lap("install.start")
        let fetched = try await fetch(source, options: options, staging: staging)
        StageTimer.lap("install.fetch")
        var classifyOptions = ClassifyOptions(asKind: options.asKind, target: options.target)
        classifyOptions.trusted = !source.needsConsent
        classifyOptions.accepted = options.accept
        let pack = try PackClassifier.classify(tree: fetched.tree, options: classifyOptions)
        StageTimer.lap("install.classify")

        let name = try packName(options.name ?? source.defaultName, explicit: options.name != nil)
        if let existing = installs.row(named: name) {
            let sameSource =
                existing["source"]?.stringValue == source.persisted
                && existing["as"]?.stringValue == options.asKind && existing["target"]?.stringValue == options.target
            if !sameSource {
                throw ToolError(
                    "PACK_NAME_COLLISION",
                    "a pack named '\(name)' is already installed from \(existing["source"]?.stringValue ?? "another source"); choose another --name",
                    details: ["name": .string(name)])
            }
        }
        var data = InstallData(source: source.display, mode: "install", name: name, dryRun: options.dryRun)
        data.brokenResources = pack.broken
        data.warnings = fetched.warnings + pack.warnings
        let packPath = ".agentsmesh/packs/\(name)"
        data.installed = pack.entities(packFolder: packPath)
        for resource in pack.broken { data.skipped.append((resource.kind, resource.path, resource.reason)) }
        for kind in pack.strippedElevated { data.skipped.append((kind, kind, "not consented; pass --accept-\(kind)")) }
        data.warnings += shadowWarnings(pack, name: name)
        if options.dryRun { return data }

        // Stage the pack folder completely, then swap it in.
        let now = Clock.isoNow()
        let packStage = staging + "/pack"
        try FileSystem.makeDirectories(packStage, displayPath: packPath)
        // The stage is private: files are written plainly and the whole folder is made durable once,
        // just before it is renamed into place.
        var manifestFiles = JSONObject()
        var folders = FolderCache()
        folders.assume(packStage)
        let files = pack.files.sorted(by: { FileSystem.byteOrder($0.path, $1.path) })
        let movedFolders = Self.moveWholeFolders(pack: pack, files: files, scratch: staging, into: packStage)
        for folder in movedFolders { folders.assume(packStage + "/" + folder) }
        for (path, _) in files where !movedFolders.contains(where: { path.hasPrefix($0 + "/") }) {
            let target = packStage + "/" + path
            if let slash = target.utf8.lastIndex(of: UInt8(ascii: "/")) {
                try folders.ensure(String(target[..<slash]), displayPath: packPath + "/" + path)
            }
        }
        // A file the fetch left in this install's own scratch tree with the exact bytes is moved into the
        // stage (no second copy); anything else is written. Both on all cores.
        let scratchPrefix = staging + "/"
        let sources = pack.sources
        let hexes = try Parallel.map(files, grain: 32) { (file) throws(ToolError) -> String in
            let target = packStage + "/" + file.path
            if movedFolders.contains(where: { file.path.hasPrefix($0 + "/") }) { return SHA256.hex(file.bytes) }
            if let source = sources[file.path], source.hasPrefix(scratchPrefix), rename(source, target) == 0 {
                return SHA256.hex(file.bytes)
            }
            try AtomicFile.writeScratch(file.bytes, to: target, displayPath: packPath + "/" + file.path)
            return SHA256.hex(file.bytes)
        }
        var staged: [String] = []
        var hashes: [String: String] = [:]
        for (file, hex) in zip(files, hexes) {
            hashes[file.path] = hex
            manifestFiles[file.path] = .string("sha256:" + hex)
            staged.append(packStage + "/" + file.path)
        }
        StageTimer.lap("install.stage")
        // §4.2 content hash of the staged folder, from the bytes just written (same lines as
        // ContentHash.folder would read back); re-read only if the paths were not plain and unique.
        let contentHash: String
        if hashes.count == staged.count, FileSystem.walkFiles(packStage).count == staged.count {
            contentHash = ContentHash.fromHexes(hashes)
        } else {
            contentHash = ContentHash.folder(packStage) ?? "sha256:"
        }
        let accepted = source.needsConsent ? options.accept.intersection(["hooks", "mcp", "permissions"]).sorted() : []
        var packYAML = JSONObject()
        packYAML["name"] = .string(name)
        packYAML["source"] = .string(source.persisted)
        packYAML["source_kind"] = .string(source.kind.rawValue)
        if let ref = source.ref { packYAML["version"] = .string(ref) }
        if let resolved = fetched.resolved { packYAML["resolved"] = .string(resolved) }
        packYAML["features"] = .strings(pack.features.map(\.rawValue))
        packYAML["content_hash"] = .string(contentHash)
        packYAML["installed_at"] = .string(now)
        try AtomicFile.writeScratch(
            Array((YAMLEmitter.emit(packYAML) + "\n").utf8), to: packStage + "/pack.yaml", displayPath: packPath + "/pack.yaml")
        staged.append(packStage + "/pack.yaml")
        var manifest = JSONObject()
        manifest["name"] = .string(name)
        manifest["source"] = .string(source.persisted)
        manifest["installed_at"] = .string(now)
        manifest["extends_id"] = .null
        manifest["source_type"] = pack.sourceType.map { .string($0.rawValue) } ?? .null
        manifest["files"] = .object(manifestFiles)
        try AtomicFile.writeScratch(
            Array(JSONEmitter.pretty(.object(manifest)).utf8), to: packStage + "/" + Self.manifestName,
            displayPath: packPath + "/" + Self.manifestName)
        staged.append(packStage + "/" + Self.manifestName)
        StageTimer.lap("install.meta")
        try AtomicFile.sync(staged, displayPaths: staged.map { packPath + "/" + $0.dropFirst(packStage.count + 1) })
        StageTimer.lap("install.sync")
        try swap(staged: packStage, name: name, staging: staging)
        StageTimer.lap("install.swap")

        var row = JSONObject()
        row["name"] = .string(name)
        row["source"] = .string(source.persisted)
        if let ref = source.ref { row["version"] = .string(ref) }
        if let original = fetched.originalRef { row["original_ref"] = .string(original) }
        row["source_kind"] = .string(source.kind.rawValue)
        row["features"] = .strings(pack.features.map(\.rawValue))
        if let path = options.path { row["path"] = .string(path) }
        if let asKind = options.asKind { row["as"] = .string(asKind) }
        if let target = options.target { row["target"] = .string(target) }
        if !accepted.isEmpty { row["accepted_elevated"] = .strings(accepted) }
        if let refreshedAt { row["refreshed_at"] = .string(refreshedAt) }
        installs.upsert(row)
        return data
    }

    /// Top-level pack folders whose every file comes unchanged from one folder of this install's scratch
    /// tree that holds exactly those files (nothing else, no symlinks): each is renamed into the stage in one
    /// step. Returns the folders moved.
    static func moveWholeFolders(
        pack: ClassifiedPack, files: [(path: String, bytes: [UInt8])], scratch: String, into stage: String
    ) -> [String] {
        var byFolder: [String: [String]] = [:]
        for (path, _) in files {
            guard let slash = path.firstIndex(of: "/") else { continue }
            byFolder[String(path[..<slash]), default: []].append(path)
        }
        var moved: [String] = []
        for (folder, paths) in byFolder.sorted(by: { $0.key < $1.key }) {
            // One common base: source = base + "/" + path for every file of the folder.
            guard let first = pack.sources[paths[0]], first.hasSuffix("/" + paths[0]) else { continue }
            let base = String(first.dropLast(paths[0].count + 1))
            guard base.hasPrefix(scratch + "/"),
                paths.allSatisfy({ pack.sources[$0] == base + "/" + $0 }),
                let present = FileSystem.plainFiles(base + "/" + folder),
                Set(present.map { folder + "/" + $0 }) == Set(paths), present.count == paths.count
            else { continue }
            if rename(base + "/" + folder, stage + "/" + folder) == 0 { moved.append(folder) }
        }
        return moved
    }

    private func shadowWarnings(_ pack: ClassifiedPack, name: String) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        for entity in pack.entities(packFolder: "") where ["rule", "command", "agent", "skill"].contains(entity.kind) {
            let folder = ["rule": "rules", "command": "commands", "agent": "agents", "skill": "skills"][entity.kind] ?? ""
            let canonical =
                entity.kind == "skill"
                ? "\(root)/.agentsmesh/skills/\(entity.name)"
                : "\(root)/.agentsmesh/\(folder)/\(entity.name.replacingOccurrences(of: ":", with: "/")).md"
            if FileSystem.exists(canonical) {
                warnings.append(
                    Diagnostic(
                        code: "PACK_SHADOWED",
                        message: "\(entity.kind) '\(entity.name)' of pack '\(name)' is shadowed by the project's own copy (kept)"))
            }
        }
        return warnings
    }

    struct Fetched {
        var tree: String
        var resolved: String?
        var originalRef: String?
        var warnings: [Diagnostic] = []
    }

    private func fetch(_ source: PackSource, options: InstallOptions, staging: String) async throws(ToolError) -> Fetched {
        var fetched: Fetched
        switch source.kind {
        case .local:
            let path = absolute(source.location)
            guard FileSystem.isDirectory(path) else {
                throw ToolError(ErrorCode.notFound, "local source \(source.location) is not a folder")
            }
            fetched = Fetched(tree: FileSystem.realPath(path) ?? path)
        case .archive:
            var archive = absolute(source.location)
            if source.location.hasPrefix("https://") {
                archive = staging + "/download.tar.gz"
                let name = source.defaultName
                try await ArchiveDownloader.download(source, to: archive, environment: environment) { [progress] received, total in
                    progress?(.downloading(name: name, bytes: received, total: total))
                }
            } else if FileSystem.kind(archive) != .file {
                throw ToolError(ErrorCode.notFound, "archive \(source.location) not found")
            }
            let bytes = try FileSystem.read(archive, displayPath: "archive")
            let extractTo = staging + "/tree"
            try FileSystem.makeDirectories(extractTo, displayPath: "staging")
            let name = source.defaultName
            let report = try Archive.extract(archive, displayPath: source.display, into: extractTo) { [progress] files, bytes in
                progress?(.extracting(name: name, files: files, bytes: bytes))
            }
            fetched = Fetched(tree: Archive.contentRoot(extractTo), resolved: SHA256.tagged(bytes), warnings: report.warnings)
        case .git, .github, .gitlab:
            let into = staging + "/tree"
            try FileSystem.makeDirectories(into, displayPath: "staging")
            let name = source.defaultName
            let progress = self.progress
            let result = try await GitFetcher(environment: environment).fetch(source, into: into) { event in
                progress?(.fetching(name: name, objects: event.receivedObjects, total: event.totalObjects, bytes: event.receivedBytes))
            }
            fetched = Fetched(
                tree: into, resolved: result.commit, originalRef: result.resolvedRef ?? result.commit, warnings: result.warnings)
        }
        if let sub = options.path {
            let resolved = try SafePath(root: fetched.tree).resolve(sub)
            guard FileSystem.isDirectory(resolved) else {
                throw ToolError(ErrorCode.notFound, "--path \(sub) is not a folder in the source")
            }
            fetched.tree = resolved
        }
        return fetched
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : root + "/" + path
    }

    private func packName(_ proposed: String, explicit: Bool) throws(ToolError) -> String {
        let valid =
            !proposed.isEmpty && proposed.count <= 64
            && proposed.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "_" }
        guard valid else {
            throw ToolError(ErrorCode.invalidName, "pack name '\(proposed)' must match [a-z0-9_-]{1,64}")
        }
        return proposed
    }

    private func makeStaging() throws(ToolError) -> String {
        let path = root + "/.agentsmesh/.staging-\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"
        try FileSystem.makeDirectories(path, displayPath: ".agentsmesh/.staging")
        return path
    }

    /// Renames the staged pack into place; an existing pack is moved aside and restored on failure.
    private func swap(staged: String, name: String, staging: String) throws(ToolError) {
        try FileSystem.makeDirectories(packsFolder, displayPath: ".agentsmesh/packs")
        let destination = packsFolder + "/" + name
        let aside = staging + "/previous"
        let hadPrevious = FileSystem.kind(destination) != .missing
        if hadPrevious, rename(destination, aside) != 0 {
            throw ToolError.io("cannot move aside", path: ".agentsmesh/packs/\(name)", errno: errno)
        }
        if rename(staged, destination) != 0 {
            let code = errno
            if hadPrevious { rename(aside, destination) }
            throw ToolError.io("cannot install", path: ".agentsmesh/packs/\(name)", errno: code)
        }
    }

    private func writeInstalls(_ installs: InstallsFile) throws(ToolError) {
        try AtomicFile.write(installs.serialized(), to: root + "/" + InstallsFile.path, displayPath: InstallsFile.path)
    }

    // MARK: - Sync

    private func sync(_ options: InstallOptions) async throws(ToolError) -> InstallData {
        try await withInstallLock("install") { () throws(ToolError) -> InstallData in
            var installs = try InstallsFile.read(root: root) ?? InstallsFile()
            var data = InstallData(source: "installs.yaml", mode: "sync", dryRun: options.dryRun)
            var stagings: [String] = []
            defer { stagings.forEach(FileSystem.removeTree) }
            for row in installs.rows {
                guard let name = row["name"]?.stringValue, InstallsFile.isValid(row) else {
                    data.warnings.append(
                        Diagnostic(
                            code: "INVALID_INSTALL_ROW", message: "installs.yaml row without name/source/source_kind kept as is",
                            path: InstallsFile.path))
                    continue
                }
                if packIntact(name) {
                    data.skipped.append(("pack", name, "up to date"))
                    continue
                }
                let rowOptions = Self.options(from: row, dryRun: options.dryRun)
                let source = try PackSource.parse(row["source"]?.stringValue ?? "", environment: environment)
                let staging = try makeStaging()
                stagings.append(staging)
                let result = try await installLocked(
                    source: source, options: rowOptions, installs: &installs, refreshedAt: row["refreshed_at"]?.stringValue,
                    staging: staging)
                data.installed += result.installed
                data.brokenResources += result.brokenResources
                data.warnings += result.warnings
            }
            if !options.dryRun {
                try writeInstalls(installs)
                data.warnings += try await regenerate()
            }
            return data
        }
    }

    /// Install options recorded on a row (path/as/target/accepted consent, `--name` = row name).
    static func options(from row: JSONObject, dryRun: Bool) -> InstallOptions {
        var options = InstallOptions(source: row["source"]?.stringValue)
        options.name = row["name"]?.stringValue
        options.path = row["path"]?.stringValue
        options.asKind = row["as"]?.stringValue
        options.target = row["target"]?.stringValue
        options.accept = Set(row["accepted_elevated"]?.stringList ?? [])
        options.dryRun = dryRun
        options.force = true
        if let version = row["version"]?.stringValue, let source = options.source, !source.contains("@"), !source.contains("#") {
            options.source = source + (source.hasPrefix("github:") || source.hasPrefix("gitlab:") ? "@" : "#") + version
        }
        return options
    }

    /// Whether a pack folder exists and matches its manifest.
    func packIntact(_ name: String) -> Bool {
        let folder = packsFolder + "/" + name
        guard let bytes = try? FileSystem.read(folder + "/" + Self.manifestName, displayPath: Self.manifestName),
            let manifest = try? JSONParser.parse(bytes: bytes), let files = manifest["files"]?.objectValue
        else { return false }
        let present = Set(FileSystem.walkFiles(folder)).subtracting(["pack.yaml", Self.manifestName])
        guard present == Set(files.keys) else { return false }
        for (path, hash) in files {
            guard let content = try? FileSystem.read(folder + "/" + path, displayPath: path), SHA256.tagged(content) == hash.stringValue
            else {
                return false
            }
        }
        return true
    }

    // MARK: - Uninstall

    public func uninstall(names: [String], all: Bool, keepPack: Bool, keepGenerated: Bool, dryRun: Bool) async throws(ToolError)
        -> UninstallData
    {
        guard all || !names.isEmpty else { throw ToolError(ErrorCode.usage, "uninstall needs pack names or --all") }
        return try await withInstallLock("uninstall") { () throws(ToolError) -> UninstallData in
            var installs = try InstallsFile.read(root: root) ?? InstallsFile()
            var data = UninstallData(dryRun: dryRun)
            let extendNames = Set(((try? ConfigLoader.load(root: root))?.extendEntries ?? []).map(\.name))
            let known = Set(installs.rows.compactMap { $0["name"]?.stringValue }).union(
                FileSystem.list(packsFolder).filter { FileSystem.isDirectory(packsFolder + "/" + $0) }
            ).union(extendNames)
            let targets = all ? known.sorted(by: FileSystem.byteOrder) : names
            for name in targets {
                guard known.contains(name) else {
                    data.failed.append((name, ErrorCode.notFound, "no installed pack named '\(name)'"))
                    continue
                }
                let folder = packsFolder + "/" + name
                let hasFolder = FileSystem.kind(folder) == .directory
                let hasExtend = extendNames.contains(name)
                if !dryRun, hasExtend {
                    do throws(ToolError) {
                        try removeExtend(named: name)
                    } catch {
                        data.failed.append((name, error.code, error.message))
                        continue
                    }
                }
                if !dryRun {
                    if hasFolder && !keepPack {
                        // Move aside first so a failure leaves either the whole pack or nothing.
                        let trash = root + "/.agentsmesh/.staging-rm-\(name)-\(UInt32.random(in: 0...UInt32.max))"
                        if rename(folder, trash) != 0 {
                            data.failed.append((name, ErrorCode.ioError, "cannot remove .agentsmesh/packs/\(name)"))
                            continue
                        }
                        FileSystem.removeTree(trash)
                    }
                    installs.remove(named: name)
                }
                data.removed.append((name, hasFolder && !keepPack ? ".agentsmesh/packs/\(name)" : nil, hasExtend))
            }
            if !dryRun && !data.removed.isEmpty {
                try writeInstalls(installs)
                if !keepGenerated { _ = try await regenerate() }
            }
            return data
        }
    }

    /// Removes the `extends:` entry `name` from agentsmesh.yaml by an in-place edit.
    private func removeExtend(named name: String) throws(ToolError) {
        let path = ConfigLoader.projectFile
        guard let bytes = try FileSystem.readIfExists(root + "/" + path, displayPath: path),
            let text = ExtendsBlock.removing(named: name, from: String(decoding: bytes, as: UTF8.self))
        else {
            throw ToolError(ErrorCode.ioError, "the extends entry '\(name)' could not be removed from \(path) in place; edit it by hand")
        }
        let parsed = try ConfigLoader.parseMapping(Array(text.utf8), path: path) ?? JSONObject()
        guard !(try ExtendEntry.parse(parsed["extends"]?.arrayValue ?? [], path: path)).contains(where: { $0.name == name }) else {
            throw ToolError(ErrorCode.ioError, "the extends entry '\(name)' could not be removed from \(path) in place; edit it by hand")
        }
        try AtomicFile.write(text, to: try SafePath(root: root).resolve(path), displayPath: path)
    }

    // MARK: - Installs

    /// Rows for `installs` (§5.5).
    public func list() throws(ToolError) -> [JSONValue] {
        let installs = try InstallsFile.read(root: root) ?? InstallsFile()
        return installs.rows.sorted { FileSystem.byteOrder($0["name"]?.stringValue ?? "", $1["name"]?.stringValue ?? "") }.map { row in
            let name = row["name"]?.stringValue ?? ""
            let manifest = (try? FileSystem.read(packsFolder + "/\(name)/" + Self.manifestName, displayPath: Self.manifestName)).flatMap {
                try? JSONParser.parse(bytes: $0)
            }
            var object = JSONObject()
            object["name"] = .string(name)
            object["source"] = row["source"] ?? .null
            object["source_kind"] = row["source_kind"] ?? .null
            if let version = row["version"] { object["version"] = version }
            object["features"] = row["features"] ?? .array([])
            object["installed_at"] = manifest?["installed_at"] ?? .null
            object["source_type"] = manifest?["source_type"] ?? .null
            if let refreshed = row["refreshed_at"] { object["refreshed_at"] = refreshed }
            return .object(object)
        }
    }

    // MARK: - Refresh

    public func refresh(names: [String], dryRun: Bool) async throws(ToolError) -> RefreshData {
        try await withInstallLock("refresh") { () throws(ToolError) -> RefreshData in
            var installs = try InstallsFile.read(root: root) ?? InstallsFile()
            var data = RefreshData(dryRun: dryRun)
            let rows = installs.rows.filter { row in names.isEmpty || names.contains(row["name"]?.stringValue ?? "") }
            for missing in names where !rows.contains(where: { $0["name"]?.stringValue == missing }) {
                data.failed.append((missing, ErrorCode.notFound, "no installed pack named '\(missing)'"))
            }
            var changedAny = false
            var stagings: [String] = []
            defer { stagings.forEach(FileSystem.removeTree) }
            for row in rows {
                guard let name = row["name"]?.stringValue, InstallsFile.isValid(row) else { continue }
                let before = packResolved(name)
                var options = Self.options(from: row, dryRun: dryRun)
                // SHA pins stay unless the folder is missing or modified.
                if let version = row["version"]?.stringValue, (7...40).contains(version.count), version.allSatisfy(\.isHexDigit),
                    row["source_kind"]?.stringValue != "local", row["source_kind"]?.stringValue != "archive", packIntact(name)
                {
                    data.refreshed.append((name, before, before, false))
                    continue
                }
                options.force = true
                do throws(ToolError) {
                    let source = try PackSource.parse(options.source ?? "", environment: environment)
                    var scratch = installs
                    let beforeHash = packContentHash(name)
                    let staging = try makeStaging()
                    stagings.append(staging)
                    _ = try await installLocked(
                        source: source, options: options, installs: &scratch, refreshedAt: Clock.isoNow(), staging: staging)
                    let after = dryRun ? before : packResolved(name)
                    let changed = dryRun ? false : (beforeHash != packContentHash(name) || before != after)
                    if !dryRun { installs = scratch }
                    changedAny = changedAny || changed
                    data.refreshed.append((name, before, after, changed))
                } catch {
                    let code =
                        (error.details?["reason"]?.stringValue == "REF_NOT_FOUND" || error.code == "SOURCE_REFUSED")
                        ? "REFRESH_RESOLVE_FAILED" : "REFRESH_APPLY_FAILED"
                    data.failed.append((name, code, error.message))
                }
            }
            if !dryRun && !rows.isEmpty {
                try writeInstalls(installs)
                if changedAny || !data.refreshed.isEmpty { _ = try await regenerate() }
            }
            return data
        }
    }

    func packResolved(_ name: String) -> String? {
        guard let bytes = try? FileSystem.read(packsFolder + "/\(name)/pack.yaml", displayPath: "pack.yaml"),
            let object = try? ConfigLoader.parseMapping(bytes, path: "pack.yaml")
        else { return nil }
        return object["resolved"]?.stringValue ?? object["content_hash"]?.stringValue
    }

    func packContentHash(_ name: String) -> String? {
        guard let bytes = try? FileSystem.read(packsFolder + "/\(name)/pack.yaml", displayPath: "pack.yaml"),
            let object = try? ConfigLoader.parseMapping(bytes, path: "pack.yaml")
        else { return nil }
        return object["content_hash"]?.stringValue
    }
}
