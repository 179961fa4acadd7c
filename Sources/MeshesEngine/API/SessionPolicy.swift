internal import MeshesCore

/// Which routes a session may call and with which role (§4.3 and the S marks of §3).
enum SessionPolicy {
    /// The minimum role for `route` + `method`, or nil when sessions may never call it.
    static func minimumRole(_ route: Route, _ method: String) -> SessionInput.Role? {
        switch (route, method) {
        case (.workspace, "GET"), (.workspaceConnections, _), (.workspaceEventTypes, _), (.workspaceResources, _),
            (.workspaceRules, _), (.workspaceEvents, _), (.connection, "GET"), (.connectionActions, _), (.connectionFields, _),
            (.connectionMapping, "GET"), (.integrations, _), (.rule, "GET"), (.event, _), (.eventPayload, _), (.attempts, _),
            (.attempt, _):
            return .member
        case (.connectionMapping, "PUT"), (.rules, "POST"), (.rule, "DELETE"), (.ruleEventRetry, _), (.ruleEventCancel, _),
            (.eventCancel, _), (.attemptResponse, _):
            return .admin
        case (.workspace, "PUT"), (.connections, "POST"), (.connection, "PUT"), (.connection, "DELETE"):
            return .owner
        default:
            return nil
        }
    }

    static func isConnectionRoute(_ route: Route) -> Bool {
        switch route {
        case .workspaceConnections, .connections, .connection, .connectionActions, .connectionFields, .connectionMapping: return true
        default: return false
        }
    }

    /// Route-level check: role, `dashboard` read-only, `resource` sessions kept off connection and owner routes,
    /// the payload scope.
    static func authorize(_ grant: SessionGrant, route: Route, method: String) throws(APIError) {
        guard let minimum = minimumRole(route, method) else {
            throw APIError.forbidden("Sessions cannot call this route")
        }
        if grant.type == .dashboard && method != "GET" { throw APIError.forbidden("Dashboard sessions are read-only") }
        if grant.type == .resource && (isConnectionRoute(route) || minimum == .owner) {
            throw APIError.forbidden("Resource sessions cannot call this route")
        }
        guard grant.role >= minimum else { throw APIError.forbidden("This route needs the \(minimum.rawValue) role") }
        if case .eventPayload = route, !grant.scopes.contains(SessionValidator.payloadReadScope) {
            throw APIError.forbidden("Reading payloads needs the events.payload:read scope")
        }
    }

    /// Entity-level check: the session's workspace, and for `resource` sessions its resource pair.
    static func check(_ grant: SessionGrant, workspace: String, resource: String?? = nil, resourceID: String?? = nil) throws(APIError) {
        guard workspace == grant.workspaceID else { throw APIError.forbidden("The session cannot access another workspace") }
        guard grant.type == .resource, let resource, let resourceID else { return }
        guard resource == grant.resource && resourceID == grant.resourceID else {
            throw APIError.forbidden("The session is limited to resource \(grant.resource ?? "")/\(grant.resourceID ?? "")")
        }
    }
}
