internal import Foundation
internal import MeshesCore
internal import SharedCore

/// The REST API v1 (§3) as a transport-neutral router: `meshes serve` feeds it HTTP requests, embedded
/// callers call `handle(_:as:)` directly and get byte-identical answers.
public final class MeshesAPI: Sendable {
    /// Server settings that change behaviour (§1 flags).
    public struct Options: Sendable {
        /// `--allow-http`: permit `http://` destination URLs.
        public var allowHTTP = false
        /// `--ingest-rate`: events per second per org (nil = unlimited).
        public var ingestRate: Double?
        /// `--public-url`, the base of `launch_url`.
        public var publicURL = "http://127.0.0.1:8787"
        /// Largest accepted request body.
        public var maximumBodyBytes = 27 * 1024 * 1024
        /// Maximum JSON nesting depth of a request body.
        public var maximumJSONDepth = 64
        /// Unix seconds (tests pin it).
        public var nowSeconds: @Sendable () -> Int = { Int(Clock.now()) }
        /// The clock of the rate limiters, in fractional seconds (tests pin it).
        public var limiterClock: @Sendable () -> Double = { Clock.now() }
        /// This process's delivery engine: woken by every ingest, and running manual retries. Without one
        /// (`--no-delivery`, `MESHES_DELIVERY=off`) events wait for a process that delivers, and manual
        /// retries answer 503.
        public var delivery: (any DeliveryControl)?
        /// Outbound GETs of `GET /connections/{id}/actions` (§6.4); without one that route answers 409
        /// `unavailable` for connections with a `base_url`.
        public var adapterHTTP: (any AdapterHTTPClient)?

        public init() {}
    }

    /// The engine version reported by `/healthz`.
    public static let version = "0.1.0"
    /// Manual retries per org per minute (§5.6).
    static let manualRetriesPerMinute = 60.0

    let store: any MeshesStore
    let options: Options
    let authenticator: Authenticator
    let ingestLimiter: RateLimiter?

    public init(store: any MeshesStore, options: Options = Options()) {
        self.store = store
        self.options = options
        authenticator = Authenticator(store: store, nowSeconds: options.nowSeconds)
        ingestLimiter = options.ingestRate.map { RateLimiter(perSecond: $0, burst: 2 * $0) }
    }

    /// Answers one request. With `principal` the request is trusted (embedded mode); otherwise it is
    /// authenticated from its headers.
    public func handle(_ request: APIRequest, as principal: Principal? = nil) async -> APIResponse {
        let endpoint: Endpoint
        let parameters: [String]
        switch RequestTimings.measure(.route, { Endpoint.match(path: request.path, method: request.method) }) {
        case .notFound:
            return .error(APIError.notFound("Route"))
        case .methodNotAllowed(let endpoints):
            if request.method == "OPTIONS", endpoints.contains(where: \.access.publishable) { return preflight() }
            return .error(
                APIError(
                    status: 405, code: "method_not_allowed", message: "Method not allowed",
                    headers: [("Allow", endpoints.map(\.method).joined(separator: ", "))]))
        case .found(let found, let values):
            endpoint = found
            parameters = values
        }
        if let trace = RequestTimings.current { trace.matched("\(endpoint.method) \(endpoint.path)") }
        do throws(APIError) {
            let handler: @Sendable (MeshesAPI, EndpointCall) async throws(APIError) -> APIResponse
            switch endpoint.handler {
            case .open(let open): return try await open(self, request)
            case .authenticated(let authenticated): handler = authenticated
            }
            let caller: Principal
            if let principal {
                caller = principal
            } else {
                caller = try await RequestTimings.measure(.auth) { () async throws(APIError) in
                    try await authenticator.authenticate(request, acceptsPublishableKey: endpoint.access.publishable)
                }
            }
            if case .publishable = caller, !endpoint.access.publishable { throw APIError.unauthorized }
            if let grant = caller.grant { try SessionPolicy.authorize(grant, access: endpoint.access, method: request.method) }
            if request.body.count > options.maximumBodyBytes {
                throw APIError(
                    status: 413, code: "invalid_request", message: "request body is larger than \(options.maximumBodyBytes) bytes")
            }
            let call = EndpointCall(request: request, caller: caller, parameters: parameters)
            var response = try await RequestTimings.measure(.handler) { () async throws(APIError) in try await handler(self, call) }
            if endpoint.access.publishable && request.header("origin") != nil {
                response.headers.append(("Access-Control-Allow-Origin", "*"))
            }
            return response
        } catch {
            return .error(error)
        }
    }

    /// `GET /healthz`.
    func health() -> APIResponse {
        .json(200, ["status": "ok", "version": .string(MeshesAPI.version)])
    }

    /// CORS preflight of the two ingest routes (§4.2).
    private func preflight() -> APIResponse {
        APIResponse(
            status: 204,
            headers: [
                ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "POST, OPTIONS"),
                ("Access-Control-Allow-Headers", "Content-Type, X-Meshes-Publishable-Key, X-Meshes-Client, Idempotency-Key"),
                ("Access-Control-Max-Age", "600"),
            ])
    }

    // MARK: - Helpers

    /// Runs a store call, mapping store failures onto API errors.
    func run<T: Sendable>(_ work: () async throws -> T) async throws(APIError) -> T {
        do {
            return try await work()
        } catch let error as APIError {
            throw error
        } catch StoreError.unsealFailed {
            throw APIError.internalError("a sealed secret cannot be opened (master key)")
        } catch {
            throw APIError(status: 503, code: "unavailable", message: "The store is unavailable")
        }
    }

    func body(_ request: APIRequest) throws(APIError) -> JSONValue {
        guard !request.body.isEmpty else { throw APIError.invalidJSON("request body is empty; expected JSON") }
        do {
            return try JSONParser.parse(bytes: request.body, maxDepth: options.maximumJSONDepth)
        } catch {
            throw APIError.invalidJSON("request body is not valid JSON (line \(error.line), column \(error.column))")
        }
    }

    func page(_ request: APIRequest) throws(APIError) -> PageRequest {
        var page = PageRequest()
        if let text = request.queryValue("limit") {
            guard let limit = Int(text), PageRequest.limitRange.contains(limit) else {
                throw APIError.invalidRequest("limit must be an integer between 1 and 200", field: "limit")
            }
            page.limit = limit
        }
        if let text = request.queryValue("cursor"), !text.isEmpty {
            guard let cursor = Cursor(encoded: text) else {
                throw APIError(status: 400, code: "invalid_cursor", message: "cursor is not valid")
            }
            page.after = cursor
        }
        return page
    }

    /// The workspace of the caller's org, or 404.
    func ownedWorkspace(_ id: String, caller: Principal) async throws(APIError) -> Workspace {
        guard let workspace = try await run({ try await store.workspace(orgID: caller.orgID, id: id) }) else {
            throw APIError.notFound("Workspace")
        }
        if let grant = caller.grant { try SessionPolicy.check(grant, workspace: workspace.id) }
        return workspace
    }

    func ownedConnection(_ id: String, caller: Principal) async throws(APIError) -> Connection {
        guard let connection = try await run({ try await store.connection(orgID: caller.orgID, id: id) }) else {
            throw APIError.notFound("Connection")
        }
        if let grant = caller.grant { try SessionPolicy.check(grant, workspace: connection.workspaceID) }
        return connection
    }

    func ownedEvent(_ id: String, caller: Principal, payload: Bool = false) async throws(APIError) -> Event {
        guard let event = try await run({ try await store.event(orgID: caller.orgID, id: id, includePayload: payload) }) else {
            throw APIError.notFound("Event")
        }
        if let grant = caller.grant {
            try SessionPolicy.check(
                grant, workspace: event.workspaceID, resource: .some(event.resource), resourceID: .some(event.resourceID))
        }
        return event
    }

    /// `ownedEvent`, written as JSON by the store.
    func ownedRenderedEvent(_ id: String, caller: Principal, payload: Bool) async throws(APIError) -> [UInt8] {
        guard let event = try await run({ try await store.renderedEvent(orgID: caller.orgID, id: id, includePayload: payload) }) else {
            throw APIError.notFound("Event")
        }
        if let grant = caller.grant {
            try SessionPolicy.check(
                grant, workspace: event.workspaceID, resource: .some(event.resource), resourceID: .some(event.resourceID))
        }
        return event.json
    }

    func ruleFilter(_ request: APIRequest, caller: Principal) -> RuleFilter {
        var filter = RuleFilter(
            event: request.queryValue("event"), resource: request.queryValue("resource"), resourceID: request.queryValue("resource_id"))
        if let grant = caller.grant, grant.type == .resource {
            filter.resource = grant.resource
            filter.resourceID = grant.resourceID
        }
        return filter
    }

    func eventFilter(_ request: APIRequest, caller: Principal) throws(APIError) -> EventFilter {
        var filter = EventFilter(
            event: request.queryValue("event"), resource: request.queryValue("resource"), resourceID: request.queryValue("resource_id"))
        if let grant = caller.grant, grant.type == .resource {
            filter.resource = grant.resource
            filter.resourceID = grant.resourceID
        }
        if let status = request.queryValue("status") {
            guard let parsed = DeliveryStatus(rawValue: status) else {
                throw APIError.invalidRequest(
                    "status must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))", field: "status")
            }
            filter.status = parsed
        }
        return filter
    }
}
