internal import AgentsMeshCanonical
internal import SharedCore
internal import SharedMCP

/// create/update/delete of skills (§7.4 rows 19-21), through `SkillEditor`.
enum SkillTools {
    static let fileText = InputSchema.string(maxLength: CanonicalEditor.maximumFileBytes)

    static func all(_ context: ToolContext) -> [MCPTool] {
        [
            MCPTool(
                "create_skill", "Create a skill: SKILL.md from frontmatter and body, plus supporting files {path: text}",
                input: .object(
                    [
                        ("name", ReadTools.entityName), ("frontmatter", EditTools.frontmatter), ("body", EditTools.body),
                        ("supportingFiles", .map(fileText, description: "Relative path → file text")), ("dry_run", EditTools.dryRun),
                    ], required: ["name", "frontmatter", "body"]),
                hints: .write
            ) { (arguments) throws(ToolError) in
                var files: [String: String] = [:]
                for (path, text) in arguments["supportingFiles"]?.objectValue ?? JSONObject() { files[path] = text.stringValue ?? "" }
                let (mutation, changes) = try SkillEditor.create(
                    root: try context.projectRoot(), name: arguments["name"]?.stringValue ?? "",
                    frontmatter: arguments["frontmatter"]?.objectValue ?? JSONObject(), body: arguments["body"]?.stringValue ?? "",
                    files: files, dryRun: arguments["dry_run"]?.boolValue ?? false)
                return withFiles(mutation, changes)
            },
            MCPTool(
                "update_skill", "Update a skill: frontmatter/body of SKILL.md and supporting files {path: text | null to delete}",
                input: .object(
                    [
                        ("name", ReadTools.entityName), ("frontmatter", EditTools.frontmatter), ("body", EditTools.body),
                        ("merge", .boolean("Shallow-merge frontmatter into the existing one")),
                        ("supportingFiles", .map(.anyOf([fileText, .any(description: "null deletes the file")], description: nil))),
                        ("dry_run", EditTools.dryRun),
                    ], required: ["name"]),
                hints: .destructive
            ) { (arguments) throws(ToolError) in
                var files: [String: String?] = [:]
                for (path, value) in arguments["supportingFiles"]?.objectValue ?? JSONObject() {
                    guard value.isNull || value.stringValue != nil else {
                        throw ToolError(ErrorCode.validationFailed, "supportingFiles.\(path) must be a string or null")
                    }
                    files[path] = .some(value.stringValue)
                }
                let (mutation, changes) = try SkillEditor.update(
                    root: try context.projectRoot(), name: arguments["name"]?.stringValue ?? "",
                    frontmatter: arguments["frontmatter"]?.objectValue, body: arguments["body"]?.stringValue,
                    merge: arguments["merge"]?.boolValue ?? false, files: files, dryRun: arguments["dry_run"]?.boolValue ?? false)
                return withFiles(mutation, changes)
            },
            MCPTool(
                "delete_skill", "Delete a skill folder",
                input: .object([("name", ReadTools.entityName), ("dry_run", EditTools.dryRun)], required: ["name"]), hints: .destructive
            ) { (arguments) throws(ToolError) in
                try SkillEditor.delete(
                    root: try context.projectRoot(), name: arguments["name"]?.stringValue ?? "",
                    dryRun: arguments["dry_run"]?.boolValue ?? false
                ).json
            },
        ]
    }

    static func withFiles(_ mutation: Mutation, _ changes: [SkillEditor.FileChange]) -> JSONValue {
        var object = mutation.json.objectValue ?? JSONObject()
        object["files"] = .array(changes.map(\.json))
        return .object(object)
    }
}
