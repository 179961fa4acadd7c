internal import AgentsMeshCanonical
internal import AgentsMeshGeneration
internal import AgentsMeshPacks
internal import ArgumentParser
internal import SharedCore

/// A PackInstaller wired to generate, with TTY-only progress on stderr.
func makeInstaller(root: String, json: Bool) -> PackInstaller {
    let showProgress = !json && Output.isTTY(2)
    let progress: (@Sendable (PackProgress) -> Void)? = showProgress ? renderProgress : nil
    let regenerate: @Sendable () async throws(ToolError) -> [Diagnostic] = { () async throws(ToolError) -> [Diagnostic] in
        if showProgress { Output.stderr("\r\u{1B}[K") }
        let result = try await Generator(root: root).generate(GenerateOptions(lockTimeout: 30))
        return result.warnings
    }
    return PackInstaller(root: root, environment: ProcessEnvironment.current, progress: progress, regenerate: regenerate)
}

/// One progress line, rewritten in place.
@Sendable func renderProgress(_ event: PackProgress) {
    switch event {
    case .fetching(let name, let objects, let total, let bytes):
        Output.stderr("\r\(name): received \(objects)/\(total) objects, \(bytes / 1024) KiB\u{1B}[K")
    case .extracting(let name, let files, let bytes):
        Output.stderr("\r\(name): extracted \(files) files, \(bytes / 1024) KiB\u{1B}[K")
    case .downloading(let name, let bytes, let total):
        let of = total > 0 ? " of \(total / 1024) KiB" : ""
        Output.stderr("\r\(name): downloaded \(bytes / 1024) KiB\(of)\u{1B}[K")
    }
}

struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install", abstract: "Install a pack from a folder, git repository or .tar.gz archive.")

    @Argument(
        help: "./dir, local:<path>, github:org/repo[@ref], gitlab:group/repo[@ref], git+https://…#ref, git+ssh://…#ref, or a .tar.gz/.tgz.")
    var source: String?
    @Option(help: "Sub-folder of the source to install.")
    var path: String?
    @Option(help: "Import the source as this tool's native files (claude-code, cursor, gemini-cli).")
    var target: String?
    @Option(name: .customLong("as"), help: "Install every file of the folder as rules, commands, agents or skills.")
    var asKind: String?
    @Option(help: "Pack name (default: derived from the source).")
    var name: String?
    @Flag(help: "Record the source as an extends: entry of agentsmesh.yaml (read at every generate) instead of installing a pack.")
    var extends = false
    @Flag(help: "Re-install every installs.yaml row whose pack folder is missing or modified.")
    var sync = false
    @Flag(help: "Show what would be installed and write nothing.")
    var dryRun = false
    @Flag(help: "Never prompt; take the non-interactive defaults.")
    var force = false
    @Flag(help: "Allow hooks from a remote source.") var acceptHooks = false
    @Flag(help: "Allow permissions from a remote source.") var acceptPermissions = false
    @Flag(help: "Allow MCP servers from a remote source.") var acceptMcp = false
    @Flag(help: "Allow hooks, permissions and MCP servers from a remote source.") var acceptElevated = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("install", json: output.json) { () throws(ToolError) in
            let root = try projectRoot()
            var options = InstallOptions(source: source)
            options.path = path
            options.target = target
            options.asKind = asKind
            options.name = name
            options.sync = sync
            options.extends = extends
            options.dryRun = dryRun
            options.force = force || output.json
            if acceptHooks || acceptElevated { options.accept.insert("hooks") }
            if acceptPermissions || acceptElevated { options.accept.insert("permissions") }
            if acceptMcp || acceptElevated { options.accept.insert("mcp") }
            let data = try await makeInstaller(root: root, json: output.json).install(options)
            var text = warningLines(data.warnings)
            for item in data.installed { text += "\(data.dryRun ? "would install" : "installed") \(item.kind) \(item.name)\n" }
            for item in data.skipped { text += "skipped \(item.kind) \(item.name): \(item.reason)\n" }
            text +=
                data.installed.isEmpty
                ? "Nothing installed."
                : "\(data.dryRun ? "Would install" : "Installed") \(data.installed.count) item(s)\(data.name.map { data.asExtends ? " as extends entry '\($0)' of agentsmesh.yaml" : " as pack '\($0)'" } ?? "")."
            return VerbOutput(data.json, text)
        }
    }
}

struct UninstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Remove installed packs and regenerate.")

    @Argument(help: "Pack names.")
    var names: [String] = []
    @Flag(help: "Remove every installed pack.") var all = false
    @Flag(help: "Keep the pack folder; only forget the installs.yaml row.") var keepPack = false
    @Flag(help: "Do not run generate afterwards.") var keepGenerated = false
    @Flag(help: "Show what would be removed and change nothing.") var dryRun = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("uninstall", json: output.json) { () throws(ToolError) in
            let data = try await makeInstaller(root: try projectRoot(), json: output.json)
                .uninstall(names: names, all: all, keepPack: keepPack, keepGenerated: keepGenerated, dryRun: dryRun)
            var text = data.removed.map { "\(dryRun ? "would remove" : "removed") \($0.name)" }.joined(separator: "\n")
            for failure in data.failed {
                text += (text.isEmpty ? "" : "\n") + "failed \(failure.name): \(failure.code): \(failure.message)"
            }
            if let failure = data.failure {
                throw failure
            }
            return VerbOutput(data.json, text)
        }
    }
}

struct InstallsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "installs", abstract: "List installed packs.")

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("installs", json: output.json) { () throws(ToolError) in
            let rows = try await makeInstaller(root: try projectRoot(), json: output.json).list()
            var lines = [["NAME", "SOURCE", "FEATURES", "INSTALLED"]]
            for row in rows {
                lines.append([
                    row["name"]?.stringValue ?? "", row["source"]?.stringValue ?? "",
                    (row["features"]?.stringList ?? []).joined(separator: ","), row["installed_at"]?.stringValue ?? "-",
                ])
            }
            let widths = (0..<4).map { column in lines.map { $0[column].count }.max() ?? 0 }
            let text =
                rows.isEmpty
                ? "No packs installed."
                : lines.map { line in
                    line.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - $1.count) }.joined(separator: "  ")
                        .trimmingTrailingSpaces()
                }.joined(separator: "\n")
            return VerbOutput(["installs": .array(rows)], text)
        }
    }
}

struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh", abstract: "Move installed packs forward to their source's current state.")

    @Argument(help: "Pack names (default: all).")
    var names: [String] = []
    @Flag(help: "Show what would change and write nothing.") var dryRun = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("refresh", json: output.json) { () throws(ToolError) in
            let data = try await makeInstaller(root: try projectRoot(), json: output.json).refresh(names: names, dryRun: dryRun)
            var text = data.refreshed.map { "\($0.name): \($0.changed ? "\($0.from ?? "-") -> \($0.to ?? "-")" : "unchanged")" }.joined(
                separator: "\n")
            for failure in data.failed {
                text += (text.isEmpty ? "" : "\n") + "failed \(failure.name): \(failure.code): \(failure.message)"
            }
            if let failure = data.failure {
                throw failure
            }
            return VerbOutput(data.json, text)
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
