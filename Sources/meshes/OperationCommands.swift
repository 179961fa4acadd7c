internal import ArgumentParser
internal import Foundation
internal import MeshesClient
internal import MeshesMCP
internal import SharedCore
internal import SharedMCP

/// `meshes mcp`: the MCP server on stdio (§7).
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Run the meshes MCP server on stdio (33 tools): the local store, or the remote API when the credentials are set.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let environment = ProcessEnvironment.current
        switch ClientSelection.from(environment: environment) {
        case .incomplete(let missing):
            standardError(OpenedClient.incompleteCredentialsHelp(missing: missing))
            throw ExitCode(1)
        case .invalid(let reason):
            standardError("Failed to initialize Meshes API client: \(reason)\n")
            throw ExitCode(1)
        case .embedded, .remote:
            break
        }
        let opened: OpenedClient
        do {
            opened = try await OpenedClient.open(environment: environment, dbFlag: store.db, delivers: true)
        } catch {
            standardError("meshes mcp: \(error.message)\n")
            throw ExitCode(1)
        }
        do {
            try await MCPStdioServer.run(
                MeshesMCPServer.definition(client: opened.client), recordPath: environment["MESHES_MCP_RECORD"],
                recording: MeshesMCPServer.recording)
        } catch {
            await opened.close()
            standardError("meshes mcp: \(error)\n")
            throw ExitCode(1)
        }
        await opened.close()
    }
}

func standardError(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

/// `--json` and `--db`, shared by every operation verb.
struct OperationOptions: ParsableArguments {
    @Flag(help: "Print the API's answer as pretty JSON (lists included).")
    var json = false
    @OptionGroup var store: StoreOptions
}

/// A verb that is one of the 33 operations: its flags become the tool's arguments, and it runs the same code
/// the MCP tool runs (embedded by default, remote when MESHES_ACCESS_KEY, MESHES_SECRET_KEY and MESHES_ORG_ID
/// are set). Exit 0 success, 1 rejected (4xx, invalid arguments), 2 fatal (configuration, network, 5xx).
protocol OperationVerb: AsyncParsableCommand {
    static var operation: String { get }
    /// Whether the embedded engine must deliver while the verb runs (manual retry runs an attempt inline).
    static var delivers: Bool { get }
    var options: OperationOptions { get }
    func arguments() throws -> JSONObject
}

extension OperationVerb {
    static var delivers: Bool { false }

    func run() async throws {
        guard let operation = MeshesOperations.named(Self.operation) else { throw ExitCode(2) }
        let arguments = try arguments()
        let opened: OpenedClient
        do {
            opened = try await OpenedClient.open(environment: ProcessEnvironment.current, dbFlag: options.store.db, delivers: Self.delivers)
        } catch {
            standardError("error: \(error.message)\n")
            throw ExitCode(2)
        }
        let result = await operation.perform(arguments, client: opened.client)
        await opened.close()
        if result.isError {
            standardError("error: \(result.text)\n")
        } else {
            print(options.json ? result.text : result.humanText)
        }
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}

/// Builds tool arguments from flags: absent optionals are left out.
struct ArgumentsBuilder {
    var object = JSONObject()

    mutating func set(_ key: String, _ value: String?) { if let value { object[key] = .string(value) } }
    mutating func set(_ key: String, _ value: Int?) { if let value { object[key] = .int(value) } }
    mutating func set(_ key: String, _ value: Bool?) { if let value { object[key] = .bool(value) } }
    mutating func set(_ key: String, _ value: JSONValue?) { if let value { object[key] = value } }

    /// A JSON flag value (`--metadata '{…}'`), or the JSON in a file (`@path`).
    static func json(_ text: String?, flag: String) throws -> JSONValue? {
        guard var text else { return nil }
        if text.hasPrefix("@") {
            do {
                text = try String(contentsOfFile: String(text.dropFirst()), encoding: .utf8)
            } catch {
                throw ValidationError("\(flag): cannot read \(text.dropFirst())")
            }
        }
        do {
            return try JSONParser.parse(bytes: Array(text.utf8))
        } catch {
            throw ValidationError("\(flag) is not valid JSON (line \(error.line), column \(error.column): \(error.message))")
        }
    }

    /// `key=value` pairs as a string map.
    static func pairs(_ items: [String], flag: String) throws -> JSONValue? {
        guard !items.isEmpty else { return nil }
        var map = JSONObject()
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("\(flag) takes key=value, got \(item)")
            }
            map[String(item[..<equals])] = .string(String(item[item.index(after: equals)...]))
        }
        return .object(map)
    }
}

// MARK: - workspaces

struct WorkspacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspaces", abstract: "List, read, create and update workspaces, and list what a workspace holds.",
        subcommands: [
            WorkspacesList.self, WorkspacesGet.self, WorkspacesCreate.self, WorkspacesUpdate.self, WorkspacesConnections.self,
            WorkspacesEventTypes.self, WorkspacesResources.self, WorkspacesRules.self, WorkspacesEvents.self,
        ])
}

struct WorkspacesList: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the organization's workspaces.")
    static let operation = "meshes_list_workspaces"
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { [:] }
}

struct WorkspacesGet: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a workspace with its publishable key.")
    static let operation = "meshes_get_workspace"
    @Argument(help: "Workspace id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["workspace_id": .string(id)] }
}

struct WorkspacesCreate: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a workspace.")
    static let operation = "meshes_create_workspace"
    @Option(help: "Name: 3-50 letters, digits, spaces, _ or -.") var name: String
    @Option(help: "Description (up to 1024 characters).") var description: String?
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("name", name)
        built.set("description", description)
        return built.object
    }
}

struct WorkspacesUpdate: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Rename a workspace or change its description.")
    static let operation = "meshes_update_workspace"
    @Argument(help: "Workspace id.") var id: String
    @Option(help: "Name.") var name: String
    @Option(help: "New description.") var description: String?
    @Flag(help: "Clear the description.") var clearDescription = false
    @OptionGroup var options: OperationOptions
    func arguments() throws -> JSONObject {
        if clearDescription && description != nil { throw ValidationError("--description and --clear-description exclude each other") }
        var built = ArgumentsBuilder()
        built.set("workspace_id", id)
        built.set("name", name)
        built.set("description", description)
        if clearDescription { built.object["description"] = .null }
        return built.object
    }
}

struct WorkspacesConnections: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "connections", abstract: "List a workspace's connections.")
    static let operation = "meshes_get_workspace_connections"
    @Argument(help: "Workspace id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["workspace_id": .string(id)] }
}

struct WorkspacesEventTypes: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "event-types", abstract: "List a workspace's event types.")
    static let operation = "meshes_get_workspace_event_types"
    @Argument(help: "Workspace id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["workspace_id": .string(id)] }
}

struct WorkspacesResources: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "resources", abstract: "List a workspace's resources.")
    static let operation = "meshes_get_workspace_resources"
    @Argument(help: "Workspace id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["workspace_id": .string(id)] }
}

/// `--event`, `--resource`, `--resource-id` filters.
struct RuleFilters: ParsableArguments {
    @Option(help: "Only rules for this event key.") var event: String?
    @Option(help: "Only rules for this resource.") var resource: String?
    @Option(help: "Only rules for this resource id.") var resourceID: String?

    func add(to built: inout ArgumentsBuilder) {
        built.set("event", event)
        built.set("resource", resource)
        built.set("resource_id", resourceID)
    }
}

struct WorkspacesRules: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "List a workspace's rules.")
    static let operation = "meshes_get_workspace_rules"
    @Argument(help: "Workspace id.") var id: String
    @OptionGroup var filters: RuleFilters
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("workspace_id", id)
        filters.add(to: &built)
        return built.object
    }
}

/// `--limit` and `--cursor`.
struct PageOptions: ParsableArguments {
    @Option(help: "Records per page (1-200, default 50).") var limit: Int?
    @Option(help: "The next cursor printed by the previous page.") var cursor: String?

    func add(to built: inout ArgumentsBuilder) {
        built.set("limit", limit)
        built.set("cursor", cursor)
    }
}

struct WorkspacesEvents: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "List a workspace's events, newest first.")
    static let operation = "meshes_get_workspace_events"
    @Argument(help: "Workspace id.") var id: String
    @OptionGroup var page: PageOptions
    @Option(help: "Only this event key.") var event: String?
    @Option(help: "Only this status: pending, processing, retrying, completed, failed, canceled.") var status: String?
    @Option(help: "Only this resource.") var resource: String?
    @Option(help: "Only this resource id.") var resourceID: String?
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("workspace_id", id)
        page.add(to: &built)
        built.set("event", event)
        built.set("status", status)
        built.set("resource", resource)
        built.set("resource_id", resourceID)
        return built.object
    }
}

// MARK: - connections and integrations

struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections", abstract: "Manage connections: where events are delivered.",
        subcommands: [
            ConnectionsList.self, ConnectionsGet.self, ConnectionsCreate.self, ConnectionsUpdate.self, ConnectionsDelete.self,
            ConnectionsActions.self, ConnectionsFields.self, ConnectionsMapping.self, ConnectionsSetMapping.self,
        ])
}

struct ConnectionsList: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every connection of the organization.")
    static let operation = "meshes_list_connections"
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { [:] }
}

struct ConnectionsGet: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a connection (secrets redacted).")
    static let operation = "meshes_get_connection"
    @Argument(help: "Connection id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["connection_id": .string(id)] }
}

struct ConnectionsCreate: OperationVerb {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a connection (e.g. --type webhook --metadata '{\"url\":\"https://…\"}').")
    static let operation = "meshes_create_connection"
    @Option(help: "Workspace id.") var workspace: String
    @Option(help: "Integration type (webhook, slack, discord, hubspot, …).") var type: String
    @Option(help: "Name, unique in the workspace.") var name: String
    @Option(help: "Metadata JSON object, or @file.") var metadata: String
    @Flag(help: "Hide it in dashboards.") var hidden = false
    @OptionGroup var options: OperationOptions
    func arguments() throws -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("workspace", workspace)
        built.set("type", type)
        built.set("name", name)
        built.set("metadata", try ArgumentsBuilder.json(metadata, flag: "--metadata"))
        if hidden { built.set("hidden", true) }
        return built.object
    }
}

struct ConnectionsUpdate: OperationVerb {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Replace a connection's name and metadata (\"********\" keeps a stored secret).")
    static let operation = "meshes_update_connection"
    @Argument(help: "Connection id.") var id: String
    @Option(help: "Name.") var name: String
    @Option(help: "Metadata JSON object, or @file.") var metadata: String
    @Option(help: "true or false: hide it in dashboards.") var hidden: Bool?
    @OptionGroup var options: OperationOptions
    func arguments() throws -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("connection_id", id)
        built.set("name", name)
        built.set("metadata", try ArgumentsBuilder.json(metadata, flag: "--metadata"))
        built.set("hidden", hidden)
        return built.object
    }
}

struct ConnectionsDelete: OperationVerb {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a connection (--force also deletes its rules).")
    static let operation = "meshes_delete_connection"
    @Argument(help: "Connection id.") var id: String
    @Flag(help: "Also delete its rules and cancel their pending deliveries.") var force = false
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("connection_id", id)
        if force { built.set("force_delete", true) }
        return built.object
    }
}

struct ConnectionsActions: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "actions", abstract: "Show a connection's live action data.")
    static let operation = "meshes_get_connection_actions"
    @Argument(help: "Connection id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["connection_id": .string(id)] }
}

struct ConnectionsFields: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "fields", abstract: "Show the fields a connection accepts.")
    static let operation = "meshes_get_connection_fields"
    @Argument(help: "Connection id.") var id: String
    @Flag(help: "Rebuild the field catalog.") var refresh = false
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("connection_id", id)
        if refresh { built.set("refresh", true) }
        return built.object
    }
}

struct ConnectionsMapping: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "mapping", abstract: "Show a connection's default mapping.")
    static let operation = "meshes_get_connection_default_mappings"
    @Argument(help: "Connection id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["connection_id": .string(id)] }
}

struct ConnectionsSetMapping: OperationVerb {
    static let configuration = CommandConfiguration(
        commandName: "set-mapping", abstract: "Store a new version of a connection's default mapping.")
    static let operation = "meshes_update_connection_default_mappings"
    @Argument(help: "Connection id.") var id: String
    @Option(help: "MappingSchema JSON, or @file.") var schema: String
    @Option(help: "The version you read (refused with 409 when it changed).") var expectedVersion: Int?
    @Option(help: "Mapping name.") var name: String?
    @Option(help: "Workspace id.") var workspace: String?
    @Option(help: "Mapping id.") var mappingID: String?
    @OptionGroup var options: OperationOptions
    func arguments() throws -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("connection_id", id)
        built.set("workspace_id", workspace)
        built.set("mapping_id", mappingID)
        built.set("expected_version", expectedVersion)
        built.set("name", name)
        built.set("schema", try ArgumentsBuilder.json(schema, flag: "--schema"))
        return built.object
    }
}

struct IntegrationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integrations", abstract: "The integration types and their actions.", subcommands: [IntegrationsList.self])
}

struct IntegrationsList: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the integration types.")
    static let operation = "meshes_list_integrations"
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { [:] }
}

// MARK: - rules

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Route events to connections.",
        subcommands: [RulesList.self, RulesGet.self, RulesCreate.self, RulesDelete.self])
}

struct RulesList: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every rule of the organization.")
    static let operation = "meshes_list_rules"
    @OptionGroup var filters: RuleFilters
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject {
        var built = ArgumentsBuilder()
        filters.add(to: &built)
        return built.object
    }
}

struct RulesGet: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a rule.")
    static let operation = "meshes_get_rule"
    @Argument(help: "Rule id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["rule_id": .string(id)] }
}

struct RulesCreate: OperationVerb {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a rule: matching events go to a connection's action.")
    static let operation = "meshes_create_rule"
    @Option(help: "Workspace id.") var workspace: String
    @Option(help: "Connection id.") var connection: String
    @Option(help: "Event key to match exactly.") var event: String
    @Option(help: "The connection's action (send_webhook, send_message, …).") var action: String
    @Option(help: "Only events with this resource.") var resource: String?
    @Option(help: "Only events with this resource id.") var resourceID: String?
    @Flag(help: "Create it inactive.") var inactive = false
    @Flag(help: "Hide it in dashboards.") var hidden = false
    @Option(help: "More metadata as key=value (repeatable).") var extra: [String] = []
    @OptionGroup var options: OperationOptions
    func arguments() throws -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("workspace", workspace)
        built.set("connection", connection)
        built.set("event", event)
        built.set("action", action)
        built.set("resource", resource)
        built.set("resource_id", resourceID)
        if inactive { built.set("active", false) }
        if hidden { built.set("hidden", true) }
        built.set("metadata_extra", try ArgumentsBuilder.pairs(extra, flag: "--extra"))
        return built.object
    }
}

struct RulesDelete: OperationVerb {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a rule (its unfinished deliveries are canceled).")
    static let operation = "meshes_delete_rule"
    @Argument(help: "Rule id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["rule_id": .string(id)] }
}

// MARK: - events

struct EventsList: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the organization's events, newest first.")
    static let operation = "meshes_list_events"
    @OptionGroup var page: PageOptions
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject {
        var built = ArgumentsBuilder()
        page.add(to: &built)
        return built.object
    }
}

struct EventsGet: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show an event with its rule events.")
    static let operation = "meshes_get_event"
    @Argument(help: "Event id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["event_id": .string(id)] }
}

struct EventsPayload: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "payload", abstract: "Show an event with its rule events and payload.")
    static let operation = "meshes_get_event_payload"
    @Argument(help: "Event id.") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["event_id": .string(id)] }
}

struct EventsEmitBulk: OperationVerb {
    static let configuration = CommandConfiguration(
        commandName: "emit-bulk", abstract: "Emit 1-100 events from a JSON array file (use `meshes backfill` for JSONL files of any size).")
    static let operation = "meshes_emit_bulk_events"
    @Argument(help: "A JSON array of ingest objects, or - for standard input.") var file: String
    @OptionGroup var options: OperationOptions
    func arguments() throws -> JSONObject {
        var source = "@" + file
        if file == "-" { source = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        return ["events": try ArgumentsBuilder.json(source, flag: "FILE") ?? .null]
    }
}

struct EventsEmit: OperationVerb {
    static let configuration = CommandConfiguration(
        commandName: "emit", abstract: "Emit one event exactly as the MCP tool does (`meshes emit` also waits for its first deliveries).")
    static let operation = "meshes_emit_event"
    @Option(help: "Workspace id.") var workspace: String
    @Argument(help: "Event key, e.g. user.signup.") var event: String
    @Option(help: "Payload JSON object, or @file.") var payload: String
    @Option(help: "Resource (default global).") var resource: String?
    @Option(help: "Resource id.") var resourceID: String?
    @OptionGroup var options: OperationOptions
    func arguments() throws -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("workspace", workspace)
        built.set("event", event)
        built.set("payload", try ArgumentsBuilder.json(payload, flag: "--payload"))
        built.set("resource", resource)
        built.set("resource_id", resourceID)
        return built.object
    }
}

struct EventsRetry: OperationVerb {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Run one manual delivery attempt of an event to a rule now, and show the delivery after it.")
    static let operation = "meshes_retry_event_rule"
    static let delivers = true
    @Argument(help: "Event id.") var eventID: String
    @Argument(help: "Rule id (rule_events[].rule).") var ruleID: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["event_id": .string(eventID), "rule_id": .string(ruleID)] }
}

// MARK: - sessions

struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "Embedded-dashboard sessions.",
        subcommands: [SessionsCreate.self, SessionsList.self, SessionsRefresh.self, SessionsRevoke.self])
}

struct SessionsCreate: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a session: an access token and a launch URL.")
    static let operation = "meshes_create_session"
    @Option(help: "Workspace id.") var workspace: String
    @Option(help: "member, admin or owner (default member).") var role: String?
    @Option(help: "workspace, resource or dashboard (default workspace).") var sessionType: String?
    @Option(help: "Your user's id.") var externalUserID: String?
    @Option(help: "Access token lifetime, 300-3600 s (default 1800).") var ttlSeconds: Int?
    @Option(help: "Launch token lifetime, 15-60 s (default 30).") var launchTTLSeconds: Int?
    @Option(help: "dashboard, connections, rules or events (default dashboard).") var launchPage: String?
    @Option(help: "Resource (resource sessions).") var resource: String?
    @Option(help: "Resource id (resource sessions).") var resourceID: String?
    @Option(help: "An origin allowed to embed the dashboard (repeatable).") var allowedOrigin: [String] = []
    @Option(help: "An extra permission: events.payload:read (repeatable).") var scope: [String] = []
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("workspace_id", workspace)
        built.set("role", role)
        built.set("session_type", sessionType)
        built.set("external_user_id", externalUserID)
        built.set("ttl_seconds", ttlSeconds)
        built.set("launch_ttl_seconds", launchTTLSeconds)
        built.set("launch_page", launchPage)
        built.set("resource", resource)
        built.set("resource_id", resourceID)
        if !allowedOrigin.isEmpty { built.set("allowed_origins", JSONValue.strings(allowedOrigin)) }
        if !scope.isEmpty { built.set("scopes", JSONValue.strings(scope)) }
        return built.object
    }
}

struct SessionsList: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a workspace's sessions.")
    static let operation = "meshes_list_sessions"
    @Option(help: "Workspace id.") var workspace: String
    @OptionGroup var page: PageOptions
    @Option(help: "active or revoked.") var status: String?
    @Option(help: "Only this resource.") var resource: String?
    @Option(help: "Only this resource id.") var resourceID: String?
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject {
        var built = ArgumentsBuilder()
        built.set("workspace_id", workspace)
        page.add(to: &built)
        built.set("status", status)
        built.set("resource", resource)
        built.set("resource_id", resourceID)
        return built.object
    }
}

struct SessionsRefresh: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Give a session a new access token.")
    static let operation = "meshes_refresh_session"
    @Argument(help: "Session id (ses_…).") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["session_id": .string(id)] }
}

struct SessionsRevoke: OperationVerb {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a session.")
    static let operation = "meshes_revoke_session"
    @Argument(help: "Session id (ses_…).") var id: String
    @OptionGroup var options: OperationOptions
    func arguments() -> JSONObject { ["session_id": .string(id)] }
}
