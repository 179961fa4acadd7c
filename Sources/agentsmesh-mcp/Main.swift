internal import AgentsMeshMCP
internal import SharedCore
internal import SharedMCP
internal import SharedPlatform

/// `agentsmesh-mcp`: the MCP server, a binary of its own so that the MCP SDK (and the libraries it links,
/// libcurl among them) costs nothing to every other `agentsmesh` verb. `agentsmesh mcp` execs it.
@main
enum AgentsMeshMCPMain {
    static func main() async {
        let definition = AgentsMeshServer.definition(directory: FileSystem.currentDirectory())
        do {
            try await MCPStdioServer.run(definition, recordPath: ProcessEnvironment.value("AGENTSMESH_MCP_RECORD"))
        } catch {
            FileHandleStderr.write("agentsmesh mcp: \(error)\n")
            exit(1)
        }
    }
}

enum FileHandleStderr {
    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { SharedPlatform.write(2, $0.baseAddress, $0.count) }
    }
}
