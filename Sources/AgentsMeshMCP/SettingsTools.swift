internal import AgentsMeshCanonical
internal import SharedCore
internal import SharedMCP

/// The settings writes of §7.4 rows 27-33, through `SettingsEditor` and `ConfigEditor`.
enum SettingsTools {
    static let dryRun = OrchestrationTools.dryRun
    static let serverName = InputSchema.string("Server name", minLength: 1, maxLength: 64, pattern: "[A-Za-z0-9_:.-]+")
    static let server = InputSchema.object([
        ("type", .oneOf(["stdio", "sse", "http", "streamable-http"])), ("command", .string(maxLength: 4096)),
        ("args", .array(.string(maxLength: 8192), maxItems: 100)), ("env", .map(.string(maxLength: 8192))),
        ("url", .string(maxLength: 4096, pattern: "https?://.+")), ("headers", .map(.string(maxLength: 8192))),
        ("description", .string(maxLength: 1024)), ("cwd", .string(maxLength: 4096)), ("disabled", .boolean()),
        ("timeout", .integer(minimum: 0)),
    ])
    static let permissionList = InputSchema.array(.string(minLength: 1, maxLength: 1024), maxItems: 1000)
    static let mode = InputSchema.oneOf(["replace", "append"], "replace (default) or append (union, de-duplicated)")

    static func all(_ context: ToolContext) -> [MCPTool] {
        [
            MCPTool(
                "update_config", "Set targets, features or conversions in agentsmesh.yaml (in place; merge unions arrays and maps)",
                input: .object([
                    ("targets", .array(.string(maxLength: 64), maxItems: 20)), ("features", OrchestrationTools.features),
                    ("conversions", .anyObject(maxProperties: 50, description: "Conversion settings")),
                    ("merge", .boolean("Union arrays and shallow-merge maps instead of replacing")), ("dry_run", dryRun),
                ]), hints: .idempotentWrite
            ) { (arguments) throws(ToolError) in
                try ConfigEditor.update(
                    root: try context.projectRoot(), targets: arguments["targets"]?.stringList, features: arguments["features"]?.stringList,
                    conversions: arguments["conversions"]?.objectValue, merge: arguments["merge"]?.boolValue ?? false,
                    dryRun: arguments["dry_run"]?.boolValue ?? false)
            },
            MCPTool(
                "add_mcp_server", "Add an MCP server to .agentsmesh/mcp.json (ALREADY_EXISTS when the name is taken)",
                input: .object([("name", serverName), ("server", server), ("dry_run", dryRun)], required: ["name", "server"]), hints: .write
            ) { (arguments) throws(ToolError) in
                try SettingsEditor.addMcpServer(
                    root: try context.projectRoot(), name: arguments["name"]?.stringValue ?? "",
                    server: arguments["server"]?.objectValue ?? JSONObject(), dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
            MCPTool(
                "update_mcp_server", "Replace an MCP server, or with merge set only the given fields",
                input: .object(
                    [("name", serverName), ("server", server), ("merge", .boolean("Keep the fields not given")), ("dry_run", dryRun)],
                    required: ["name", "server"]), hints: .idempotentWrite
            ) { (arguments) throws(ToolError) in
                try SettingsEditor.updateMcpServer(
                    root: try context.projectRoot(), name: arguments["name"]?.stringValue ?? "",
                    server: arguments["server"]?.objectValue ?? JSONObject(), merge: arguments["merge"]?.boolValue ?? false,
                    dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
            MCPTool(
                "remove_mcp_server", "Remove an MCP server from .agentsmesh/mcp.json",
                input: .object([("name", serverName), ("dry_run", dryRun)], required: ["name"]), hints: .destructive
            ) { (arguments) throws(ToolError) in
                try SettingsEditor.removeMcpServer(
                    root: try context.projectRoot(), name: arguments["name"]?.stringValue ?? "",
                    dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
            MCPTool(
                "update_permissions", "Set (replace) or extend (append) the allow, deny and ask lists of permissions.yaml",
                input: .object([
                    ("allow", permissionList), ("deny", permissionList), ("ask", permissionList), ("mode", mode), ("dry_run", dryRun),
                ]),
                hints: .idempotentWrite
            ) { (arguments) throws(ToolError) in
                let (mutation, permissions) = try SettingsEditor.updatePermissions(
                    root: try context.projectRoot(), allow: arguments["allow"]?.stringList, deny: arguments["deny"]?.stringList,
                    ask: arguments["ask"]?.stringList, append: arguments["mode"] == "append",
                    dryRun: arguments["dry_run"]?.boolValue ?? false)
                var object = mutation.json.objectValue ?? JSONObject()
                object["allow"] = .strings(permissions.allow)
                object["deny"] = .strings(permissions.deny)
                object["ask"] = .strings(permissions.ask)
                return .object(object)
            },
            MCPTool(
                "update_hooks", "Replace hooks.yaml: {Event: [entry]} with flat entries or nested {matcher, hooks: [...]} ones",
                input: .object(
                    [("hooks", .map(.array(.anyObject(maxProperties: 20, description: nil), maxItems: 100))), ("dry_run", dryRun)],
                    required: ["hooks"]),
                hints: .destructive
            ) { (arguments) throws(ToolError) in
                try SettingsEditor.updateHooks(
                    root: try context.projectRoot(), hooks: arguments["hooks"]?.objectValue ?? JSONObject(),
                    dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
            MCPTool(
                "update_ignore", "Set (replace) or extend (append) the ignore patterns",
                input: .object(
                    [("patterns", .array(.string(maxLength: 1024), maxItems: 1000)), ("mode", mode), ("dry_run", dryRun)],
                    required: ["patterns"]),
                hints: .idempotentWrite
            ) { (arguments) throws(ToolError) in
                try SettingsEditor.updateIgnore(
                    root: try context.projectRoot(), patterns: arguments["patterns"]?.stringList ?? [],
                    append: arguments["mode"] == "append",
                    dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
        ]
    }
}
