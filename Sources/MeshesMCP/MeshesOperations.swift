internal import MeshesClient
internal import MeshesCore
internal import SharedCore
internal import SharedMCP

/// The 33 operations of spec §7, in the spec's order.
public enum MeshesOperations {
    public static let all: [MeshesOperation] = workspaces + connections + rules + events + sessions

    /// The operation of this tool name.
    public static func named(_ name: String) -> MeshesOperation? { all.first { $0.name == name } }

    // MARK: Shared inputs

    static let read = (readOnly: true, destructive: false, idempotent: true)
    static let create = (readOnly: false, destructive: false, idempotent: false)
    static let update = (readOnly: false, destructive: false, idempotent: true)
    static let delete = (readOnly: false, destructive: true, idempotent: false)

    static let resourcePattern = "[A-Za-z0-9._:-]{1,64}"
    static let statuses = ["pending", "processing", "retrying", "completed", "failed", "canceled"]
    static let limit = InputSchema.integer("Records per page (1-200).", minimum: 1, maximum: 200).defaulting(to: 50)

    static func id(_ what: String) -> InputSchema { .uuid("The \(what) id (UUID).") }

    static func object(_ properties: [(String, InputSchema)], required: [String] = []) -> InputSchema {
        .object(properties, required: required)
    }

    /// `keys` of `arguments` with `defaults` filled in for absent ones, in `keys` order.
    static func body(_ arguments: Arguments, _ keys: [String], defaults: JSONObject = [:], keepNull: Set<String> = []) -> JSONValue {
        var out = JSONObject()
        let given = arguments.body(keys, keepNull: keepNull)
        for key in keys {
            if let value = given[key] {
                out[key] = value
            } else if let value = defaults[key] {
                out[key] = value
            }
        }
        return .object(out)
    }

    /// `limit` with its default, then the other query keys.
    static func listQuery(_ arguments: Arguments, _ keys: [String]) -> [(name: String, value: String)] {
        var query: [(name: String, value: String)] = []
        for key in keys {
            if key == "limit" {
                query.append(("limit", String(arguments["limit"]?.intValue ?? 50)))
            } else {
                query += arguments.query([key])
            }
        }
        return query
    }

    // MARK: Workspaces (1-8)

    static let workspaces: [MeshesOperation] = [
        MeshesOperation(
            "meshes_list_workspaces", "List the organization's workspaces.", read, input: object([])
        ) { _ in ClientRequest("GET", "/workspaces") },
        MeshesOperation(
            "meshes_get_workspace", "Get one workspace, with its publishable key.", read,
            input: object([("workspace_id", id("workspace"))], required: ["workspace_id"])
        ) { arguments in ClientRequest("GET", "/workspaces/" + arguments.segment("workspace_id")) },
        MeshesOperation(
            "meshes_create_workspace", "Create a workspace (name: 3-50 letters, digits, spaces, _ or -; unique in the organization).",
            create,
            input: object(
                [
                    ("name", .string("Workspace name.", minLength: 3, maxLength: 50)),
                    ("description", .string("What the workspace is for.", maxLength: 1024)),
                ], required: ["name"])
        ) { arguments in ClientRequest("POST", "/workspaces", body: body(arguments, ["name", "description"])) },
        MeshesOperation(
            "meshes_update_workspace", "Rename a workspace or change its description (null clears it).", update,
            input: object(
                [
                    ("workspace_id", id("workspace")), ("name", .string("New name.", minLength: 3, maxLength: 50)),
                    ("description", .nullable(.string("New description; null clears it.", maxLength: 1024))),
                ], required: ["workspace_id", "name"])
        ) { arguments in
            ClientRequest(
                "PUT", "/workspaces/" + arguments.segment("workspace_id"),
                body: body(arguments, ["name", "description"], keepNull: ["description"]))
        },
        MeshesOperation(
            "meshes_get_workspace_connections", "List a workspace's connections (secrets redacted).", read,
            input: object([("workspace_id", id("workspace"))], required: ["workspace_id"])
        ) { arguments in ClientRequest("GET", "/workspaces/\(arguments.segment("workspace_id"))/connections") },
        MeshesOperation(
            "meshes_get_workspace_event_types", "List the event types a workspace has seen or registered.", read,
            input: object([("workspace_id", id("workspace"))], required: ["workspace_id"])
        ) { arguments in ClientRequest("GET", "/workspaces/\(arguments.segment("workspace_id"))/event-types") },
        MeshesOperation(
            "meshes_get_workspace_resources", "List the resources a workspace has seen or registered.", read,
            input: object([("workspace_id", id("workspace"))], required: ["workspace_id"])
        ) { arguments in ClientRequest("GET", "/workspaces/\(arguments.segment("workspace_id"))/resources") },
        MeshesOperation(
            "meshes_get_workspace_rules", "List a workspace's rules, optionally only those for one event or resource.", read,
            input: object(
                [
                    ("workspace_id", id("workspace")), ("event", .string("Event key, e.g. user.signup.")),
                    ("resource", .string("Resource.")), ("resource_id", .string("Resource id.")),
                ], required: ["workspace_id"])
        ) { arguments in
            ClientRequest(
                "GET", "/workspaces/\(arguments.segment("workspace_id"))/rules",
                query: arguments.query(["event", "resource", "resource_id"]))
        },
    ]

    // MARK: Connections and integrations (9-18)

    static let mappingSchema: InputSchema = {
        let timezone = ("timezone", InputSchema.string("IANA time zone (default UTC).", minLength: 1, maxLength: 64))
        func transform(_ type: String, _ extra: [(String, InputSchema)] = [], required: [String] = []) -> InputSchema {
            .object([("type", .oneOf([type]))] + extra, required: ["type"] + required)
        }
        let transforms: [InputSchema] = [
            transform("to_string"), transform("to_number"), transform("to_boolean"), transform("to_date", [timezone]),
            transform("to_datetime", [timezone]),
            transform("default", [("value", .any(description: "string (1-128), number, boolean or null"))], required: ["value"]),
            transform("trim"), transform("lower"), transform("upper"),
            transform(
                "substring",
                [("start", .integer("First character (0-based).", minimum: 0)), ("length", .integer("Characters to keep.", minimum: 1))],
                required: ["start"]),
        ]
        let source = InputSchema.anyOf(
            [
                .object(
                    [("type", .oneOf(["literal"])), ("value", .any(description: "string (1-256), number, boolean or null"))],
                    required: ["type", "value"]),
                .object(
                    [
                        ("type", .oneOf(["path"])),
                        (
                            "value",
                            .string("Dot path into the payload.", maxLength: 128, pattern: "[a-zA-Z_][a-zA-Z0-9_]*(\\.[a-zA-Z0-9_]+)*")
                        ),
                    ], required: ["type", "value"]),
            ], description: "Where the value comes from: a literal, or a path into the event payload.")
        let field = InputSchema.object(
            [
                ("dest", .string("Output key.", minLength: 1, maxLength: 128)), ("source", source),
                ("transforms", .array(.anyOf(transforms, description: nil), maxItems: 10, "Applied in order.")),
                (
                    "on_error",
                    .oneOf(["skip_field", "warn_action", "fail_action"], "What a failed transform does.").defaulting(to: "skip_field")
                ),
                ("notes", .string(minLength: 1, maxLength: 1024)),
            ], required: ["dest", "source"])
        return .object(
            [
                ("schema_version", .integer("Always 1.", minimum: 1, maximum: 1)),
                ("fields", .array(field, maxItems: 250, "Output fields.")),
                ("meta", .object([("name", .string(minLength: 1, maxLength: 64)), ("notes", .string(minLength: 1, maxLength: 1024))])),
            ], required: ["schema_version", "fields"], description: "MappingSchema (spec 2.9).")
    }()

    static let connections: [MeshesOperation] = [
        MeshesOperation("meshes_list_connections", "List every connection of the organization.", read, input: object([])) { _ in
            ClientRequest("GET", "/connections")
        },
        MeshesOperation(
            "meshes_get_connection", "Get one connection (secret metadata shown as ********).", read,
            input: object([("connection_id", id("connection"))], required: ["connection_id"])
        ) { arguments in ClientRequest("GET", "/connections/" + arguments.segment("connection_id")) },
        MeshesOperation(
            "meshes_create_connection",
            "Create a connection: where a workspace's events go (webhook URL, Slack or Discord incoming webhook, or an integration's keys).",
            create,
            input: object(
                [
                    ("workspace", id("workspace")),
                    ("type", .oneOf(IntegrationType.allCases.map(\.rawValue), "Integration type.")),
                    ("name", .string("Name, unique in the workspace.", minLength: 1, maxLength: 128)),
                    (
                        "metadata",
                        .anyObject(maxProperties: nil, description: "Type-specific settings, e.g. {\"url\": \"https://…\"} for a webhook.")
                    ),
                    ("hidden", InputSchema.boolean("Hide it in dashboards.").defaulting(to: false)),
                ], required: ["workspace", "type", "name", "metadata"])
        ) { arguments in
            ClientRequest(
                "POST", "/connections",
                body: body(arguments, ["workspace", "type", "name", "metadata", "hidden"], defaults: ["hidden": false]))
        },
        MeshesOperation(
            "meshes_update_connection", "Replace a connection's name and metadata (send ******** to keep a stored secret).", update,
            input: object(
                [
                    ("connection_id", id("connection")), ("name", .string("Name.", minLength: 1, maxLength: 128)),
                    ("metadata", .anyObject(maxProperties: nil, description: "Type-specific settings.")),
                    ("hidden", .boolean("Hide it in dashboards.")),
                ], required: ["connection_id", "name", "metadata"])
        ) { arguments in
            ClientRequest(
                "PUT", "/connections/" + arguments.segment("connection_id"), body: body(arguments, ["name", "metadata", "hidden"]))
        },
        MeshesOperation(
            "meshes_delete_connection",
            "Delete a connection; with force_delete its rules go too and their pending deliveries are canceled.",
            delete,
            input: object(
                [
                    ("connection_id", id("connection")),
                    ("force_delete", InputSchema.boolean("Also delete its rules.").defaulting(to: false)),
                ], required: ["connection_id"])
        ) { arguments in
            ClientRequest(
                "DELETE", "/connections/" + arguments.segment("connection_id"),
                body: arguments["force_delete"]?.boolValue == true ? ["force_delete": true] : nil)
        },
        MeshesOperation(
            "meshes_get_connection_actions", "Get a connection's live action data (lists, tags, … from the integration).", read,
            input: object([("connection_id", id("connection"))], required: ["connection_id"])
        ) { arguments in ClientRequest("GET", "/connections/\(arguments.segment("connection_id"))/actions") },
        MeshesOperation(
            "meshes_get_connection_fields", "Get the fields a connection's integration accepts (refresh rebuilds the catalog).", read,
            input: object(
                [("connection_id", id("connection")), ("refresh", InputSchema.boolean("Rebuild the catalog.").defaulting(to: false))],
                required: ["connection_id"])
        ) { arguments in
            ClientRequest(
                "GET", "/connections/\(arguments.segment("connection_id"))/fields",
                query: arguments["refresh"]?.boolValue == true ? [("refresh", "true")] : [])
        },
        MeshesOperation(
            "meshes_get_connection_default_mappings", "Get a connection's default field mapping (stored, or generated from its catalog).",
            read, input: object([("connection_id", id("connection"))], required: ["connection_id"])
        ) { arguments in ClientRequest("GET", "/connections/\(arguments.segment("connection_id"))/mappings/default") },
        MeshesOperation(
            "meshes_update_connection_default_mappings",
            "Store a new version of a connection's default mapping (expected_version guards against concurrent edits).", update,
            input: object(
                [
                    ("connection_id", id("connection")), ("workspace_id", id("workspace")), ("mapping_id", id("mapping")),
                    ("expected_version", .integer("The version you read.", minimum: 1)),
                    ("name", .string("Mapping name.", minLength: 1, maxLength: 64)), ("schema", mappingSchema),
                ], required: ["connection_id", "schema"])
        ) { arguments in
            ClientRequest(
                "PUT", "/connections/\(arguments.segment("connection_id"))/mappings/default",
                body: body(arguments, ["workspace_id", "mapping_id", "expected_version", "name", "schema"]))
        },
        MeshesOperation("meshes_list_integrations", "List the integration types, their actions and settings.", read, input: object([])) {
            _ in ClientRequest("GET", "/integrations")
        },
    ]

    // MARK: Rules (19-22)

    static let rules: [MeshesOperation] = [
        MeshesOperation(
            "meshes_list_rules", "List every rule of the organization, optionally only those for one event or resource.", read,
            input: object([("event", .string("Event key.")), ("resource", .string("Resource.")), ("resource_id", .string("Resource id."))])
        ) { arguments in ClientRequest("GET", "/rules", query: arguments.query(["event", "resource", "resource_id"])) },
        MeshesOperation(
            "meshes_get_rule", "Get one rule.", read, input: object([("rule_id", id("rule"))], required: ["rule_id"])
        ) { arguments in ClientRequest("GET", "/rules/" + arguments.segment("rule_id")) },
        MeshesOperation(
            "meshes_create_rule",
            "Route an event to a connection: every matching event (and resource) is delivered through the connection's action.", create,
            input: object(
                [
                    ("workspace", id("workspace")), ("connection", id("connection")),
                    ("event", .string("Event key to match exactly, e.g. user.signup.", minLength: 1)),
                    ("action", .string("The connection's action, e.g. send_webhook or send_message.", minLength: 1)),
                    ("resource", .string("Only events with this resource.")),
                    ("resource_id", .string("Only events with this resource id.", pattern: resourcePattern)),
                    ("active", InputSchema.boolean("Deliver matching events.").defaulting(to: true)),
                    ("hidden", InputSchema.boolean("Hide it in dashboards.").defaulting(to: false)),
                    ("metadata_extra", .map(.string(), description: "More string metadata (id, subject, template, …).")),
                ], required: ["workspace", "connection", "event", "action"])
        ) { arguments in
            var metadata: JSONObject = ["action": .string(arguments.string("action"))]
            for (key, value) in arguments["metadata_extra"]?.objectValue ?? [:] where key != "action" { metadata[key] = value }
            var request = body(arguments, ["workspace", "connection", "event"]).objectValue ?? [:]
            request["metadata"] = .object(metadata)
            for (key, value) in body(
                arguments, ["resource", "resource_id", "active", "hidden"], defaults: ["active": true, "hidden": false]
            )
            .objectValue ?? [:] {
                request[key] = value
            }
            return ClientRequest("POST", "/rules", body: .object(request))
        },
        MeshesOperation(
            "meshes_delete_rule", "Delete a rule; its deliveries not yet finished are canceled.", delete,
            input: object([("rule_id", id("rule"))], required: ["rule_id"])
        ) { arguments in ClientRequest("DELETE", "/rules/" + arguments.segment("rule_id")) },
    ]

    // MARK: Events (23-29)

    static let eventItem = object(
        [
            ("workspace", id("workspace")), ("event", .string("Event key, e.g. user.signup.", minLength: 1)),
            ("payload", .anyObject(maxProperties: nil, description: "Event data: a JSON object with at least one non-empty value.")),
            ("resource", .string("Resource (default global).")), ("resource_id", .string("Resource id.")),
        ], required: ["workspace", "event", "payload"])

    static let events: [MeshesOperation] = [
        MeshesOperation(
            "meshes_emit_event", "Emit one event; it is routed to every matching rule of the workspace.", create, input: eventItem,
            preamble: { arguments, body in
                let event = body["event"]
                let id = event?["id"]?.stringValue ?? ""
                let name = event?["event"]?.stringValue ?? arguments.string("event")
                let workspace = event?["workspace"]?.stringValue ?? arguments.string("workspace")
                return
                    "Event emitted successfully. ID: \(id)\nEvent \"\(name)\" will be routed to all matching rules in workspace \(workspace).\n\n"
            }
        ) { arguments in
            ClientRequest("POST", "/events", body: body(arguments, ["workspace", "event", "payload", "resource", "resource_id"]))
        },
        MeshesOperation(
            "meshes_emit_bulk_events", "Emit 1-100 events at once; each is accepted or rejected on its own (207 lists both).", create,
            input: object([("events", .array(eventItem, minItems: 1, maxItems: 100, "The events, 1-100."))], required: ["events"])
        ) { arguments in
            let items = (arguments["events"]?.arrayValue ?? []).map { item in
                body(Arguments(item.objectValue ?? [:]), ["workspace", "event", "payload", "resource", "resource_id"])
            }
            return ClientRequest("POST", "/events/bulk", body: .array(items))
        },
        MeshesOperation(
            "meshes_list_events", "List the organization's events, newest first, with their deliveries.", read,
            input: object([("limit", limit), ("cursor", .string("next_cursor of the previous page."))])
        ) { arguments in ClientRequest("GET", "/events", query: listQuery(arguments, ["limit", "cursor"])) },
        MeshesOperation(
            "meshes_get_workspace_events", "List a workspace's events, newest first, filtered by event, status or resource.", read,
            input: object(
                [
                    ("workspace_id", id("workspace")), ("limit", limit), ("cursor", .string("next_cursor of the previous page.")),
                    ("event", .string("Event key.")), ("status", .oneOf(statuses, "Event status.")), ("resource", .string("Resource.")),
                    ("resource_id", .string("Resource id.")),
                ], required: ["workspace_id"])
        ) { arguments in
            ClientRequest(
                "GET", "/workspaces/\(arguments.segment("workspace_id"))/events",
                query: listQuery(arguments, ["limit", "cursor", "event", "status", "resource", "resource_id"]))
        },
        MeshesOperation(
            "meshes_get_event", "Get one event with its deliveries (rule events).", read,
            input: object([("event_id", id("event"))], required: ["event_id"])
        ) { arguments in ClientRequest("GET", "/events/" + arguments.segment("event_id")) },
        MeshesOperation(
            "meshes_get_event_payload", "Get one event with its deliveries and its payload.", read,
            input: object([("event_id", id("event"))], required: ["event_id"])
        ) { arguments in ClientRequest("GET", "/events/\(arguments.segment("event_id"))/payload") },
        MeshesOperation(
            "meshes_retry_event_rule",
            "Run one manual delivery attempt of an event to one rule now (rule_id is rule_events[].rule); answers the delivery after it.",
            create,
            input: object([("event_id", id("event")), ("rule_id", id("rule"))], required: ["event_id", "rule_id"])
        ) { arguments in
            ClientRequest("POST", "/events/\(arguments.segment("event_id"))/rules/\(arguments.segment("rule_id"))/retry")
        },
    ]

    // MARK: Sessions (30-33)

    static let sessions: [MeshesOperation] = [
        MeshesOperation(
            "meshes_create_session", "Create an embedded-dashboard session: an access token and a single-use launch URL.", create,
            input: object(
                [
                    ("workspace_id", id("workspace")),
                    ("role", InputSchema.oneOf(["member", "admin", "owner"], "What the session may change.").defaulting(to: "member")),
                    ("session_type", InputSchema.oneOf(["workspace", "resource", "dashboard"], "Scope.").defaulting(to: "workspace")),
                    ("external_user_id", .string("Your user's id.", maxLength: 255)),
                    ("ttl_seconds", InputSchema.integer("Access token lifetime.", minimum: 300, maximum: 3600).defaulting(to: 1800)),
                    ("launch_ttl_seconds", InputSchema.integer("Launch token lifetime.", minimum: 15, maximum: 60).defaulting(to: 30)),
                    (
                        "launch_page",
                        InputSchema.oneOf(["dashboard", "connections", "rules", "events"], "First page shown.").defaulting(to: "dashboard")
                    ),
                    ("resource", .string("Resource (resource sessions).", minLength: 1)),
                    ("resource_id", .string("Resource id (resource sessions).", minLength: 1)),
                    ("allowed_origins", .array(.url("An http(s) origin."), maxItems: 10, "Origins that may embed the dashboard.")),
                    ("scopes", .array(.oneOf(["events.payload:read"]), maxItems: 20, "Extra permissions.")),
                ], required: ["workspace_id"])
        ) { arguments in
            ClientRequest(
                "POST", "/sessions",
                body: body(
                    arguments,
                    [
                        "workspace_id", "role", "session_type", "external_user_id", "ttl_seconds", "launch_ttl_seconds", "launch_page",
                        "resource", "resource_id", "allowed_origins", "scopes",
                    ],
                    defaults: [
                        "role": "member", "session_type": "workspace", "ttl_seconds": 1800, "launch_ttl_seconds": 30,
                        "launch_page": "dashboard",
                    ]))
        },
        MeshesOperation(
            "meshes_list_sessions", "List a workspace's sessions, newest first.", read,
            input: object(
                [
                    ("workspace_id", id("workspace")), ("limit", limit),
                    ("cursor", .string("next_cursor of the previous page.", pattern: "[A-Za-z0-9_-]+")),
                    ("status", .oneOf(["active", "revoked"], "Session status.")), ("resource", .string("Resource.")),
                    ("resource_id", .string("Resource id.")),
                ], required: ["workspace_id"])
        ) { arguments in
            ClientRequest(
                "GET", "/sessions", query: listQuery(arguments, ["workspace_id", "limit", "cursor", "status", "resource", "resource_id"]))
        },
        MeshesOperation(
            "meshes_refresh_session", "Give a session a new access token (until 24 h after it was created).", create,
            input: object([("session_id", .string("Session id (ses_…).", minLength: 1))], required: ["session_id"])
        ) { arguments in ClientRequest("POST", "/sessions/\(arguments.segment("session_id"))/refresh") },
        MeshesOperation(
            "meshes_revoke_session", "Revoke a session: its tokens stop working.", delete,
            input: object([("session_id", .string("Session id (ses_…).", minLength: 1))], required: ["session_id"])
        ) { arguments in ClientRequest("DELETE", "/sessions/" + arguments.segment("session_id")) },
    ]
}
