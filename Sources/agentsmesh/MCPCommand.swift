internal import ArgumentParser
internal import SharedCore
internal import SharedPlatform

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the agentsmesh MCP tools over stdio (JSON-RPC on stdin/stdout, logs on stderr).",
        discussion: """
            Runs the agentsmesh-mcp binary installed beside agentsmesh (kept apart so the MCP SDK does not slow \
            down the other verbs). Set AGENTSMESH_MCP_RECORD=FILE to write a replayable transcript of the session.
            """)

    func run() async throws {
        try await runVerb("mcp", json: false) { () throws(ToolError) -> VerbOutput in
            let own = FileSystem.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
            let server = String(own[..<(own.lastIndex(of: "/") ?? own.startIndex)]) + "/agentsmesh-mcp"
            guard FileSystem.kind(server) == .file else {
                throw ToolError(ErrorCode.notFound, "agentsmesh-mcp is not installed beside agentsmesh; install both binaries together")
            }
            var arguments: [UnsafeMutablePointer<CChar>?] = [strdup(server), nil]
            execv(server, &arguments)
            throw ToolError(ErrorCode.ioError, "cannot start agentsmesh-mcp: \(String(cString: strerror(errno)))")
        }
    }
}
