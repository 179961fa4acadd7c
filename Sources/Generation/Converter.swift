import Canonical
import MeshKit
import Projectors

/// `convert --from a --to b` (§4.8): import `a` in memory, project for `b`, write; no lock, no cleanup.
public enum Converter {
    public static func convert(root: String, from source: String, to target: String, dryRun: Bool) throws(ToolError) -> GenerateResult {
        guard TargetID.firstClass.contains(source), let projector = Targets.projector(target) else {
            throw ToolError(ErrorCode.usage, "convert needs two of: \(TargetID.firstClass.joined(separator: ", "))")
        }
        guard source != target else { throw ToolError(ErrorCode.usage, "--from and --to must differ") }
        let imported = try Importer.collect(root: root, from: source, features: nil)
        var canonical = imported.project
        canonical.knownPaths = knownPaths(canonical)
        let config = (try? ConfigLoader.load(root: root)) ?? ProjectConfig()
        let context = ProjectionContext(config: config, features: config.features(for: target), projectRoot: SafePath(root: root).root)
        var projection = projector.project(canonical, context: context)
        if [TargetID.cursor, TargetID.geminiCLI].contains(target), let rootRule = canonical.root, context.has(.rules),
            !projection.files.contains(where: { $0.path == "AGENTS.md" })
        {
            let rebaser = projector.forwardRebaser(canonical, projectRoot: context.projectRoot)
            let body = rebaser.rebase(rootRule.body.trimmedWhitespace(), from: ".agentsmesh/" + rootRule.path, to: "AGENTS.md")
            projection.files.append(.text("AGENTS.md", target, ManagedBlocks.withContract(body, enabled: config.generationContract), kind: .mirror))
        }
        let safe = SafePath(root: root)
        for file in projection.files { _ = try safe.resolve(file.path) }
        var files: [(path: String, target: String, status: FileStatus)] = []
        var writes: [(String, [UInt8])] = []
        for file in projection.files.sorted(by: { FileSystem.byteOrder($0.path, $1.path) }) {
            let absolute = root + "/" + file.path
            let existing = FileSystem.kind(absolute) == .file ? try FileSystem.read(absolute, displayPath: file.path) : nil
            guard let resolved = try CoOwnedMerge.resolve(file, existing: existing) else { continue }
            let status: FileStatus = existing == nil ? .create : existing == resolved.bytes ? .unchanged : .update
            files.append((file.path, target, status))
            if status != .unchanged { writes.append((file.path, resolved.bytes)) }
        }
        if !dryRun {
            for (path, bytes) in writes { try AtomicFile.write(bytes, to: root + "/" + path, displayPath: path) }
        }
        return GenerateResult(dryRun: dryRun, targets: [target], files: files, lockfileUpdated: false, warnings: imported.warnings + projection.warnings)
    }

    /// Canonical paths an in-memory project would have on disk (for link rebasing).
    static func knownPaths(_ project: CanonicalProject) -> Set<String> {
        var paths: Set<String> = []
        for rule in project.rules { paths.insert(rule.path) }
        for command in project.commands { paths.insert(command.path) }
        for agent in project.agents { paths.insert(agent.path) }
        for skill in project.skills {
            paths.insert("skills/\(skill.name)")
            paths.insert(skill.path)
            for file in skill.files { paths.insert("skills/\(skill.name)/\(file.path)") }
        }
        if project.mcpServers != nil { paths.insert("mcp.json") }
        if project.ignore != nil { paths.insert("ignore") }
        return paths
    }
}
