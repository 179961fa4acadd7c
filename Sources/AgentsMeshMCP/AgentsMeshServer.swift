internal import AgentsMeshCanonical
internal import AgentsMeshGeneration
internal import AgentsMeshLessons
internal import AgentsMeshProjectors
internal import SharedCore
public import SharedMCP

/// `agentsmesh mcp` (spec §7): the tools and resources over the same library calls the CLI verbs make.
/// The project root is found from the working directory on every call.
public enum AgentsMeshServer {
    /// The server's version (`serverInfo.version`).
    public static let version = "0.1.0"

    /// The spec's 12 error codes (§7.3); any other code is reported as `VALIDATION_FAILED` with
    /// `details.reason`, and `FETCH_FAILED` as `IO_ERROR`.
    public static let publicCodes: Set<String> = [
        ErrorCode.notFound, ErrorCode.alreadyExists, ErrorCode.validationFailed, ErrorCode.invalidName, ErrorCode.pathTraversal,
        ErrorCode.protectedFile, ErrorCode.lockHeld, ErrorCode.noProject, ErrorCode.ioError, ErrorCode.limitExceeded,
        "REFRESH_RESOLVE_FAILED", "REFRESH_APPLY_FAILED",
    ]

    /// The definition served from `directory` (the server's working directory).
    public static func definition(directory: String) -> MCPServerDefinition {
        let context = ToolContext(directory: directory)
        return MCPServerDefinition(
            name: "agentsmesh", version: version,
            tools: ReadTools.all(context) + EditTools.all(context) + SkillTools.all(context) + SettingsTools.all(context)
                + OrchestrationTools.all(context)
                + PackTools.all(context) + LessonsTools.all(context),
            resources: ReadTools.resources + OrchestrationTools.resources, publicCodes: publicCodes,
            codeMap: ["FETCH_FAILED": ErrorCode.ioError],
            scrub: { message in context.scrub(message) })
    }
}

/// What every tool shares: where the server runs, root discovery, and the long-lived lessons services.
final class ToolContext: Sendable {
    let directory: String
    let services = ServiceCache()

    init(directory: String) {
        self.directory = FileSystem.realPath(directory) ?? directory
    }

    /// The project root for this call (`NO_PROJECT` outside one).
    func projectRoot() throws(ToolError) -> String { try ProjectLocator.find(from: directory) }

    /// The project's canonical tree, loaded as generate loads it.
    func canonical() throws(ToolError) -> CanonicalProject { try CanonicalStore.load(root: try projectRoot()).project }

    /// The lessons service of the lessons root for this call (§6.1 discovery).
    func lessons() async throws(ToolError) -> LessonsService {
        await services.service(root: try LessonsRoot.require(from: directory))
    }

    /// `message` without the absolute paths of the working directory or its parents' projects.
    func scrub(_ message: String) -> String {
        var out = message
        for prefix in [directory + "/", directory] where out.contains(prefix) {
            out = out.replacingBytes(prefix, with: prefix.hasSuffix("/") ? "" : ".")
        }
        return out
    }
}

/// One `LessonsService` per lessons root, kept for the server's life (its index cache holds while
/// `lessons.json` is unchanged).
actor ServiceCache {
    private var services: [String: LessonsService] = [:]

    func service(root: String) -> LessonsService {
        if let existing = services[root] { return existing }
        let created = LessonsService(root: root)
        services[root] = created
        return created
    }
}
