internal import MeshesCore
internal import SharedCore

extension MeshesAPI {
    /// A session may be refreshed until this long after it was created (§2.8).
    static let sessionMaximumAge: Int64 = 24 * 3600 * 1000

    /// `DELETE /sessions/{session}`.
    func revokeSession(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (org, id) = (call.caller.orgID, call.id)
        let revoked = try await run { try await store.revokeSession(orgID: org, id: id) }
        return .json(200, ["revoked": .bool(revoked)])
    }

    private var nowMilliseconds: Int64 { Int64(options.nowSeconds()) * 1000 }

    private func signingKey() async throws(APIError) -> [UInt8] {
        try await run { try await Authenticator.sessionSigningKey(store) }
    }

    private func accessToken(_ session: SessionRecord, issuedAt: Int64, expiresAt: Int64) async throws(APIError) -> String {
        let claims = SessionJWT.Claims(
            sessionID: session.sessionID, orgID: session.orgID, workspaceID: session.workspaceID, role: session.role,
            sessionType: session.sessionType, resource: session.resource, resourceID: session.resourceID, scopes: session.scopes,
            issuedAt: Int(issuedAt / 1000), expiresAt: Int(expiresAt / 1000))
        return SessionJWT.mint(claims, keyNumber: 1, signingKey: try await signingKey())
    }

    /// `{session_id, access_token, expires_in, expires_at, workspace_id, role, session_type, resource?, resource_id?}`.
    private func tokenJSON(_ session: SessionRecord, token: String, now: Int64) -> JSONObject {
        var object = JSONObject()
        object["session_id"] = .string(session.sessionID)
        object["access_token"] = .string(token)
        object["expires_in"] = .int(Int((session.expiresAt - now) / 1000))
        object["expires_at"] = iso(session.expiresAt)
        object["workspace_id"] = .string(session.workspaceID)
        object["role"] = .string(session.role)
        object["session_type"] = .string(session.sessionType)
        if let resource = session.resource { object["resource"] = .string(resource) }
        if let resourceID = session.resourceID { object["resource_id"] = .string(resourceID) }
        return object
    }

    func createSession(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (request, caller) = (call.request, call.caller)
        let input = try SessionValidator.validateCreate(try body(request))
        _ = try await ownedWorkspace(input.workspaceID, caller: caller)
        let now = nowMilliseconds
        let session = SessionRecord(
            sessionID: KeyFormats.generateSessionID(), orgID: caller.orgID, workspaceID: input.workspaceID,
            role: input.role.rawValue, sessionType: input.sessionType.rawValue, externalUserID: input.externalUserID,
            resource: input.resource, resourceID: input.resourceID, ttlSeconds: input.ttlSeconds,
            launchPage: input.launchPage.rawValue, allowedOrigins: input.allowedOrigins, scopes: input.scopes, status: "active",
            createdAt: now, expiresAt: now + Int64(input.ttlSeconds) * 1000)
        let launchToken = KeyFormats.generateLaunchToken()
        let launchExpiresAt = now + Int64(input.launchTTLSeconds) * 1000
        try await run {
            try await store.createSession(session, launchTokenHash: SHA256.hex(launchToken), launchExpiresAt: launchExpiresAt)
        }
        var object = tokenJSON(session, token: try await accessToken(session, issuedAt: now, expiresAt: session.expiresAt), now: now)
        object["launch_token"] = .string(launchToken)
        object["launch_expires_at"] = iso(launchExpiresAt)
        var base = options.publicURL
        while base.hasSuffix("/") { base.removeLast() }
        object["launch_url"] = .string("\(base)/embed/\(session.launchPage)?launch_token=\(launchToken)")
        return .json(200, .object(object))
    }

    func listSessions(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (request, caller) = (call.request, call.caller)
        guard let workspaceID = request.queryValue("workspace_id"), Formats.isUUID(workspaceID) else {
            throw APIError.invalidRequest("workspace_id is required and must be a UUID", field: "workspace_id")
        }
        let page = try page(request)
        var filter = SessionFilter(resource: request.queryValue("resource"), resourceID: request.queryValue("resource_id"))
        if let status = request.queryValue("status") {
            guard status == "active" || status == "revoked" else {
                throw APIError.invalidRequest("status must be active or revoked", field: "status")
            }
            filter.status = status
        }
        _ = try await ownedWorkspace(workspaceID.lowercased(), caller: caller)
        let now = nowMilliseconds
        let found = try await run {
            try await store.listSessions(orgID: caller.orgID, workspaceID: workspaceID.lowercased(), filter: filter, page: page)
        }
        return .json(200, found.json { $0.json(now: now) })
    }

    func refreshSession(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (id, caller) = (call.id, call.caller)
        guard let session = try await run({ try await store.session(id: id) }), session.orgID == caller.orgID else {
            throw APIError.notFound("Session")
        }
        guard session.isActive else { throw APIError.conflict("session_revoked", "The session was revoked") }
        let now = nowMilliseconds
        let limit = session.createdAt + MeshesAPI.sessionMaximumAge
        guard now < limit else { throw APIError.conflict("session_expired", "The session can no longer be refreshed (24 h limit)") }
        let expiresAt = min(now + Int64(session.ttlSeconds) * 1000, limit)
        let updated = try await run { try await store.refreshSession(orgID: caller.orgID, id: id, expiresAt: expiresAt) }
        return .json(200, .object(tokenJSON(updated, token: try await accessToken(updated, issuedAt: now, expiresAt: expiresAt), now: now)))
    }

    /// `POST /sessions/launch` (engine extension, no auth): exchanges a single-use launch token.
    func launchSession(_ request: APIRequest) async throws(APIError) -> APIResponse {
        let value = try body(request)
        guard let token = value["launch_token"]?.stringValue, !token.isEmpty else {
            throw APIError.invalidRequest("launch_token is required", field: "launch_token")
        }
        let now = nowMilliseconds
        guard KeyFormats.isLaunchToken(token),
            let session = try await run({ try await store.consumeLaunchToken(hash: SHA256.hex(token), now: now) }),
            session.expiresAt > now
        else { throw APIError.unauthorized }
        var object = JSONObject()
        object["session_id"] = .string(session.sessionID)
        object["access_token"] = .string(try await accessToken(session, issuedAt: now, expiresAt: session.expiresAt))
        object["expires_at"] = iso(session.expiresAt)
        object["launch_page"] = .string(session.launchPage)
        return .json(200, .object(object))
    }
}
