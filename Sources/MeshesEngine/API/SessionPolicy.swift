internal import MeshesCore

/// What a session may do (§4.3): the route-level check of an endpoint's `Access` (declared in
/// `Endpoint.all`), and the entity-level check of the workspace and resource a request touches.
enum SessionPolicy {
    /// Route-level check against the endpoint's access: role, `dashboard` read-only, `resource` sessions kept
    /// off connection and owner routes, the endpoint's scope.
    static func authorize(_ grant: SessionGrant, access: Access, method: String) throws(APIError) {
        guard let minimum = access.sessionRole else {
            throw APIError.forbidden("Sessions cannot call this route")
        }
        if grant.type == .dashboard && method != "GET" { throw APIError.forbidden("Dashboard sessions are read-only") }
        if grant.type == .resource && access.refusesResourceSessions {
            throw APIError.forbidden("Resource sessions cannot call this route")
        }
        guard grant.role >= minimum else { throw APIError.forbidden("This route needs the \(minimum.rawValue) role") }
        if let scope = access.sessionScope, !grant.scopes.contains(scope) {
            throw APIError.forbidden("Reading payloads needs the \(scope) scope")
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
