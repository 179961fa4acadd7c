internal import AgentsMeshCanonical
internal import SharedCore
internal import SharedMCP

/// create/update/delete of rules, commands and agents (§7.4 rows 3-5, 8-10, 13-15), through `CanonicalEditor`.
enum EditTools {
    static let frontmatter = InputSchema.anyObject(maxProperties: 100, description: "The frontmatter mapping")
    static let body = InputSchema.string("The Markdown body", maxLength: CanonicalEditor.maximumFileBytes)
    static let dryRun = OrchestrationTools.dryRun

    static func all(_ context: ToolContext) -> [MCPTool] {
        [CanonicalEditor.Kind.rule, .command, .agent].flatMap { tools(for: $0, context) }
    }

    static func tools(for kind: CanonicalEditor.Kind, _ context: ToolContext) -> [MCPTool] {
        let noun = kind.rawValue
        let name = kind == .command ? ReadTools.commandName : ReadTools.entityName
        var deleteInput: [(String, InputSchema)] = [("name", name), ("dry_run", dryRun)]
        if kind == .rule { deleteInput.append(("force", .boolean("Required to delete the root rule (_root)"))) }
        return [
            MCPTool(
                "create_\(noun)", "Create a \(noun) in .agentsmesh/ (ALREADY_EXISTS when it is there)",
                input: .object(
                    [("name", name), ("frontmatter", frontmatter), ("body", body), ("dry_run", dryRun)],
                    required: ["name", "frontmatter", "body"]),
                hints: .write
            ) { (arguments) throws(ToolError) in
                try CanonicalEditor.create(
                    root: try context.projectRoot(), kind, name: arguments["name"]?.stringValue ?? "",
                    frontmatter: arguments["frontmatter"]?.objectValue ?? JSONObject(), body: arguments["body"]?.stringValue ?? "",
                    dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
            MCPTool(
                "update_\(noun)", "Update a \(noun): frontmatter (replaced, or shallow-merged with merge: true) and/or body",
                input: .object(
                    [
                        ("name", name), ("frontmatter", frontmatter), ("body", body),
                        ("merge", .boolean("Shallow-merge frontmatter into the existing one")), ("dry_run", dryRun),
                    ], required: ["name"]),
                hints: .idempotentWrite
            ) { (arguments) throws(ToolError) in
                try CanonicalEditor.update(
                    root: try context.projectRoot(), kind, name: arguments["name"]?.stringValue ?? "",
                    frontmatter: arguments["frontmatter"]?.objectValue, body: arguments["body"]?.stringValue,
                    merge: arguments["merge"]?.boolValue ?? false, dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
            MCPTool(
                "delete_\(noun)", "Delete a \(noun) from .agentsmesh/", input: .object(deleteInput, required: ["name"]),
                hints: .destructive
            ) { (arguments) throws(ToolError) in
                try CanonicalEditor.delete(
                    root: try context.projectRoot(), kind, name: arguments["name"]?.stringValue ?? "",
                    force: arguments["force"]?.boolValue ?? false, dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
        ]
    }
}
