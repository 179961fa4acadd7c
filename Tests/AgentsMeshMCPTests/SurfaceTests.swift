import AgentsMeshMCP
import SharedCore
import SharedMCP
import Testing

/// The server's surface is exactly the spec's (§7.4): 50 tools, 17 resources, strict schemas, annotations.
@Suite struct SurfaceTests {
    static let toolNames = [
        "list_rules", "get_rule", "create_rule", "update_rule", "delete_rule", "list_commands", "get_command", "create_command",
        "update_command", "delete_command", "list_agents", "get_agent", "create_agent", "update_agent", "delete_agent", "list_skills",
        "get_skill", "get_skill_file", "create_skill", "update_skill", "delete_skill", "get_config", "list_mcp_servers",
        "get_permissions", "get_hooks", "get_ignore", "update_config", "add_mcp_server", "update_mcp_server", "remove_mcp_server",
        "update_permissions", "update_hooks", "update_ignore", "list_target_capabilities", "get_target_capabilities", "generate", "lint",
        "check", "diff", "import", "convert", "install", "uninstall", "installs_list", "refresh", "lessons_query", "lessons_add",
        "lessons_topics", "lessons_show", "lessons_deprecate",
    ]

    static let resourceURIs = [
        "canonical/rules", "canonical/rules/{name}", "canonical/commands", "canonical/commands/{name}", "canonical/agents",
        "canonical/agents/{name}", "canonical/skills", "canonical/skills/{name}", "canonical/skills/{name}/files/{path}", "config",
        "canonical/mcp", "canonical/permissions", "canonical/hooks", "canonical/ignore", "capabilities", "capabilities/{targetId}",
        "installs",
    ].map { "agentsmesh://" + $0 }

    let server = AgentsMeshServer.definition(directory: "/")

    @Test func exactlyTheSpecsToolsAndResources() {
        #expect(server.tools.count == 50)
        #expect(Set(server.tools.map(\.name)) == Set(Self.toolNames))
        #expect(server.resources.count == 17)
        #expect(Set(server.resources.map(\.uri)) == Set(Self.resourceURIs))
        for resource in server.resources { #expect(server.tool(resource.tool) != nil, "\(resource.uri)") }
    }

    @Test func everySchemaIsAStrictObjectAndEveryToolIsDescribed() {
        for tool in server.tools {
            let schema = tool.input.json
            #expect(schema["type"] == "object", "\(tool.name)")
            #expect(schema["additionalProperties"] == false, "\(tool.name)")
            #expect(!tool.description.isEmpty, "\(tool.name)")
        }
    }

    @Test func annotationsSayWhatEachToolDoes() {
        let readOnly = Set(server.tools.filter(\.hints.readOnly).map(\.name))
        #expect(readOnly.isSuperset(of: ["list_rules", "get_config", "check", "diff", "lint", "installs_list", "lessons_query"]))
        #expect(readOnly.isDisjoint(with: ["generate", "create_rule", "install", "lessons_add", "update_hooks"]))
        let destructive = Set(server.tools.filter(\.hints.destructive).map(\.name))
        #expect(
            destructive.isSuperset(of: ["delete_rule", "delete_command", "delete_agent", "delete_skill", "remove_mcp_server", "uninstall"]))
        #expect(Set(server.tools.filter(\.hints.openWorld).map(\.name)) == ["install", "refresh"])
    }
}
