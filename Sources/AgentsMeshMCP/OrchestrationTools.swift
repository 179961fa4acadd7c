internal import AgentsMeshCanonical
internal import AgentsMeshGeneration
internal import SharedCore
internal import SharedMCP

/// generate, check, diff, lint, import, convert and the capability matrix (§7.4 rows 34-41).
enum OrchestrationTools {
    static let targetIDs = InputSchema.array(.oneOf(TargetID.firstClass), maxItems: TargetID.firstClass.count, "Target ids")
    static let features = InputSchema.array(.oneOf(Feature.all.map(\.rawValue)), maxItems: Feature.all.count, "Features")
    static let dryRun = InputSchema.boolean("Return the plan and write nothing")

    static let resources = [
        MCPResource(
            "agentsmesh://capabilities", name: "capabilities", description: "What each target supports", tool: "list_target_capabilities"),
        MCPResource(
            "agentsmesh://capabilities/{targetId}", name: "target-capabilities", description: "One target's capabilities",
            tool: "get_target_capabilities"),
    ]

    static func all(_ context: ToolContext) -> [MCPTool] {
        [
            MCPTool(
                "list_target_capabilities",
                "The capability matrix of every target (what each supports natively, embedded, partially or not)",
                input: .object([]), hints: .read
            ) { _ in CapabilityMatrix.data(targets: nil) },
            MCPTool(
                "get_target_capabilities", "One target's row of the capability matrix",
                input: .object([("targetId", .string("A target id, e.g. claude-code"))], required: ["targetId"]), hints: .read
            ) { (arguments) throws(ToolError) in
                let id = arguments["targetId"]?.stringValue ?? ""
                guard TargetID.firstClass.contains(id), let row = CapabilityMatrix.data(targets: [id])["targets"]?.arrayValue?.first else {
                    throw ToolError(ErrorCode.notFound, "unknown target '\(id)'; targets: \(TargetID.firstClass.joined(separator: ", "))")
                }
                return row
            },
            MCPTool(
                "generate", "Project .agentsmesh/ into each target's native files (like `agentsmesh generate`)",
                input: .object([
                    ("targets", targetIDs), ("verbose", .boolean("List unchanged files too")), ("dry_run", dryRun),
                ]), hints: .idempotentWrite
            ) { (arguments) throws(ToolError) in
                var options = GenerateOptions(
                    targets: arguments["targets"]?.arrayValue?.compactMap(\.stringValue), dryRun: arguments["dry_run"]?.boolValue ?? false,
                    lockTimeout: 0)
                options.command = "mcp generate"
                let result = try await Generator(root: try context.projectRoot()).generate(options)
                var json = result.json
                if arguments["verbose"]?.boolValue != true, var object = json.objectValue {
                    object["files"] = .array((object["files"]?.arrayValue ?? []).filter { $0["status"] != "unchanged" })
                    json = .object(object)
                }
                return json
            },
            MCPTool("check", "Whether canonical files and generated outputs match .agentsmesh/.lock", input: .object([]), hints: .read) {
                (_) throws(ToolError) in
                try Checker.check(root: try context.projectRoot()).json
            },
            MCPTool(
                "diff", "What generate would change, as unified diffs", input: .object([("targets", targetIDs)]), hints: .read
            ) { (arguments) throws(ToolError) in
                let targets = arguments["targets"]?.arrayValue?.compactMap(\.stringValue)
                return DiffPlanner.json(try DiffPlanner.diff(root: try context.projectRoot(), targets: targets))
            },
            MCPTool(
                "lint", "Validate the canonical files",
                input: .object([("severity", .oneOf(["error", "warning", "info"], "The least severity listed (default info)"))]),
                hints: .read
            ) { (arguments) throws(ToolError) in
                let rank = ["error": 0, "warning": 1, "info": 2]
                let least = rank[arguments["severity"]?.stringValue ?? "info"] ?? 2
                let diagnostics = try Linter.lint(root: try context.projectRoot(), targets: nil)
                return Linter.json(diagnostics.filter { (rank[$0.severity] ?? 2) <= least })
            },
            MCPTool(
                "import", "Import a tool's native files into .agentsmesh/ (no dry run: it only writes canonical files)",
                input: .object([("from", .oneOf(TargetID.firstClass)), ("features", features), ("dry_run", dryRun)], required: ["from"]),
                hints: .write
            ) { (arguments) throws(ToolError) in
                guard arguments["dry_run"] == nil else {
                    throw ToolError(
                        ErrorCode.validationFailed, "import has no dry run",
                        details: ["issues": [["path": "dry_run", "message": "import does not accept dry_run"]]])
                }
                let features = arguments["features"]?.arrayValue?.compactMap { $0.stringValue.flatMap(Feature.init(rawValue:)) }
                return try Importer.run(root: try context.projectRoot(), from: arguments["from"]?.stringValue ?? "", features: features)
                    .json
            },
            MCPTool(
                "convert", "Convert one tool's native files into another's without touching .agentsmesh/",
                input: .object(
                    [("from", .oneOf(TargetID.firstClass)), ("to", .oneOf(TargetID.firstClass)), ("dry_run", dryRun)],
                    required: ["from", "to"]),
                hints: .write
            ) { (arguments) throws(ToolError) in
                try Converter.convert(
                    root: try context.projectRoot(), from: arguments["from"]?.stringValue ?? "", to: arguments["to"]?.stringValue ?? "",
                    dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
        ]
    }
}
