import Foundation
import MeshesClient
import MeshesMCP
import SharedCore
import SharedMCP
import Synchronization
import Testing

/// A client that records each request and answers with a canned response (or fails).
final class StubClient: MeshesClient {
    let answer: @Sendable (ClientRequest) throws(ClientFailure) -> ClientResponse
    let sent = Mutex<[ClientRequest]>([])
    var mode: String { "stub" }

    init(_ answer: @escaping @Sendable (ClientRequest) throws(ClientFailure) -> ClientResponse) { self.answer = answer }

    convenience init(status: Int = 200, body: String = "{}") {
        self.init { _ in ClientResponse(status: status, headers: [], body: Array(body.utf8)) }
    }

    func send(_ request: ClientRequest) async throws(ClientFailure) -> ClientResponse {
        sent.withLock { $0.append(request) }
        return try answer(request)
    }

    func close() async {}

    /// `METHOD path?query body` of every request sent.
    var lines: [String] {
        sent.withLock { requests in
            requests.map { request in
                let query = request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
                let body = request.body.map { " " + JSONEmitter.compact($0) } ?? ""
                return "\(request.method) \(request.path)\(query.isEmpty ? "" : "?" + query)\(body)"
            }
        }
    }
}

@Suite struct ToolTableTests {
    /// Spec §7: the 33 names in order, with readOnly / destructive / idempotent.
    static let expected: [(String, String)] = [
        ("meshes_list_workspaces", "TFT"), ("meshes_get_workspace", "TFT"), ("meshes_create_workspace", "FFF"),
        ("meshes_update_workspace", "FFT"), ("meshes_get_workspace_connections", "TFT"), ("meshes_get_workspace_event_types", "TFT"),
        ("meshes_get_workspace_resources", "TFT"), ("meshes_get_workspace_rules", "TFT"), ("meshes_list_connections", "TFT"),
        ("meshes_get_connection", "TFT"), ("meshes_create_connection", "FFF"), ("meshes_update_connection", "FFT"),
        ("meshes_delete_connection", "FTF"), ("meshes_get_connection_actions", "TFT"), ("meshes_get_connection_fields", "TFT"),
        ("meshes_get_connection_default_mappings", "TFT"), ("meshes_update_connection_default_mappings", "FFT"),
        ("meshes_list_integrations", "TFT"), ("meshes_list_rules", "TFT"), ("meshes_get_rule", "TFT"), ("meshes_create_rule", "FFF"),
        ("meshes_delete_rule", "FTF"), ("meshes_emit_event", "FFF"), ("meshes_emit_bulk_events", "FFF"), ("meshes_list_events", "TFT"),
        ("meshes_get_workspace_events", "TFT"), ("meshes_get_event", "TFT"), ("meshes_get_event_payload", "TFT"),
        ("meshes_retry_event_rule", "FFF"), ("meshes_create_session", "FFF"), ("meshes_list_sessions", "TFT"),
        ("meshes_refresh_session", "FFF"), ("meshes_revoke_session", "FTF"),
    ]

    @Test func theThirtyThreeToolsWithTheirHints() {
        let definition = MeshesMCPServer.definition(client: StubClient())
        #expect(definition.name == "meshes")
        #expect(definition.tools.map(\.name) == Self.expected.map(\.0))
        for (tool, (_, flags)) in zip(definition.tools, Self.expected) {
            let hints = [tool.hints.readOnly, tool.hints.destructive, tool.hints.idempotent].map { $0 ? "T" : "F" }.joined()
            #expect(hints == flags, "\(tool.name)")
            #expect(tool.hints.openWorld, "\(tool.name)")
        }
    }

    static func property(_ tool: String, _ name: String) -> JSONValue? {
        MeshesOperations.named(tool)?.input.json["properties"]?[name]
    }

    @Test func schemasCarryTheSpecsLimitsEnumsAndDefaults() {
        #expect(
            Self.property("meshes_create_workspace", "name") == [
                "type": "string", "description": "Workspace name.", "minLength": 3, "maxLength": 50,
            ])
        #expect(Self.property("meshes_create_workspace", "description")?["maxLength"] == 1024)
        #expect(Self.property("meshes_get_workspace", "workspace_id")?["format"] == "uuid")
        #expect(Self.property("meshes_create_connection", "type")?["enum"]?.arrayValue?.count == 15)
        #expect(Self.property("meshes_create_connection", "name")?["maxLength"] == 128)
        #expect(Self.property("meshes_create_connection", "hidden")?["default"] == false)
        #expect(Self.property("meshes_delete_connection", "force_delete")?["default"] == false)
        #expect(Self.property("meshes_create_rule", "active")?["default"] == true)
        #expect(Self.property("meshes_create_rule", "resource_id")?["pattern"] == "^(?:[A-Za-z0-9._:-]{1,64})$")
        #expect(Self.property("meshes_create_rule", "metadata_extra")?["additionalProperties"] == ["type": "string"])
        #expect(Self.property("meshes_emit_bulk_events", "events")?["minItems"] == 1)
        #expect(Self.property("meshes_emit_bulk_events", "events")?["maxItems"] == 100)
        #expect(
            Self.property("meshes_list_events", "limit") == [
                "type": "integer", "description": "Records per page (1-200).", "minimum": 1, "maximum": 200, "default": 50,
            ])
        #expect(
            Self.property("meshes_get_workspace_events", "status")?["enum"] == [
                "pending", "processing", "retrying", "completed", "failed", "canceled",
            ])
        #expect(Self.property("meshes_create_session", "ttl_seconds")?["default"] == 1800)
        #expect(Self.property("meshes_create_session", "launch_ttl_seconds")?["minimum"] == 15)
        #expect(Self.property("meshes_create_session", "allowed_origins")?["maxItems"] == 10)
        #expect(Self.property("meshes_create_session", "scopes")?["maxItems"] == 20)
        #expect(Self.property("meshes_list_sessions", "cursor")?["pattern"] == "^(?:[A-Za-z0-9_-]+)$")
        #expect(Self.property("meshes_update_connection_default_mappings", "expected_version")?["minimum"] == 1)
        #expect(Self.property("meshes_update_connection_default_mappings", "schema")?["properties"]?["fields"]?["maxItems"] == 250)
        #expect(MeshesOperations.named("meshes_update_workspace")?.input.json["required"] == ["workspace_id", "name"])
    }
}

@Suite struct OperationRequestTests {
    static func perform(_ tool: String, _ arguments: JSONObject, stub: StubClient = StubClient()) async -> (OperationResult, [String]) {
        let result = await MeshesOperations.named(tool)!.perform(arguments, client: stub)
        return (result, stub.lines)
    }

    static let id = "0b7c9a52-6f0e-4d8b-9b57-3a1e2c4d5f60"

    @Test func argumentsBecomeExactRequests() async {
        let id = Self.id
        var lines: [String] = []
        for (tool, arguments) in [
            ("meshes_list_events", [:]),
            ("meshes_list_events", ["limit": 5, "cursor": "abc"]),
            ("meshes_get_workspace_events", ["workspace_id": .string(id), "status": "failed", "resource_id": "r1", "event": .null]),
            ("meshes_get_workspace_rules", ["workspace_id": .string(id), "resource": "plan"]),
            ("meshes_get_connection_fields", ["connection_id": .string(id), "refresh": false]),
            ("meshes_get_connection_fields", ["connection_id": .string(id), "refresh": true]),
            ("meshes_delete_connection", ["connection_id": .string(id)]),
            ("meshes_delete_connection", ["connection_id": .string(id), "force_delete": true]),
            ("meshes_update_workspace", ["workspace_id": .string(id), "name": "Renamed", "description": .null]),
            ("meshes_update_workspace", ["workspace_id": .string(id), "name": "Renamed"]),
            (
                "meshes_create_connection",
                ["workspace": .string(id), "type": "webhook", "name": "h", "metadata": ["url": "https://x.example"]]
            ),
            (
                "meshes_create_rule",
                [
                    "workspace": .string(id), "connection": .string(id), "event": "user.signup", "action": "send_webhook",
                    "metadata_extra": ["id": "7", "action": "other"], "resource_id": "pro",
                ]
            ),
            ("meshes_create_session", ["workspace_id": .string(id), "scopes": ["events.payload:read"]]),
            ("meshes_list_sessions", ["workspace_id": .string(id), "status": "revoked"]),
            ("meshes_refresh_session", ["session_id": "ses/../x"]),
            ("meshes_emit_bulk_events", ["events": [["workspace": .string(id), "event": "a", "payload": ["k": 1], "resource": "r"]]]),
            ("meshes_retry_event_rule", ["event_id": .string(id), "rule_id": .string(id)]),
        ] as [(String, JSONObject)] {
            let (result, sent) = await Self.perform(tool, arguments)
            #expect(!result.isError, "\(tool): \(result.text)")
            lines += sent
        }
        #expect(
            lines == [
                "GET /events?limit=50",
                "GET /events?limit=5&cursor=abc",
                "GET /workspaces/\(id)/events?limit=50&status=failed&resource_id=r1",
                "GET /workspaces/\(id)/rules?resource=plan",
                "GET /connections/\(id)/fields",
                "GET /connections/\(id)/fields?refresh=true",
                "DELETE /connections/\(id)",
                #"DELETE /connections/\#(id) {"force_delete":true}"#,
                #"PUT /workspaces/\#(id) {"name":"Renamed","description":null}"#,
                #"PUT /workspaces/\#(id) {"name":"Renamed"}"#,
                #"POST /connections {"workspace":"\#(id)","type":"webhook","name":"h","metadata":{"url":"https://x.example"},"hidden":false}"#,
                #"POST /rules {"workspace":"\#(id)","connection":"\#(id)","event":"user.signup","metadata":{"action":"send_webhook","id":"7"},"resource_id":"pro","active":true,"hidden":false}"#,
                #"POST /sessions {"workspace_id":"\#(id)","role":"member","session_type":"workspace","ttl_seconds":1800,"launch_ttl_seconds":30,"launch_page":"dashboard","scopes":["events.payload:read"]}"#,
                "GET /sessions?workspace_id=\(id)&limit=50&status=revoked",
                "POST /sessions/ses%2F..%2Fx/refresh",
                #"POST /events/bulk [{"workspace":"\#(id)","event":"a","payload":{"k":1},"resource":"r"}]"#,
                "POST /events/\(id)/rules/\(id)/retry",
            ])
    }

    @Test func invalidArgumentsAreRefusedBeforeAnythingIsSent() async {
        let stub = StubClient()
        let many = JSONValue.array(Array(repeating: ["workspace": .string(Self.id), "event": "a", "payload": ["k": 1]], count: 101))
        let (bulk, sent) = await Self.perform("meshes_emit_bulk_events", ["events": many], stub: stub)
        #expect(bulk.text == "Invalid arguments for meshes_emit_bulk_events: events: must hold at most 100 items")
        #expect(bulk.isError && bulk.status == nil && bulk.code == "invalid_arguments" && bulk.exitCode == 1)
        #expect(sent.isEmpty)
        let (rule, _) = await Self.perform("meshes_create_rule", ["workspace": "x", "event": "", "metadata_extra": ["n": 1]], stub: stub)
        #expect(
            rule.text
                == "Invalid arguments for meshes_create_rule: connection: is required; action: is required; workspace: must be a UUID; event: must be at least 1 character; metadata_extra.n: must be a string"
        )
        #expect(stub.lines.isEmpty)
    }

    @Test func answersAreRenderedAsTheSpecSays() async {
        let created = StubClient(
            status: 201, body: #"{"event":{"id":"e1","type":"event","event":"user.signup","workspace":"w1","url":"https://a/b"}}"#)
        let (emit, _) = await Self.perform(
            "meshes_emit_event", ["workspace": .string(Self.id), "event": "user.signup", "payload": ["a": 1]], stub: created)
        #expect(
            emit.text == """
                Event emitted successfully. ID: e1
                Event "user.signup" will be routed to all matching rules in workspace w1.

                {
                  "event": {
                    "id": "e1",
                    "type": "event",
                    "event": "user.signup",
                    "workspace": "w1",
                    "url": "https://a/b"
                  }
                }
                """)
        #expect(!emit.isError && emit.exitCode == 0)

        let conflict = StubClient(status: 409, body: #"{"message":"Connection has active rules","error":"connection_has_rules"}"#)
        let (refused, _) = await Self.perform("meshes_delete_connection", ["connection_id": .string(Self.id)], stub: conflict)
        #expect(refused.text == #"Meshes API 409: {"message":"Connection has active rules","error":"connection_has_rules"}"#)
        #expect(refused.code == "connection_has_rules" && refused.exitCode == 1)

        let (plain, _) = await Self.perform("meshes_list_workspaces", [:], stub: StubClient(status: 502, body: "upstream down"))
        #expect(plain.text == "Meshes API 502: upstream down" && plain.exitCode == 2)
        let (empty, _) = await Self.perform("meshes_list_workspaces", [:], stub: StubClient(status: 503, body: ""))
        #expect(empty.text == "Meshes API 503: Service Unavailable")

        let down = StubClient { _ throws(ClientFailure) in throw ClientFailure(.network, "cannot reach the Meshes API at http://x") }
        let (network, _) = await Self.perform("meshes_list_workspaces", [:], stub: down)
        #expect(network.text == "cannot reach the Meshes API at http://x" && network.isError && network.exitCode == 2)
    }

    @Test func listsPrintAsAlignedRowsWithoutJSON() async {
        let body =
            #"{"count":2,"limit":50,"next_cursor":"Y3Vy","records":[{"id":"a1","name":"Prod","created_at":"t1"},{"id":"b22","name":"Staging","created_at":"t2"}]}"#
        let (listed, _) = await Self.perform("meshes_list_workspaces", [:], stub: StubClient(status: 200, body: body))
        #expect(listed.humanText == "a1   Prod     t1\nb22  Staging  t2\nnext cursor: Y3Vy")
        let (none, _) = await Self.perform(
            "meshes_list_workspaces", [:], stub: StubClient(status: 200, body: #"{"count":0,"limit":50,"next_cursor":null,"records":[]}"#))
        #expect(none.humanText == "(none)")
    }
}
