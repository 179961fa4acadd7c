internal import AgentsMeshKit
public import SharedCore
internal import SharedPlatform

/// Creating, updating and deleting skill folders. Every path and size is checked before anything is
/// written; the new folder is assembled in a staging folder beside it and renamed into place, so a failure
/// leaves the previous skill as it was.
public enum SkillEditor {
    /// What a skill edit did to one supporting file.
    public struct FileChange: Sendable, Equatable {
        public var path: String
        public var action: Mutation.Action

        public var json: JSONValue { ["path": .string(path), "action": .string(action.rawValue)] }
    }

    /// Creates `skills/<name>/` with SKILL.md and `files` (relative path → text); `ALREADY_EXISTS` when there.
    public static func create(
        root: String, name: String, frontmatter: JSONObject, body: String, files: [String: String], dryRun: Bool
    ) throws(ToolError) -> (Mutation, [FileChange]) {
        let folder = try checkedFolder(name)
        guard FileSystem.kind(root + "/" + folder) == .missing else {
            throw ToolError(ErrorCode.alreadyExists, "skill '\(name)' already exists (\(folder))")
        }
        let skill = CanonicalWriter.markdown(frontmatter, body: body)
        var contents: [String: [UInt8]] = ["SKILL.md": Array(skill.utf8)]
        for (path, text) in files { contents[try checkedFile(path, in: folder)] = Array(text.utf8) }
        try checkSizes(contents, folder: folder)
        _ = try Frontmatter.parse(skill, path: folder + "/SKILL.md")
        let changes = files.keys.sorted().map { FileChange(path: $0, action: .created) }
        let mutation = Mutation(action: .created, path: folder + "/SKILL.md", dryRun: dryRun, content: dryRun ? skill : nil)
        if !dryRun { try install(contents, root: root, folder: folder, replacing: false) }
        return (mutation, changes)
    }

    /// Rewrites SKILL.md (frontmatter replaced or merged, body replaced; omitted parts kept) and the given
    /// supporting files (text: write, nil: delete, absent: keep). `NOT_FOUND` when the skill is missing.
    public static func update(
        root: String, name: String, frontmatter: JSONObject?, body: String?, merge: Bool, files: [String: String?], dryRun: Bool
    ) throws(ToolError) -> (Mutation, [FileChange]) {
        let folder = try checkedFolder(name)
        guard FileSystem.isDirectory(root + "/" + folder) else { throw ToolError(ErrorCode.notFound, "no skill named '\(name)'") }
        var contents: [String: [UInt8]] = [:]
        for relative in FileSystem.walkFiles(root + "/" + folder) {
            contents[relative] = try FileSystem.read(root + "/" + folder + "/" + relative, displayPath: folder + "/" + relative)
        }
        let existing = try Frontmatter.parse(String(decoding: contents["SKILL.md"] ?? [], as: UTF8.self), path: folder + "/SKILL.md")
        let merged = CanonicalEditor.merging(frontmatter, into: existing.frontmatter, merge: merge)
        let skill = CanonicalWriter.markdown(merged, body: body ?? existing.body)
        _ = try Frontmatter.parse(skill, path: folder + "/SKILL.md")
        contents["SKILL.md"] = Array(skill.utf8)
        var changes: [FileChange] = []
        for path in files.keys.sorted() {
            let relative = try checkedFile(path, in: folder)
            if let text = files[path] ?? nil {
                changes.append(FileChange(path: relative, action: contents[relative] == nil ? .created : .updated))
                contents[relative] = Array(text.utf8)
            } else {
                guard contents.removeValue(forKey: relative) != nil else {
                    throw ToolError(ErrorCode.notFound, "skill '\(name)' has no file '\(relative)'")
                }
                changes.append(FileChange(path: relative, action: .deleted))
            }
        }
        try checkSizes(contents, folder: folder)
        let mutation = Mutation(action: .updated, path: folder + "/SKILL.md", dryRun: dryRun, content: dryRun ? skill : nil)
        if !dryRun { try install(contents, root: root, folder: folder, replacing: true) }
        return (mutation, changes)
    }

    /// Deletes the whole skill folder.
    public static func delete(root: String, name: String, dryRun: Bool) throws(ToolError) -> Mutation {
        let folder = try checkedFolder(name)
        let absolute = try SafePath(root: root).resolve(folder)
        guard FileSystem.isDirectory(absolute) else { throw ToolError(ErrorCode.notFound, "no skill named '\(name)'") }
        if !dryRun {
            let tomb = absolute + ".agentsmesh-deleted-\(getpid())"
            guard rename(absolute, tomb) == 0 else { throw ToolError.io("cannot delete", path: folder, errno: errno) }
            FileSystem.removeTree(tomb)
        }
        return Mutation(action: .deleted, path: folder, dryRun: dryRun, content: nil)
    }

    static func checkedFolder(_ name: String) throws(ToolError) -> String {
        let folder = CanonicalStore.folder + "/skills/" + name
        try NameRules.check(path: name, displayPath: folder)
        guard !name.contains("/") else { throw ToolError(ErrorCode.invalidName, "\(folder): a skill name is one segment") }
        return folder
    }

    /// A supporting file's path: relative, `/`-separated, inside the folder, never SKILL.md.
    static func checkedFile(_ path: String, in folder: String) throws(ToolError) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.hasPrefix("/") || path.contains("\\") || segments.contains("..") || segments.contains(".") || path.isEmpty {
            throw ToolError(ErrorCode.pathTraversal, "\(folder)/\(path): a supporting file path must stay inside the skill folder")
        }
        if path == "SKILL.md" {
            throw ToolError(ErrorCode.protectedFile, "SKILL.md is written from frontmatter and body, not as a supporting file")
        }
        try NameRules.check(path: path, displayPath: folder + "/" + path)
        return path
    }

    static func checkSizes(_ contents: [String: [UInt8]], folder: String) throws(ToolError) {
        for (path, bytes) in contents where bytes.count > CanonicalEditor.maximumFileBytes {
            throw ToolError(
                ErrorCode.limitExceeded, "\(folder)/\(path) would be \(bytes.count) bytes; the limit is \(CanonicalEditor.maximumFileBytes)"
            )
        }
    }

    /// Writes `contents` into a staging folder beside `folder`, then renames it into place (swapping out the
    /// old folder when `replacing`).
    static func install(_ contents: [String: [UInt8]], root: String, folder: String, replacing: Bool) throws(ToolError) {
        let target = try SafePath(root: root).resolve(folder)
        let parent = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
        try FileSystem.makeDirectories(parent, displayPath: CanonicalStore.folder + "/skills")
        let name = String(target[target.index(after: target.lastIndex(of: "/") ?? target.startIndex)...])
        let staging = parent + "/.\(name).agentsmesh-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        do throws(ToolError) {
            for (path, bytes) in contents.sorted(by: { $0.key < $1.key }) {
                let file = staging + "/" + path
                try FileSystem.makeDirectories(String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)]), displayPath: folder)
                try AtomicFile.writeScratch(bytes, to: file, displayPath: folder + "/" + path)
            }
            try AtomicFile.sync(contents.keys.map { staging + "/" + $0 }, displayPaths: contents.keys.map { folder + "/" + $0 })
            if replacing {
                let tomb = parent + "/.\(name).agentsmesh-old-\(getpid()).tmp"
                guard rename(target, tomb) == 0 else { throw ToolError.io("cannot replace", path: folder, errno: errno) }
                guard rename(staging, target) == 0 else {
                    let code = errno
                    _ = rename(tomb, target)
                    throw ToolError.io("cannot replace", path: folder, errno: code)
                }
                FileSystem.removeTree(tomb)
            } else {
                guard rename(staging, target) == 0 else { throw ToolError.io("cannot create", path: folder, errno: errno) }
            }
        } catch {
            FileSystem.removeTree(staging)
            throw error
        }
    }
}
