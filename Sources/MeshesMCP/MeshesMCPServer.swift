public import MeshesClient
internal import MeshesDelivery
internal import MeshesEngine
internal import MeshesStores
internal import SharedCore
public import SharedMCP

/// `meshes mcp` (spec §7): the 33 operations as MCP tools over one `MeshesClient`.
public enum MeshesMCPServer {
    /// `serverInfo.version`: the engine version.
    public static let version = MeshesAPI.version

    /// The server definition answering through `client`.
    public static func definition(client: any MeshesClient) -> MCPServerDefinition {
        let tools = MeshesOperations.all.map { operation in
            MCPTool(operation.name, operation.description, input: operation.input, hints: operation.hints) { arguments in
                let result = await operation.perform(arguments, client: client)
                return MCPOutcome(text: result.text, isError: result.isError)
            }
        }
        return MCPServerDefinition(
            name: "meshes", version: version, tools: tools, resources: [], publicCodes: [],
            invalidArguments: { tool, issues in
                let result = OperationResult.invalidArguments(tool, issues)
                return MCPOutcome(text: result.text, isError: true)
            })
    }

    /// Record mode (`MESHES_MCP_RECORD=FILE`): generated ids (UUIDs, session ids) are captured where a response
    /// first shows them and referred to afterwards; random secrets and tokens are abstracted.
    public static let recording = TranscriptRecorder.Rules(
        identifiers: ["[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", "ses_[A-Za-z0-9]{22}"],
        volatile: [
            (pattern: "lt_[A-Za-z0-9_-]{43}", replacement: "lt_{{*}}"),
            (pattern: "eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+", replacement: "{{*}}"),
            (pattern: "whsec_[A-Za-z0-9+/=]+", replacement: "whsec_{{*}}"),
            // The random tail of a publishable key, after its org and workspace ids became placeholders.
            (pattern: "\\}\\}_[A-Za-z0-9]{22}\"", replacement: "}}_{{*}}\""),
        ])
}

/// A client chosen the way §1 says (credential variables → remote; none → embedded on the local store) and what
/// it holds: the embedded store's delivery engine, when this process delivers.
public final class OpenedClient: Sendable {
    public let client: any MeshesClient
    let delivery: DeliveryEngine?
    let adapterHTTP: AdapterHTTP?

    init(client: any MeshesClient, delivery: DeliveryEngine?, adapterHTTP: AdapterHTTP?) {
        self.client = client
        self.delivery = delivery
        self.adapterHTTP = adapterHTTP
    }

    /// Stops delivery (in-flight attempts finish and are recorded) and closes the clients.
    public func close() async {
        await delivery?.stop()
        await adapterHTTP?.shutdown()
        await client.close()
    }

    /// Chooses and opens the client. `dbFlag` is `--db`; `delivers` starts this process's delivery engine in
    /// embedded mode (unless `MESHES_DELIVERY=off`). Egress follows `MESHES_ALLOW_HTTP` and
    /// `MESHES_ALLOW_PRIVATE_EGRESS`; `apiURL` overrides `MESHES_API_URL`.
    public static func open(
        environment: [String: String], dbFlag: String? = nil, apiURL: String? = nil, delivers: Bool = false
    ) async throws(ClientFailure) -> OpenedClient {
        var environment = environment
        if let apiURL { environment["MESHES_API_URL"] = apiURL }
        let selection = ClientSelection.from(environment: environment)
        if let problem = selection.problem { throw ClientFailure(.configuration, problem) }
        if case .remote(let configuration) = selection {
            return OpenedClient(client: RemoteClient(configuration), delivery: nil, adapterHTTP: nil)
        }
        let store: any MeshesStore
        do {
            store = try await StoreOpener.open(flag: dbFlag, environment: environment)
        } catch let error as ToolError {
            throw ClientFailure(.configuration, "\(error.code): \(error.message)")
        } catch {
            throw ClientFailure(.configuration, "cannot open the store: \(error)")
        }
        var options = MeshesAPI.Options()
        options.allowHTTP = environment["MESHES_ALLOW_HTTP"] == "1"
        if let publicURL = environment["MESHES_PUBLIC_URL"], !publicURL.isEmpty { options.publicURL = publicURL }
        let adapterHTTP = AdapterHTTP()
        options.adapterHTTP = adapterHTTP
        var engine: DeliveryEngine?
        if delivers && !DeliveryEngine.isTurnedOff(environment) {
            let egress = EgressOptions(allowHTTP: options.allowHTTP, allowPrivate: environment["MESHES_ALLOW_PRIVATE_EGRESS"] == "1")
            engine = DeliveryEngine(store: store, egress: egress, workers: environment["MESHES_WORKERS"].flatMap { Int($0) } ?? 32)
            options.delivery = engine?.scheduler
        }
        await engine?.start()
        return OpenedClient(
            client: EmbeddedClient(api: MeshesAPI(store: store, options: options), orgID: store.defaultOrg.id), delivery: engine,
            adapterHTTP: adapterHTTP)
    }

    /// What `meshes mcp` prints (stderr) when some but not all credential variables are set: the missing names
    /// and a client configuration to copy.
    public static func incompleteCredentialsHelp(missing: [String]) -> String {
        """
        meshes mcp: remote mode needs all three of MESHES_ACCESS_KEY, MESHES_SECRET_KEY and MESHES_ORG_ID; missing: \
        \(missing.joined(separator: ", ")).
        Unset all three to use the local store instead. A client configuration for remote mode:

        {
          "mcpServers": {
            "meshes": {
              "command": "meshes",
              "args": ["mcp"],
              "env": {
                "MESHES_ACCESS_KEY": "mk_...",
                "MESHES_SECRET_KEY": "...",
                "MESHES_ORG_ID": "00000000-0000-4000-8000-000000000000"
              }
            }
          }
        }

        """
    }
}
