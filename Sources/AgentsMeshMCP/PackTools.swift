internal import AgentsMeshCanonical
internal import AgentsMeshGeneration
internal import AgentsMeshPacks
internal import SharedCore
internal import SharedMCP

/// install, uninstall and refresh (§7.4 rows 42, 43, 45), through the same `PackInstaller` as the CLI. Pack
/// tools always behave as `--force` (no prompts); remote hooks, permissions and MCP servers still need the
/// `accept_*` arguments, as the CLI's `--accept-*` flags.
enum PackTools {
    static let dryRun = OrchestrationTools.dryRun
    static let packNames = InputSchema.array(.string(minLength: 1, maxLength: 64, pattern: "[A-Za-z0-9_.-]+"), maxItems: 200)

    static func installer(_ root: String, _ context: ToolContext) -> PackInstaller {
        PackInstaller(root: root, environment: ProcessEnvironment.current, lockTimeout: 5) { () async throws(ToolError) -> [Diagnostic] in
            var options = GenerateOptions(lockTimeout: 5)
            options.command = "mcp install"
            return try await Generator(root: root).generate(options).warnings
        }
    }

    static func all(_ context: ToolContext) -> [MCPTool] {
        [
            MCPTool(
                "install", "Install a pack from a git repository, a local folder or an archive (or replay installs.yaml with sync)",
                input: .object([
                    ("source", .string("git URL, github:owner/repo, local path or https archive", minLength: 1, maxLength: 2048)),
                    ("path", .string("Sub-folder of the source", maxLength: 1024)), ("target", .oneOf(TargetID.firstClass)),
                    ("as", .oneOf(["rules", "commands", "agents", "skills"])), ("name", .string(maxLength: 64, pattern: "[A-Za-z0-9_.-]+")),
                    ("extends", .boolean("Record the source as an extends: entry of agentsmesh.yaml instead of installing a pack")),
                    ("sync", .boolean("Re-install every installs.yaml row whose pack is missing or modified")), ("dry_run", dryRun),
                    ("accept_hooks", .boolean("Allow hooks from a remote source")),
                    ("accept_permissions", .boolean("Allow permissions from a remote source")),
                    ("accept_mcp", .boolean("Allow MCP servers from a remote source")),
                    ("accept_elevated", .boolean("Allow hooks, permissions and MCP servers from a remote source")),
                ]), hints: MCPTool.Hints(openWorld: true)
            ) { (arguments) throws(ToolError) in
                let sync = arguments["sync"]?.boolValue ?? false
                guard sync || arguments["source"] != nil else {
                    throw ToolError(
                        ErrorCode.validationFailed, "install needs a source, or sync: true",
                        details: ["issues": [["path": "source", "message": "is required"]]])
                }
                var options = InstallOptions(source: arguments["source"]?.stringValue)
                options.path = arguments["path"]?.stringValue
                options.target = arguments["target"]?.stringValue
                options.asKind = arguments["as"]?.stringValue
                options.name = arguments["name"]?.stringValue
                options.sync = sync
                options.extends = arguments["extends"]?.boolValue ?? false
                options.dryRun = arguments["dry_run"]?.boolValue ?? false
                options.force = true
                let elevated = arguments["accept_elevated"]?.boolValue ?? false
                for kind in ["hooks", "permissions", "mcp"] where elevated || arguments["accept_" + kind]?.boolValue == true {
                    options.accept.insert(kind)
                }
                let root = try context.projectRoot()
                return try await installer(root, context).install(options).json
            },
            MCPTool(
                "uninstall", "Remove installed packs (names, or all: true) and regenerate",
                input: .object([
                    ("names", packNames), ("all", .boolean("Every installed pack")), ("keep_pack", .boolean("Keep the pack folder")),
                    ("keep_generated", .boolean("Do not regenerate")), ("dry_run", dryRun),
                ]), hints: .destructive
            ) { (arguments) throws(ToolError) in
                let root = try context.projectRoot()
                let data = try await installer(root, context).uninstall(
                    names: arguments["names"]?.stringList ?? [], all: arguments["all"]?.boolValue ?? false,
                    keepPack: arguments["keep_pack"]?.boolValue ?? false, keepGenerated: arguments["keep_generated"]?.boolValue ?? false,
                    dryRun: arguments["dry_run"]?.boolValue ?? false)
                if let failure = data.failure { throw failure }
                return data.json
            },
            MCPTool(
                "refresh", "Fetch installed packs again and apply what changed (names, or every pack)",
                input: .object([("names", packNames), ("dry_run", dryRun)]), hints: MCPTool.Hints(openWorld: true)
            ) { (arguments) throws(ToolError) in
                let root = try context.projectRoot()
                let data = try await installer(root, context).refresh(
                    names: arguments["names"]?.stringList ?? [], dryRun: arguments["dry_run"]?.boolValue ?? false)
                if let failure = data.failure { throw failure }
                return data.json
            },
        ]
    }
}
