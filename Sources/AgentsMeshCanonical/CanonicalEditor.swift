internal import AgentsMeshKit
public import SharedCore

/// What one edit of `.agentsmesh/` did (or, on a dry run, would do).
public struct Mutation: Sendable, Equatable {
    public enum Action: String, Sendable { case created, updated, deleted }

    public var action: Action
    /// Project-relative path, e.g. `.agentsmesh/rules/style.md`.
    public var path: String
    public var dryRun: Bool
    /// The text that would be written (dry runs of creates and updates).
    public var content: String?

    public var json: JSONValue {
        var object = JSONObject()
        object["action"] = .string(action.rawValue)
        object["path"] = .string(path)
        object["dryRun"] = .bool(dryRun)
        if let content { object["content"] = .string(content) }
        return .object(object)
    }
}

/// Creating, updating and deleting rules, commands and agents in `.agentsmesh/` (the MCP edit tools).
/// Every write is atomic, checked against the name rules and the project root, and capped at 1 MiB.
public enum CanonicalEditor {
    /// The largest file an edit writes (§7.2).
    public static let maximumFileBytes = 1024 * 1024

    /// The three Markdown entity kinds.
    public enum Kind: String, Sendable {
        case rule, command, agent

        var folder: String { self == .rule ? "rules" : self == .command ? "commands" : "agents" }

        /// The file of `name` relative to `.agentsmesh/` (command segments become folders).
        func path(_ name: String) -> String {
            folder + "/" + (self == .command ? name.replacingBytes(":", with: "/") : name) + ".md"
        }
    }

    /// Writes a new entity; `ALREADY_EXISTS` when its file is there.
    public static func create(
        root: String, _ kind: Kind, name: String, frontmatter: JSONObject, body: String, dryRun: Bool
    ) throws(ToolError) -> Mutation {
        let path = try checkedPath(kind, name)
        guard FileSystem.kind(root + "/" + path) == .missing else {
            throw ToolError(ErrorCode.alreadyExists, "\(kind.rawValue) '\(name)' already exists (\(path))")
        }
        var frontmatter = frontmatter
        if kind == .rule && name == "_root" { frontmatter["root"] = true }
        return try write(root: root, path: path, CanonicalWriter.markdown(frontmatter, body: body), action: .created, dryRun: dryRun)
    }

    /// Rewrites an entity: `frontmatter` replaces the old one (or is shallow-merged into it with `merge`),
    /// `body` replaces the body; an omitted part is kept. `NOT_FOUND` when the entity does not exist.
    public static func update(
        root: String, _ kind: Kind, name: String, frontmatter: JSONObject?, body: String?, merge: Bool, dryRun: Bool
    ) throws(ToolError) -> Mutation {
        let path = try checkedPath(kind, name)
        let existing = try read(root: root, path: path, kind: kind, name: name)
        var merged = merging(frontmatter, into: existing.frontmatter, merge: merge)
        if kind == .rule && name == "_root" { merged["root"] = true }
        return try write(
            root: root, path: path, CanonicalWriter.markdown(merged, body: body ?? existing.body), action: .updated, dryRun: dryRun)
    }

    /// Deletes an entity; the root rule only with `force` (`PROTECTED_FILE`).
    public static func delete(root: String, _ kind: Kind, name: String, force: Bool, dryRun: Bool) throws(ToolError) -> Mutation {
        let path = try checkedPath(kind, name)
        if kind == .rule && name == "_root" && !force {
            throw ToolError(ErrorCode.protectedFile, "the root rule is deleted only with force: true")
        }
        guard FileSystem.kind(root + "/" + path) == .file else {
            throw ToolError(ErrorCode.notFound, "no \(kind.rawValue) named '\(name)'")
        }
        let mutation = Mutation(action: .deleted, path: path, dryRun: dryRun, content: nil)
        guard !dryRun else { return mutation }
        let absolute = try SafePath(root: root).resolve(path)
        try FileSystem.remove(absolute, displayPath: path)
        // Command folders emptied by the delete go too.
        var folder = String(absolute[..<(absolute.lastIndex(of: "/") ?? absolute.endIndex)])
        let stop = root + "/" + CanonicalStore.folder + "/" + kind.folder
        while folder.hasPrefix(stop + "/") && FileSystem.removeIfEmptyDirectory(folder) {
            folder = String(folder[..<(folder.lastIndex(of: "/") ?? folder.endIndex)])
        }
        return mutation
    }

    /// `.agentsmesh/<kind path>` after the name rules.
    static func checkedPath(_ kind: Kind, _ name: String) throws(ToolError) -> String {
        let path = CanonicalStore.folder + "/" + kind.path(name)
        let relative = kind.path(name).dropFirst(kind.folder.count + 1).dropLast(3)
        try NameRules.check(path: String(relative), displayPath: path)
        return path
    }

    static func read(root: String, path: String, kind: Kind, name: String) throws(ToolError) -> MarkdownDocument {
        guard let bytes = try FileSystem.readIfExists(try SafePath(root: root).resolve(path), displayPath: path) else {
            throw ToolError(ErrorCode.notFound, "no \(kind.rawValue) named '\(name)'")
        }
        return try Frontmatter.parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// `given` replacing `existing`, or shallow-merged into it with `merge`; `existing` when nothing is given.
    static func merging(_ given: JSONObject?, into existing: JSONObject, merge: Bool) -> JSONObject {
        guard let given else { return existing }
        guard merge else { return given }
        var out = existing
        for (key, value) in given { out[key] = value }
        return out
    }

    /// Checks that the Markdown reads back, then commits it.
    static func write(root: String, path: String, _ text: String, action: Mutation.Action, dryRun: Bool) throws(ToolError) -> Mutation {
        if text.utf8.count <= maximumFileBytes { _ = try Frontmatter.parse(text, path: path) }
        return try commit(root: root, path: path, text, action: action, dryRun: dryRun)
    }

    /// Every edit's last step: the 1 MiB cap, the path inside the project, then (unless a dry run) an atomic
    /// write, its folder made first.
    static func commit(root: String, path: String, _ text: String, action: Mutation.Action, dryRun: Bool) throws(ToolError) -> Mutation {
        guard text.utf8.count <= maximumFileBytes else {
            throw ToolError(ErrorCode.limitExceeded, "\(path) would be \(text.utf8.count) bytes; the limit is \(maximumFileBytes)")
        }
        let absolute = try SafePath(root: root).resolve(path)
        guard !dryRun else { return Mutation(action: action, path: path, dryRun: true, content: text) }
        let folder = String(absolute[..<(absolute.lastIndex(of: "/") ?? absolute.endIndex)])
        try FileSystem.makeDirectories(folder, displayPath: path)
        try AtomicFile.write(text, to: absolute, displayPath: path)
        return Mutation(action: action, path: path, dryRun: false, content: nil)
    }
}
