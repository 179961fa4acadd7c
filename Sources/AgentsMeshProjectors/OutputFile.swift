public import AgentsMeshCanonical
internal import AgentsMeshKit
public import SharedCore

/// How an output relates to the files around it.
public enum OutputKind: String, Sendable, Equatable {
    /// A file agentsmesh owns entirely.
    case native
    /// A mirror (`AGENTS.md`) that loses to any native output for the same path.
    case mirror
    /// A file shared with the user: only listed keys (or a marked block) belong to agentsmesh.
    case coOwned
}

/// One owned key of a co-owned JSON file: a key path and the value agentsmesh writes there.
public struct OwnedKey: Equatable, Sendable {
    public var keyPath: [String]
    public var value: JSONValue
    /// When true the key is the user's: only when it is present, its string or list is made to include
    /// `value` (a string), and it is not part of the owned-subset hash.
    public var ensureIncluded: Bool

    public init(_ keyPath: [String], _ value: JSONValue, ensureIncluded: Bool = false) {
        self.keyPath = keyPath
        self.value = value
        self.ensureIncluded = ensureIncluded
    }
}

/// What a projector wants written at one path.
public enum OutputContent: Equatable, Sendable {
    /// Whole-file bytes.
    case bytes([UInt8])
    /// JSON keys merged into the existing file; `prelude` keys are inserted first only when absent
    /// and do not count as owned (e.g. Cursor's `version: 1`). `createIfMissing` is false when every
    /// owned value is empty (§3.3: a co-owned file is created only for non-empty content).
    case json(owned: [OwnedKey], prelude: [OwnedKey], createIfMissing: Bool)
    /// A marked text block (`startMarker` … `endMarker` lines) inside a text file.
    case textBlock(startMarker: String, endMarker: String, block: String, createIfMissing: Bool)
}

/// One planned output of a projector.
public struct OutputFile: Equatable, Sendable {
    /// Project-relative path with `/` separators.
    public var path: String
    public var target: String
    public var kind: OutputKind
    public var content: OutputContent

    public init(path: String, target: String, kind: OutputKind = .native, content: OutputContent) {
        self.path = path
        self.target = target
        self.kind = kind
        self.content = content
    }

    /// A native text output.
    public static func text(_ path: String, _ target: String, _ text: String, kind: OutputKind = .native) -> OutputFile {
        OutputFile(path: path, target: target, kind: kind, content: .bytes(Array(text.utf8)))
    }
}

/// The result of projecting a canonical project for one target.
public struct Projection: Sendable {
    public var files: [OutputFile] = []
    public var warnings: [Diagnostic] = []

    public init() {}

    mutating func add(_ file: OutputFile) { files.append(file) }

    mutating func warn(_ code: String, _ message: String, target: String, path: String? = nil) {
        warnings.append(Diagnostic(code: code, message: message, path: path, target: target))
    }
}

/// Inputs to a projection beyond the canonical tree.
public struct ProjectionContext: Sendable {
    public var config: ProjectConfig
    /// Features enabled for this target.
    public var features: [Feature]
    /// Absolute project root (for absolute in-project references).
    public var projectRoot: String
    /// Reference scans shared by the projections of one canonical project (each body is scanned once).
    public var scans: ReferenceScans?

    public init(config: ProjectConfig, features: [Feature], projectRoot: String, scans: ReferenceScans? = nil) {
        self.config = config
        self.features = features
        self.projectRoot = projectRoot
        self.scans = scans
    }

    public func has(_ feature: Feature) -> Bool { features.contains(feature) }
}

/// A target's projection (canonical → native files) and import (native files → canonical).
public protocol TargetProjector: Sendable {
    /// The target id, e.g. `claude-code`.
    var id: String { get }
    /// Human name for `matrix`.
    var displayName: String { get }
    /// `cli` or `ide`.
    var category: String { get }
    /// Folders whose files agentsmesh manages (stale cleanup, `outputsStale`).
    var managedFolders: [String] { get }
    /// Files agentsmesh manages outright.
    var managedFiles: [String] { get }
    /// Co-owned files (never deleted).
    var coOwnedFiles: [String] { get }
    /// Paths whose presence means the tool is configured in a project.
    var detectionPaths: [String] { get }
    /// Canonical path (relative to project root, under `.agentsmesh/`) → this target's path, or nil.
    func rebasedPath(forCanonical path: String) -> String?
    /// Projects the canonical tree.
    func project(_ canonical: CanonicalProject, context: ProjectionContext) -> Projection
    /// Reads the target's native files under `root` into a canonical slice.
    func importNative(root: String) throws(ToolError) -> ImportResult
}

/// Canonical content read back from a target's native files.
public struct ImportResult: Sendable {
    public var project = CanonicalProject()
    public var warnings: [Diagnostic] = []
    /// Project-relative native paths that were read, per canonical path produced.
    public var sources: [String: String] = [:]
    /// Every native root instruction file read into the root rule (several tools' files merge into one).
    public var rootSources: [String] = []
    /// Files that could not be read (broken frontmatter, TOML, JSON): reported together, never one at a time.
    public var failures: [ToolError] = []
    /// Linked folders that were followed (a skill folder shared through a symbolic link): generate would
    /// write through them into the link target, so `init` replaces each by the generated folder.
    public var followedLinks: [String] = []
    /// What was found but not imported, with the reason (each also a warning, so `lint` and `init` show it).
    public var skipped: [(kind: String, name: String, reason: String)] = []

    public init() {}

    /// Records something found but not imported, and warns about it.
    public mutating func skip(_ kind: String, _ name: String, path: String, reason: String) {
        skipped.append((kind, name, reason))
        warnings.append(Diagnostic(code: "IMPORT_SKIPPED", message: "\(path): \(reason)", path: path))
    }

    /// One `VALIDATION_FAILED` naming every file that could not be read, or nil when all were read.
    public static func combined(_ failures: [ToolError]) -> ToolError? {
        guard let first = failures.first else { return nil }
        if failures.count == 1 { return first }
        var issues: [JSONValue] = []
        for failure in failures { issues += failure.details?["issues"]?.arrayValue ?? [] }
        return ToolError(
            ErrorCode.validationFailed,
            "\(failures.count) files could not be read:\n" + failures.map { "  " + $0.message }.joined(separator: "\n"),
            details: ["issues": .array(issues)])
    }

    public var isEmpty: Bool {
        project.rules.isEmpty && project.commands.isEmpty && project.agents.isEmpty && project.skills.isEmpty
            && project.mcpServers == nil && project.permissions == nil && project.hooks == nil && project.ignore == nil
    }
}

extension TargetProjector {
    /// The canonical → target link rebaser of §3.7. `scans` may be shared by the rebasers of one canonical
    /// project (they all have the same `lastSegments`).
    public func forwardRebaser(_ canonical: CanonicalProject, projectRoot: String, scans: ReferenceScans? = nil) -> LinkRebaser {
        let known = canonical.knownPaths
        let segments = scans?.lastSegments(of: known) ?? ReferenceScans.lastSegments(of: known)
        var rebaser = LinkRebaser(
            projectRoot: projectRoot,
            exists: { path in path.hasPrefix(".agentsmesh/") && known.contains(String(path.dropFirst(12))) },
            map: { path in self.rebasedPath(forCanonical: path) },
            lastSegments: segments)
        rebaser.scans = scans
        return rebaser
    }

    /// Every skill's `SKILL.md` (name and description frontmatter, the rebased body under `heading` when
    /// given) followed by its supporting files, projected on all cores, in skill order.
    func skillOutputs(_ skills: [Skill], folder: String, rebaser: LinkRebaser, heading: String? = nil, carryExtras: Bool = false)
        -> [OutputFile]
    {
        Parallel.transform(skills, grain: 4) { skill -> [OutputFile] in
            let path = "\(folder)/\(skill.name)/SKILL.md"
            var fm = ProjectionSupport.frontmatter([("name", .string(skill.name)), ("description", .string(skill.description))])
            if carryExtras { fm = ProjectionSupport.withExtras(fm, from: skill.frontmatter, excluding: []) }
            var body = rebase(skill.body, rebaser, from: skill.path, to: path)
            if let heading { body = ProjectionSupport.prefixed(body, heading: heading) }
            return [.text(path, id, Frontmatter.serialize(fm, body: body))]
                + ProjectionSupport.skillFiles(skill, folder: folder, target: id)
        }.flatMap { $0 }
    }

    /// Rebases a body written in a canonical file for an output path.
    func rebase(_ text: String, _ rebaser: LinkRebaser, from canonicalPath: String, to output: String) -> String {
        rebaser.rebase(text, from: ".agentsmesh/" + canonicalPath, to: output)
    }
}

/// Maps shared by every target: skills and commands keep their sub-paths.
enum CanonicalPaths {
    /// Splits `.agentsmesh/<feature>/<rest>` into (feature, rest).
    static func split(_ path: String) -> (feature: String, rest: String)? {
        guard path.hasPrefix(".agentsmesh/") else { return nil }
        let inner = path.dropFirst(12)
        guard let slash = inner.firstIndex(of: "/") else { return (String(inner), "") }
        return (String(inner[..<slash]), String(inner[inner.index(after: slash)...]))
    }
}
