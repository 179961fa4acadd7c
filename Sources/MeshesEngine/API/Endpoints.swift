internal import MeshesCore

/// Who may call an endpoint (§4): the credentials it accepts and the least session role.
struct Access: Sendable {
    /// Publishable keys are accepted, and browsers get CORS (the two ingest routes, §4.2).
    var publishable = false
    /// The least role a session needs; nil: sessions are refused.
    var sessionRole: SessionInput.Role?
    /// Resource sessions are refused (connection routes, and every owner route).
    var refusesResourceSessions = false
    /// A scope a session needs besides its role.
    var sessionScope: String?

    /// Machine tokens (and embedded callers) only.
    static let machine = Access()
    /// Machine tokens and publishable keys.
    static let ingest = Access(publishable: true)
    /// Machine tokens and sessions of at least this role.
    static let member = Access(sessionRole: .member)
    static let admin = Access(sessionRole: .admin)
    static let owner = Access(sessionRole: .owner, refusesResourceSessions: true)

    /// The same, with resource sessions refused.
    var connectionRoute: Access {
        var copy = self
        copy.refusesResourceSessions = true
        return copy
    }

    /// The same, with a scope sessions must hold.
    func scope(_ scope: String) -> Access {
        var copy = self
        copy.sessionScope = scope
        return copy
    }
}

/// A request matched to an endpoint: its path parameters in order, and the caller.
struct EndpointCall: Sendable {
    let request: APIRequest
    let caller: Principal
    let parameters: [String]

    /// The first path parameter (the id of the resource the path names).
    var id: String { parameters[0] }
    /// The rule id of `/events/{id}/rules/{rule}/…`.
    var ruleID: String { parameters[1] }
    /// The attempt id of `/events/{id}/rules/{rule}/attempts/{attempt}…`.
    var attemptID: String { parameters[2] }
}

/// One route of the REST API v1: method, path, access and handler, declared together in `Endpoint.all`.
struct Endpoint: Sendable {
    /// What answers a matched request.
    enum Handler: Sendable {
        /// No credentials are asked (`/healthz`; the launch token is the credential of `/sessions/launch`).
        case open(@Sendable (MeshesAPI, APIRequest) async throws(APIError) -> APIResponse)
        /// The caller is authenticated and authorised by `access` first.
        case authenticated(@Sendable (MeshesAPI, EndpointCall) async throws(APIError) -> APIResponse)
    }

    /// A path segment: a literal, a UUID (matched case-insensitively, passed lowercased), or any non-empty token.
    enum Segment: Sendable, Equatable {
        case literal(String)
        case uuid
        case token
    }

    let method: String
    let path: String
    let segments: [Segment]
    let access: Access
    let handler: Handler

    /// An authenticated endpoint. `path` spells parameters as `{name}`; `{session}` is any token, every
    /// other parameter a UUID.
    init(
        _ method: String, _ path: String, _ access: Access,
        _ handler: @escaping @Sendable (MeshesAPI, EndpointCall) async throws(APIError) -> APIResponse
    ) {
        self.init(method, path, access, handler: .authenticated(handler))
    }

    /// An endpoint that asks no credentials.
    static func open(
        _ method: String, _ path: String, _ handler: @escaping @Sendable (MeshesAPI, APIRequest) async throws(APIError) -> APIResponse
    ) -> Endpoint {
        Endpoint(method, path, .machine, handler: .open(handler))
    }

    private init(_ method: String, _ path: String, _ access: Access, handler: Handler) {
        self.method = method
        self.path = path
        self.access = access
        self.handler = handler
        segments = path.split(separator: "/").map { part in
            if part == "{session}" { return .token }
            if part.hasPrefix("{") { return .uuid }
            return .literal(String(part))
        }
    }

    /// Every route (§3), in the spec's order.
    static let all: [Endpoint] = [
        .open("GET", "/healthz") { (api, _) throws(APIError) in api.health() },

        // Workspaces
        Endpoint("GET", "/api/v1/workspaces", .machine) { (api, call) throws(APIError) in try await api.listWorkspaces(call) },
        Endpoint("POST", "/api/v1/workspaces", .machine) { (api, call) throws(APIError) in try await api.createWorkspace(call) },
        Endpoint("GET", "/api/v1/workspaces/{id}", .member) { (api, call) throws(APIError) in try await api.getWorkspace(call) },
        Endpoint("PUT", "/api/v1/workspaces/{id}", .owner) { (api, call) throws(APIError) in try await api.updateWorkspace(call) },
        Endpoint("GET", "/api/v1/workspaces/{id}/connections", Access.member.connectionRoute) { (api, call) throws(APIError) in
            try await api.listWorkspaceConnections(call)
        },
        Endpoint("GET", "/api/v1/workspaces/{id}/event-types", .member) { (api, call) throws(APIError) in
            try await api.workspaceCatalog(call, kind: .eventType)
        },
        Endpoint("GET", "/api/v1/workspaces/{id}/resources", .member) { (api, call) throws(APIError) in
            try await api.workspaceCatalog(call, kind: .resource)
        },
        Endpoint("GET", "/api/v1/workspaces/{id}/rules", .member) { (api, call) throws(APIError) in
            try await api.listRules(call, workspace: call.id)
        },
        Endpoint("GET", "/api/v1/workspaces/{id}/events", .member) { (api, call) throws(APIError) in try await api.listWorkspaceEvents(call)
        },

        // Connections
        Endpoint("GET", "/api/v1/connections", Access.machine.connectionRoute) { (api, call) throws(APIError) in
            try await api.listConnections(call)
        },
        Endpoint("POST", "/api/v1/connections", Access.owner.connectionRoute) { (api, call) throws(APIError) in
            try await api.createConnection(call)
        },
        Endpoint("GET", "/api/v1/connections/{id}", Access.member.connectionRoute) { (api, call) throws(APIError) in
            try await api.getConnection(call)
        },
        Endpoint("PUT", "/api/v1/connections/{id}", Access.owner.connectionRoute) { (api, call) throws(APIError) in
            try await api.updateConnection(call)
        },
        Endpoint("DELETE", "/api/v1/connections/{id}", Access.owner.connectionRoute) { (api, call) throws(APIError) in
            try await api.deleteConnection(call)
        },
        Endpoint("GET", "/api/v1/connections/{id}/actions", Access.member.connectionRoute) { (api, call) throws(APIError) in
            try await api.actionData(call)
        },
        Endpoint("GET", "/api/v1/connections/{id}/fields", Access.member.connectionRoute) { (api, call) throws(APIError) in
            try await api.fieldCatalog(call)
        },
        Endpoint("GET", "/api/v1/connections/{id}/mappings/default", Access.member.connectionRoute) { (api, call) throws(APIError) in
            try await api.getDefaultMapping(call)
        },
        Endpoint("PUT", "/api/v1/connections/{id}/mappings/default", Access.admin.connectionRoute) { (api, call) throws(APIError) in
            try await api.putDefaultMapping(call)
        },
        Endpoint("GET", "/api/v1/integrations", .member) { (api, _) throws(APIError) in try api.integrations() },

        // Rules
        Endpoint("GET", "/api/v1/rules", .machine) { (api, call) throws(APIError) in try await api.listRules(call, workspace: nil) },
        Endpoint("POST", "/api/v1/rules", .admin) { (api, call) throws(APIError) in try await api.createRule(call) },
        Endpoint("GET", "/api/v1/rules/{id}", .member) { (api, call) throws(APIError) in try await api.getRule(call) },
        Endpoint("DELETE", "/api/v1/rules/{id}", .admin) { (api, call) throws(APIError) in try await api.deleteRule(call) },

        // Events
        Endpoint("GET", "/api/v1/events", .machine) { (api, call) throws(APIError) in try await api.listEvents(call) },
        Endpoint("POST", "/api/v1/events", .ingest) { (api, call) throws(APIError) in try await api.ingestOne(call) },
        Endpoint("POST", "/api/v1/events/bulk", .ingest) { (api, call) throws(APIError) in try await api.ingestBulk(call) },
        Endpoint("GET", "/api/v1/events/{id}", .member) { (api, call) throws(APIError) in try await api.getEvent(call) },
        Endpoint("GET", "/api/v1/events/{id}/payload", Access.member.scope(SessionValidator.payloadReadScope)) {
            (api, call) throws(APIError) in
            try await api.getEventPayload(call)
        },
        Endpoint("POST", "/api/v1/events/{id}/cancel", .admin) { (api, call) throws(APIError) in try await api.cancelEvent(call) },
        Endpoint("POST", "/api/v1/events/{id}/rules/{rule}/retry", .admin) { (api, call) throws(APIError) in try await api.retry(call) },
        Endpoint("POST", "/api/v1/events/{id}/rules/{rule}/cancel", .admin) { (api, call) throws(APIError) in
            try await api.cancelRuleEvent(call)
        },
        Endpoint("GET", "/api/v1/events/{id}/rules/{rule}/attempts", .member) { (api, call) throws(APIError) in
            try await api.listAttempts(call)
        },
        Endpoint("GET", "/api/v1/events/{id}/rules/{rule}/attempts/{attempt}", .member) { (api, call) throws(APIError) in
            try await api.getAttempt(call, responseDetails: false)
        },
        Endpoint("GET", "/api/v1/events/{id}/rules/{rule}/attempts/{attempt}/response-details", .admin) { (api, call) throws(APIError) in
            try await api.getAttempt(call, responseDetails: true)
        },

        // Sessions
        Endpoint("GET", "/api/v1/sessions", .machine) { (api, call) throws(APIError) in try await api.listSessions(call) },
        Endpoint("POST", "/api/v1/sessions", .machine) { (api, call) throws(APIError) in try await api.createSession(call) },
        .open("POST", "/api/v1/sessions/launch") { (api, request) throws(APIError) in try await api.launchSession(request) },
        Endpoint("POST", "/api/v1/sessions/{session}/refresh", .machine) { (api, call) throws(APIError) in
            try await api.refreshSession(call)
        },
        Endpoint("DELETE", "/api/v1/sessions/{session}", .machine) { (api, call) throws(APIError) in try await api.revokeSession(call) },
    ]

    /// What a request path and method resolve to.
    enum Match: Sendable {
        case found(Endpoint, parameters: [String])
        /// The path exists but not with this method: the endpoints it has (their methods go in `Allow`).
        case methodNotAllowed([Endpoint])
        case notFound
    }

    /// Resolves a path (trailing slashes ignored) and method. Where a literal and a parameter both match a
    /// segment (`/sessions/launch`), the literal wins.
    static func match(path: String, method: String) -> Match {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var best: [(endpoint: Endpoint, parameters: [String])] = []
        var bestLiterals = -1
        for endpoint in all where endpoint.segments.count == parts.count {
            guard let (parameters, literals) = endpoint.bind(parts) else { continue }
            if literals > bestLiterals {
                best = []
                bestLiterals = literals
            }
            if literals == bestLiterals { best.append((endpoint, parameters)) }
        }
        guard !best.isEmpty else { return .notFound }
        guard let hit = best.first(where: { $0.endpoint.method == method }) else {
            return .methodNotAllowed(best.map(\.endpoint))
        }
        return .found(hit.endpoint, parameters: hit.parameters)
    }

    /// The path parameters and the number of literal segments when `parts` fits this endpoint.
    private func bind(_ parts: ArraySlice<Substring>) -> (parameters: [String], literals: Int)? {
        var parameters: [String] = []
        var literals = 0
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard part == text else { return nil }
                literals += 1
            case .uuid:
                let text = String(part)
                guard Formats.isUUID(text) else { return nil }
                parameters.append(text.lowercased())
            case .token:
                guard !part.isEmpty else { return nil }
                parameters.append(String(part))
            }
        }
        return (parameters, literals)
    }
}
