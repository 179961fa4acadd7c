internal import AgentsMeshMCP
internal import ArgumentParser
internal import SharedCore
internal import SharedMCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the agentsmesh MCP tools over stdio (JSON-RPC on stdin/stdout, logs on stderr).",
        discussion: "Set AGENTSMESH_MCP_RECORD=FILE to write a replayable transcript of the session.")

    func run() async throws {
        let definition = AgentsMeshServer.definition(directory: FileSystem.currentDirectory())
        try await MCPStdioServer.run(definition, recordPath: ProcessEnvironment.value("AGENTSMESH_MCP_RECORD"))
    }
}
