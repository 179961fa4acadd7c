internal import Foundation
public import MeshesEngine
public import SharedCore

/// One call of the REST API v1, relative to `/api/v1` (e.g. `GET /workspaces?limit=5`).
public struct ClientRequest: Sendable {
    public var method: String
    /// Path below `/api/v1`, starting with `/`.
    public var path: String
    public var query: [(name: String, value: String)]
    public var body: JSONValue?
    /// The body already encoded as JSON, sent as is instead of `body` (the backfill builds its batches this way).
    public var encodedBody: [UInt8]?
    /// Extra headers (e.g. `Idempotency-Key`); the client's own headers cannot be overridden (§4.1).
    public var headers: [(name: String, value: String)]

    public init(
        _ method: String, _ path: String, query: [(name: String, value: String)] = [], body: JSONValue? = nil,
        headers: [(name: String, value: String)] = [], encodedBody: [UInt8]? = nil
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.body = body
        self.headers = headers
        self.encodedBody = encodedBody
    }
}

extension ClientRequest {
    /// `POST /events` for one event (`meshes emit`).
    public static func emit(workspace: String, event: String, payload: JSONValue, resource: String?, resourceID: String?) -> ClientRequest {
        var body = JSONObject()
        body["workspace"] = .string(workspace)
        body["event"] = .string(event)
        body["payload"] = payload
        if let resource { body["resource"] = .string(resource) }
        if let resourceID { body["resource_id"] = .string(resourceID) }
        return ClientRequest("POST", "/events", body: .object(body))
    }
}

extension ClientSelection {
    /// The message for a selection that cannot make a client, nil otherwise (§1).
    public var problem: String? {
        switch self {
        case .incomplete(let missing):
            return "remote mode needs MESHES_ACCESS_KEY, MESHES_SECRET_KEY and MESHES_ORG_ID; missing: "
                + missing.joined(separator: ", ") + " (unset all three to use the local store)"
        case .invalid(let reason): return "Failed to initialize Meshes API client: \(reason)"
        default: return nil
        }
    }
}

/// An answer: status, headers and body bytes exactly as the API sent them.
public struct ClientResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var json: JSONValue? { try? JSONParser.parse(bytes: body) }

    /// `Meshes API <status>: <detail>` for an error answer (§7): the detail is the compact JSON of the error
    /// body, else the body's text, else the status's reason phrase.
    public var errorDescription: String {
        let detail: String
        if let json {
            detail = JSONEmitter.compact(json)
        } else if let text = String(validating: body, as: UTF8.self), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            detail = text
        } else {
            detail = Self.reasonPhrase(status)
        }
        return "Meshes API \(status): \(detail)"
    }

    /// The standard reason phrase of an HTTP status.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Entity"
        case 425: "Too Early"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "HTTP \(status)"
        }
    }
}

/// Why a call produced no answer at all.
public struct ClientFailure: Error, Sendable, Equatable {
    public enum Kind: String, Sendable { case configuration, network, timeout }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// The engine as a client sees it: the same requests and answers whether it runs in this process (embedded) or
/// behind a Meshes-compatible HTTP API (remote). CLI verbs, `meshes mcp` and `meshes backfill` all go through it.
public protocol MeshesClient: Sendable {
    /// `embedded` or `remote`.
    var mode: String { get }
    func send(_ request: ClientRequest) async throws(ClientFailure) -> ClientResponse
    /// Releases what the client holds (the HTTP connection pool).
    func close() async
}

/// The in-process router `meshes serve` uses, called without a socket as the store's default org: status and
/// body are identical to what the server answers.
public struct EmbeddedClient: MeshesClient {
    public let api: MeshesAPI
    public let orgID: String
    public var mode: String { "embedded" }

    public init(api: MeshesAPI, orgID: String) {
        self.api = api
        self.orgID = orgID
    }

    public func send(_ request: ClientRequest) async throws(ClientFailure) -> ClientResponse {
        let body = request.encodedBody ?? request.body.map { Array(JSONEmitter.compact($0).utf8) } ?? []
        let apiRequest = APIRequest(
            method: request.method, path: "/api/v1" + request.path, query: request.query, headers: request.headers, body: body)
        let response = await api.handle(apiRequest, as: .embedded(orgID: orgID))
        return ClientResponse(status: response.status, headers: response.headers, body: response.body)
    }

    public func close() async {}
}
