import Foundation
import Hummingbird
import Logging
import MeshesClient
import MeshesCore
import MeshesEngine
import NIOCore
import SharedCore
import TestSupport
import Testing

/// Captures the requests it gets and answers `{"ok":true}`.
actor Captured {
    var requests: [(target: String, headers: [String: String])] = []
    func add(_ target: String, _ headers: [String: String]) { requests.append((target, headers)) }
}

struct CaptureResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let captured: Captured

    func respond(to request: Request, context: Context) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.rawName.lowercased(), default: ""] += field.value }
        await captured.add(request.uri.description, headers)
        return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
    }
}

@Suite struct ClientConfigurationTests {
    @Test func baseURLsAreNormalised() {
        #expect(RemoteClient.baseURL("https://api.meshes.io") == "https://api.meshes.io/api/v1")
        #expect(RemoteClient.baseURL("https://api.meshes.io///") == "https://api.meshes.io/api/v1")
        #expect(RemoteClient.baseURL("http://127.0.0.1:8787/api/v1/") == "http://127.0.0.1:8787/api/v1")
        #expect(RemoteClient.baseURL("https://example.com/proxy/api/v2") == "https://example.com/proxy/api/v2")
        #expect(RemoteClient.baseURL("https://example.com/api/vx") == "https://example.com/api/vx/api/v1")
        #expect(RemoteClient.baseURL("ftp://example.com") == nil)
        #expect(RemoteClient.baseURL("not a url") == nil)
    }

    @Test func theCredentialVariablesChooseTheMode() {
        let access = "mk_TestAccessKey0123456789ab"
        let secret = "c2VjcmV0LWZvci10ZXN0LXZlY3Rvci1vbmx5LTAxMjM0NTY"
        let org = "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b"
        #expect(ClientSelection.from(environment: [:]) == .embedded)
        #expect(
            ClientSelection.from(environment: ["MESHES_ACCESS_KEY": access])
                == .incomplete(missing: ["MESHES_SECRET_KEY", "MESHES_ORG_ID"]))
        #expect(
            ClientSelection.from(environment: ["MESHES_ACCESS_KEY": "nope", "MESHES_SECRET_KEY": secret, "MESHES_ORG_ID": org])
                == .invalid("MESHES_ACCESS_KEY is not a machine access key (mk_…)"))
        #expect(
            ClientSelection.from(environment: [
                "MESHES_ACCESS_KEY": access, "MESHES_SECRET_KEY": secret, "MESHES_ORG_ID": org, "MESHES_TIMEOUT_MS": "50",
            ]) == .invalid("MESHES_TIMEOUT_MS must be an integer from 1000 to 30000"))
        #expect(
            ClientSelection.from(environment: [
                "MESHES_ACCESS_KEY": access, "MESHES_SECRET_KEY": secret, "MESHES_ORGANIZATION_ID": org.uppercased(),
                "MESHES_API_URL": "http://127.0.0.1:9/",
            ])
                == .remote(
                    RemoteClient.Configuration(
                        accessKey: access, secret: secret, orgID: org, baseURL: "http://127.0.0.1:9/api/v1", timeoutMilliseconds: 5000)))
    }

    @Test func everyRequestCarriesAFreshTokenAndTheClientHeaders() async throws {
        let captured = Captured()
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "capture")
        logger.logLevel = .critical
        let app = Application(
            responder: CaptureResponder(captured: captured), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.run() }
        defer { server.cancel() }
        var ports = stream.makeAsyncIterator()
        let port = try #require(await ports.next())
        // Conformance case C1: the token minted at the pinned clock, byte for byte.
        let client = RemoteClient(
            RemoteClient.Configuration(
                accessKey: "mk_TestAccessKey0123456789ab", secret: "c2VjcmV0LWZvci10ZXN0LXZlY3Rvci1vbmx5LTAxMjM0NTY",
                orgID: "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b", baseURL: "http://127.0.0.1:\(port)/api/v1"),
            clock: { 1_767_225_600 })
        let response = try await client.send(
            ClientRequest(
                "post", "/events", query: [("limit", "5"), ("cursor", "a b")], body: ["x": 1],
                headers: [("Idempotency-Key", "k-1"), ("Authorization", "Bearer forged"), ("User-Agent", "forged")]))
        await client.close()
        #expect(response.status == 200)
        #expect(response.json == ["ok": true])
        let request = try #require(await captured.requests.first)
        #expect(request.target == "/api/v1/events?limit=5&cursor=a%20b")
        #expect(
            request.headers["authorization"]
                == "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Im1rX1Rlc3RBY2Nlc3NLZXkwMTIzNDU2Nzg5YWIifQ.eyJpc3MiOiJ1cm46bWVzaGVzOm0ybTpta19UZXN0QWNjZXNzS2V5MDEyMzQ1Njc4OWFiIiwiYXVkIjoibWVzaGVzLWFwaSIsIm9yZyI6IjNmMmE2YzFlLThiNGQtNGU2Zi05YTFiLTJjM2Q0ZTVmNmE3YiIsImlhdCI6MTc2NzIyNTYwMCwiZXhwIjoxNzY3MjI1NjMwfQ.8CbjmM1KZxX9ssSaBpgtVL_cKX4zBw_O4Bz71Wgk6HE"
        )
        #expect(request.headers["x-meshes-client"] == "Meshes Swift Client v\(MeshesAPI.version)")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["accept"] == "application/json")
        #expect(request.headers["idempotency-key"] == "k-1")
        #expect(request.headers["user-agent"] != "forged")
    }

    @Test func aServerThatIsDownGivesAClearError() async throws {
        let client = RemoteClient(
            RemoteClient.Configuration(
                accessKey: "mk_TestAccessKey0123456789ab", secret: "c2VjcmV0LWZvci10ZXN0LXZlY3Rvci1vbmx5LTAxMjM0NTY",
                orgID: "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b", baseURL: "http://127.0.0.1:1/api/v1", timeoutMilliseconds: 1000))
        do {
            _ = try await client.send(ClientRequest("GET", "/workspaces"))
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == .timeout || error.kind == .network)
            #expect(error.message.contains("http://127.0.0.1:1/api/v1"))
        }
        await client.close()
    }
}

/// One scenario, run against the embedded engine and against `meshes serve` on loopback: same statuses, same
/// shapes, same errors.
@Suite(.serialized) struct ClientParityTests {
    static var binary: String { MeshesProcess.binary }

    /// The scenario's answers with volatile values (ids, times, keys) replaced, for comparison across modes.
    static func scenario(_ client: any MeshesClient) async throws -> [String] {
        var log: [String] = []
        func call(_ request: ClientRequest) async throws -> JSONValue? {
            let response = try await client.send(request)
            let path = request.path.split(separator: "/").map { Formats.isUUID(String($0)) ? "{id}" : String($0) }.joined(separator: "/")
            log.append("\(request.method) \(path) -> \(response.status) \(shape(response.json ?? .null))")
            if response.status >= 400 { log.append(response.errorDescription) }
            return response.json
        }
        let workspace = try #require(
            try await call(ClientRequest("POST", "/workspaces", body: ["name": "Parity"]))?["workspace"]?["id"]?.stringValue)
        let connection = try #require(
            try await call(
                ClientRequest(
                    "POST", "/connections",
                    body: [
                        "workspace": .string(workspace), "type": "webhook", "name": "hook", "metadata": ["url": "https://example.com/h"],
                    ]))?[
                    "connection"]?["id"]?.stringValue)
        _ = try await call(
            ClientRequest(
                "POST", "/rules",
                body: [
                    "workspace": .string(workspace), "connection": .string(connection), "event": "user.signup",
                    "metadata": ["action": "send_webhook"],
                ]))
        let emit = ClientRequest(
            "POST", "/events", body: ["workspace": .string(workspace), "event": "user.signup", "payload": ["email": "ada@example.com"]],
            headers: [("Idempotency-Key", "parity-1")])
        let first = try await client.send(emit)
        let replay = try await client.send(emit)
        log.append(
            "emit twice -> \(first.status) \(replay.status) same body: \(first.body == replay.body) replayed: \(replay.headers.contains { $0.name.lowercased() == "idempotent-replayed" && $0.value == "true" })"
        )
        let eventID = try #require(first.json?["event"]?["id"]?.stringValue)
        _ = try await call(ClientRequest("GET", "/events/\(eventID)"))
        _ = try await call(ClientRequest("GET", "/workspaces/\(workspace)/events", query: [("limit", "1")]))
        _ = try await call(ClientRequest("GET", "/events/00000000-0000-4000-8000-000000000000"))
        _ = try await call(ClientRequest("GET", "/workspaces", query: [("limit", "0")]))
        return log
    }

    /// Keys and value kinds of a JSON value, with ids and timestamps reduced to their kind.
    static func shape(_ value: JSONValue) -> String {
        switch value {
        case .object(let object):
            // Who created a record differs by mode (the embedded caller is `system`, a remote one its key).
            return "{" + object.map { "\($0.key):\($0.key == "created_by" ? "actor" : shape($0.value))" }.joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map(shape).joined(separator: ",") + "]"
        case .string(let text):
            if Formats.isUUID(text) { return "uuid" }
            if DateText.isRFC3339(text) { return "time" }
            if text.hasPrefix("mk_") || text.hasPrefix("pk_") { return "key" }
            return text.count > 40 ? "text" : "\"\(text)\""
        default: return JSONEmitter.compact(value)
        }
    }

    @Test func embeddedAndRemoteAnswerAlike() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-client-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/embedded", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/remote", withIntermediateDirectories: true)

        let store = try MeshesEngine.openStore(path: folder + "/embedded/meshes.db", environment: [:])
        let embedded = try await Self.scenario(EmbeddedClient(api: MeshesAPI(store: store), orgID: store.defaultOrg.id))

        let created = try await MeshesProcess.createKey(in: folder + "/remote")
        let (server, port) = try MeshesProcess.serve(in: folder + "/remote")
        defer { if server.isRunning { server.terminate() } }
        let selection = ClientSelection.from(environment: [
            "MESHES_ACCESS_KEY": created["access_key"]?.stringValue ?? "", "MESHES_SECRET_KEY": created["secret_key"]?.stringValue ?? "",
            "MESHES_ORG_ID": created["org_id"]?.stringValue ?? "", "MESHES_API_URL": "http://127.0.0.1:\(port)",
        ])
        guard case .remote(let configuration) = selection else {
            Issue.record("expected remote credentials, got \(selection)")
            return
        }
        let client = RemoteClient(configuration)
        let remote = try await Self.scenario(client)
        let workspace = try #require(
            try await client.send(ClientRequest("GET", "/workspaces")).json?["records"]?.arrayValue?.first?["id"]?.stringValue)
        await client.close()

        // `meshes emit` picks the same mode from the same variables.
        @Sendable func emit(_ environment: [String: String]) throws -> (Int32, String, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = ["emit", "--workspace", workspace, "order.paid", "--payload", #"{"total":42}"#, "--db", "unused.db"]
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.environment = environment
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, stdout, stderr)
        }
        let credentials = [
            "MESHES_ACCESS_KEY": configuration.accessKey, "MESHES_SECRET_KEY": configuration.secret, "MESHES_ORG_ID": configuration.orgID,
            "MESHES_API_URL": "http://127.0.0.1:\(port)",
        ]
        let sent = try await offPool { try emit(credentials) }
        #expect(sent.0 == 0, "\(sent.2)")
        #expect(try JSONParser.parse(sent.1)["event"]?["event"]?.stringValue == "order.paid")
        #expect(!FileManager.default.fileExists(atPath: folder + "/unused.db"))
        let partial = try await offPool { try emit(["MESHES_ACCESS_KEY": configuration.accessKey]) }
        #expect(partial.0 == 2)
        #expect(partial.2.contains("missing: MESHES_SECRET_KEY, MESHES_ORG_ID"))
        var malformed = credentials
        malformed["MESHES_ORG_ID"] = "not-a-uuid"
        let refused = try await offPool { [malformed] in try emit(malformed) }
        #expect(refused.0 == 2)
        #expect(refused.2 == "error: Failed to initialize Meshes API client: MESHES_ORG_ID is not an organization UUID\n")
        var wrong = credentials
        wrong["MESHES_SECRET_KEY"] = String(configuration.secret.reversed())
        let unauthorized = try await offPool { [wrong] in try emit(wrong) }
        #expect(unauthorized.0 == 1)
        #expect(unauthorized.2.hasPrefix("error: Meshes API 401: "))
        #expect(embedded == remote)
        #expect(embedded.contains("emit twice -> 201 201 same body: true replayed: true"))
        #expect(embedded.contains { $0.hasPrefix("Meshes API 404: ") })
        #expect(embedded.contains { $0.hasPrefix("Meshes API 400: ") })
    }
}
