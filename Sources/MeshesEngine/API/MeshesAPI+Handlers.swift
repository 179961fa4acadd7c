internal import Foundation
internal import MeshesCore
internal import SharedCore

extension MeshesAPI {
    // MARK: - Workspaces

    func listWorkspaces(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let page = try page(call.request)
        let org = call.caller.orgID
        return .json(200, try await run { try await store.listWorkspaces(orgID: org, page: page) }.json(\.json))
    }

    func createWorkspace(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let input = try WorkspaceValidator.validateCreate(try body(call.request))
        let org = call.caller.orgID
        let workspace = try await run { try await store.createWorkspace(orgID: org, name: input.name, description: input.description) }
        return .json(201, ["workspace": workspace.json])
    }

    func getWorkspace(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let workspace = try await ownedWorkspace(call.id, caller: call.caller)
        return .json(200) { workspace.write(to: &$0, detail: true) }
    }

    func updateWorkspace(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let input = try WorkspaceValidator.validateUpdate(try body(call.request))
        let current = try await ownedWorkspace(call.id, caller: call.caller)
        let description = input.description.applied(to: current.description)
        let (org, id) = (call.caller.orgID, call.id)
        let updated = try await run { try await store.updateWorkspace(orgID: org, id: id, name: input.name, description: description) }
        return .json(200, updated.json)
    }

    func listWorkspaceConnections(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let page = try page(call.request)
        _ = try await ownedWorkspace(call.id, caller: call.caller)
        let (org, id) = (call.caller.orgID, call.id)
        return .json(200, try await run { try await store.listConnections(orgID: org, workspaceID: id, page: page) }.json { $0.json() })
    }

    func workspaceCatalog(_ call: EndpointCall, kind: CatalogKind) async throws(APIError) -> APIResponse {
        _ = try await ownedWorkspace(call.id, caller: call.caller)
        let id = call.id
        return .json(200, .array(try await run { try await store.catalog(workspaceID: id, kind: kind) }.map(\.json)))
    }

    func listWorkspaceEvents(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let page = try page(call.request)
        let filter = try eventFilter(call.request, caller: call.caller)
        _ = try await ownedWorkspace(call.id, caller: call.caller)
        let (org, id) = (call.caller.orgID, call.id)
        return .json(200, body: try await run { try await store.renderedEvents(orgID: org, workspaceID: id, filter: filter, page: page) })
    }

    // MARK: - Connections

    func listConnections(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let page = try page(call.request)
        let org = call.caller.orgID
        return .json(200, try await run { try await store.listConnections(orgID: org, workspaceID: nil, page: page) }.json { $0.json() })
    }

    func getConnection(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        .json(200, try await ownedConnection(call.id, caller: call.caller).json())
    }

    func deleteConnection(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        var force = false
        if !call.request.body.isEmpty {
            let value = try body(call.request)
            guard let object = value.objectValue else { throw APIError.invalidRequest("body must be an object") }
            if let flag = object["force_delete"] {
                guard let parsed = flag.boolValue else {
                    throw APIError.invalidRequest("force_delete must be a boolean", field: "force_delete")
                }
                force = parsed
            }
        }
        let (org, id) = (call.caller.orgID, call.id)
        let deleted = try await run { try await store.deleteConnection(orgID: org, id: id, force: force) }
        return .json(200, ["id": .string(deleted.id), "type": .string(deleted.type)])
    }

    func integrations() throws(APIError) -> APIResponse {
        let records = MeshesAPI.integrationRecords
        guard !records.isEmpty else { throw APIError.internalError("the integrations catalogue cannot be read") }
        return .json(200, ["count": .int(records.count), "limit": .int(records.count), "next_cursor": .null, "records": .array(records)])
    }

    // MARK: - Rules

    /// `GET /rules` (every workspace) and `GET /workspaces/{id}/rules`.
    func listRules(_ call: EndpointCall, workspace: String?) async throws(APIError) -> APIResponse {
        let page = try page(call.request)
        if let workspace { _ = try await ownedWorkspace(workspace, caller: call.caller) }
        let filter = ruleFilter(call.request, caller: call.caller)
        let org = call.caller.orgID
        return .json(
            200, try await run { try await store.listRules(orgID: org, workspaceID: workspace, filter: filter, page: page) }.json(\.json))
    }

    func createRule(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let caller = call.caller
        var input = try RuleValidator.validateCreate(try body(call.request))
        if let grant = caller.grant, grant.type == .resource {
            input.resource = grant.resource
            input.resourceID = grant.resourceID
        }
        _ = try await ownedWorkspace(input.workspace, caller: caller)
        let connection = try await ownedConnection(input.connection, caller: caller)
        guard connection.workspaceID == input.workspace else { throw APIError.notFound("Connection") }
        if let type = IntegrationType(rawValue: connection.type) { try RuleValidator.checkAction(input.action, for: type) }
        let draft = RuleDraft(
            workspaceID: input.workspace, connectionID: input.connection, event: input.event, resource: input.resource,
            resourceID: input.resourceID, metadata: input.metadata, active: input.active, hidden: input.hidden)
        let rule = try await run { try await store.createRule(orgID: caller.orgID, input: draft, createdBy: caller.createdBy) }
        return .json(201, ["rule": rule.json])
    }

    func getRule(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        .json(200, try await ownedRule(call.id, caller: call.caller).json)
    }

    func deleteRule(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        _ = try await ownedRule(call.id, caller: call.caller)
        let (org, id) = (call.caller.orgID, call.id)
        let rule = try await run { try await store.deleteRule(orgID: org, id: id) }
        var object = JSONObject()
        object["id"] = .string(rule.id)
        object["connection"] = .string(rule.connectionID)
        object["type"] = .string(rule.type)
        object["event"] = .string(rule.event)
        if let resource = rule.resource { object["resource"] = .string(resource) }
        if let resourceID = rule.resourceID { object["resource_id"] = .string(resourceID) }
        return .json(200, .object(object))
    }

    // MARK: - Events

    func listEvents(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let page = try page(call.request)
        let org = call.caller.orgID
        return .json(
            200, body: try await run { try await store.renderedEvents(orgID: org, workspaceID: nil, filter: EventFilter(), page: page) })
    }

    func getEvent(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        .json(200, body: try await ownedRenderedEvent(call.id, caller: call.caller, payload: false))
    }

    func getEventPayload(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        .json(200, body: try await ownedRenderedEvent(call.id, caller: call.caller, payload: true))
    }

    func cancelEvent(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        if call.caller.grant != nil { _ = try await ownedEvent(call.id, caller: call.caller) }
        let (org, id) = (call.caller.orgID, call.id)
        return .json(200, try await run { try await store.cancelEvent(orgID: org, id: id) }.json())
    }

    func cancelRuleEvent(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        if call.caller.grant != nil { _ = try await ownedEvent(call.id, caller: call.caller) }
        let (org, eventID, ruleID) = (call.caller.orgID, call.id, call.ruleID)
        return .json(200, try await run { try await store.cancelRuleEvent(orgID: org, eventID: eventID, ruleID: ruleID) }.json)
    }

    func listAttempts(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let page = try page(call.request)
        if call.caller.grant != nil { _ = try await ownedEvent(call.id, caller: call.caller) }
        let (org, eventID, ruleID) = (call.caller.orgID, call.id, call.ruleID)
        guard try await run({ try await store.ruleEvent(orgID: org, eventID: eventID, ruleID: ruleID) }) != nil else {
            throw APIError.notFound("Rule event")
        }
        return .json(200, try await run { try await store.attempts(orgID: org, eventID: eventID, ruleID: ruleID, page: page) }.json(\.json))
    }

    /// `GET …/attempts/{attempt}` and its `/response-details`.
    func getAttempt(_ call: EndpointCall, responseDetails: Bool) async throws(APIError) -> APIResponse {
        if call.caller.grant != nil { _ = try await ownedEvent(call.id, caller: call.caller) }
        let (org, eventID, ruleID, attemptID) = (call.caller.orgID, call.id, call.ruleID, call.attemptID)
        guard let attempt = try await run({ try await store.attempt(orgID: org, eventID: eventID, ruleID: ruleID, id: attemptID) }) else {
            throw APIError.notFound("Attempt")
        }
        return .json(200, responseDetails ? attempt.responseDetailsJSON : attempt.json)
    }

    private func ownedRule(_ id: String, caller: Principal) async throws(APIError) -> Rule {
        guard let rule = try await run({ try await store.rule(orgID: caller.orgID, id: id) }) else { throw APIError.notFound("Rule") }
        if let grant = caller.grant {
            try SessionPolicy.check(grant, workspace: rule.workspaceID, resource: .some(rule.resource), resourceID: .some(rule.resourceID))
        }
        return rule
    }

    // MARK: - Connections

    /// `metadata` plus a fresh `signing_secret` when asked, and the secrets to reveal once in the response.
    static func withSigningSecret(_ metadata: JSONObject, generate: Bool) -> (JSONObject, [String: String]) {
        guard generate else { return (metadata, [:]) }
        var metadata = metadata
        let secret = WebhookSecret.generate()
        metadata["signing_secret"] = .string(secret)
        return (metadata, ["signing_secret": secret])
    }

    func createConnection(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (request, caller) = (call.request, call.caller)
        let input = try ConnectionValidator.validateCreate(try body(request), allowHTTP: options.allowHTTP)
        _ = try await ownedWorkspace(input.workspace, caller: caller)
        let (metadata, revealed) = MeshesAPI.withSigningSecret(input.metadata, generate: input.generatesSigningSecret)
        let draft = MeshesAPI.draft(
            type: input.type, name: input.name, metadata: metadata, hidden: input.hidden, active: input.active,
            inactiveReason: input.inactiveReason)
        let connection = try await run {
            try await store.createConnection(orgID: caller.orgID, workspaceID: input.workspace, input: draft, createdBy: caller.createdBy)
        }
        return .json(201, ["connection": connection.json(revealed: revealed)])
    }

    func updateConnection(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (id, request, caller) = (call.id, call.request, call.caller)
        let value = try body(request)
        let existing = try await ownedConnection(id, caller: caller)
        guard let type = IntegrationType(rawValue: existing.type) else { throw APIError.internalError("unknown connection type") }
        let secrets = try await run { try await store.connectionSecrets(existing) }
        var stored = existing.metadata
        for (key, secret) in secrets { stored[key] = .string(secret) }
        let input = try ConnectionValidator.validateUpdate(value, type: type, storedMetadata: stored, allowHTTP: options.allowHTTP)
        let (metadata, revealed) = MeshesAPI.withSigningSecret(input.metadata, generate: input.generatesSigningSecret)
        var active = input.active ?? existing.active
        var reason: String? = existing.inactiveReason
        if let requested = input.active {
            reason = requested ? nil : "manually_inactivated"
        }
        if input.requiresOAuthReauthorization && active {
            active = false
            reason = ConnectionValidator.oauthReauthorizationRequired
        }
        let draft = MeshesAPI.draft(
            type: type, name: input.name, metadata: metadata, hidden: input.hidden ?? existing.hidden, active: active,
            inactiveReason: active ? nil : reason)
        let connection = try await run { try await store.updateConnection(orgID: caller.orgID, id: id, input: draft) }
        return .json(200, connection.json(revealed: revealed))
    }

    /// Splits validated metadata into public keys and sealed secrets.
    static func draft(
        type: IntegrationType, name: String, metadata: JSONObject, hidden: Bool, active: Bool, inactiveReason: String?
    ) -> ConnectionDraft {
        var secrets: [String: String] = [:]
        for key in ConnectionSecrets.presentSecretKeys(metadata, type: type) {
            if let value = metadata[key]?.stringValue { secrets[key] = value }
        }
        return ConnectionDraft(
            type: type.rawValue, name: name, metadata: metadata, secrets: secrets, hidden: hidden, active: active,
            inactiveReason: inactiveReason)
    }

    // MARK: - Retry (§5.6)

    func retry(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (eventID, ruleID, caller) = (call.id, call.ruleID, call.caller)
        if caller.grant != nil { _ = try await ownedEvent(eventID, caller: caller) }
        guard let ruleEvent = try await run({ try await store.ruleEvent(orgID: caller.orgID, eventID: eventID, ruleID: ruleID) }) else {
            throw APIError.notFound("Rule event")
        }
        if ruleEvent.status == .completed || ruleEvent.status == .canceled {
            throw APIError.conflict("delivery_terminal", "The delivery is already \(ruleEvent.status.rawValue)")
        }
        if let connection = try await run({ try await store.connection(orgID: caller.orgID, id: ruleEvent.connectionID) }),
            !connection.active
        {
            throw APIError.conflict("connection_inactive", "The connection is inactive")
        }
        let nowMilliseconds = Int64(options.nowSeconds()) * 1000
        if ruleEvent.status == .processing
            || (ruleEvent.status != .failed && (ruleEvent.nextAttemptAt.map { $0 - nowMilliseconds <= 10_000 } ?? false))
        {
            throw APIError(status: 425, code: "retry_too_early", message: "The delivery is due or running; try again later")
        }
        // In the database, so the limit holds for the org across every process and node sharing it.
        let perMinute = Double(MeshesAPI.manualRetriesPerMinute)
        if let wait = try await run({
            try await store.takeTokens(
                "manual-retry:" + caller.orgID, count: 1, rate: perMinute / 60, burst: perMinute, now: options.limiterClock())
        }) {
            throw APIError(
                status: 429, code: "rate_limited", message: "Too many manual retries; try again later",
                headers: [("Retry-After", String(wait))])
        }
        guard let delivery = options.delivery else {
            throw APIError(
                status: 503, code: "unavailable", message: "Delivery is turned off in this process (--no-delivery); the retry was not run")
        }
        // The checks above answer quickly; the claim checks again in its own transaction.
        switch try await run({ try await delivery.retryNow(orgID: caller.orgID, eventID: eventID, ruleID: ruleID) }) {
        case .success(let after): return .json(200, after.json)
        case .failure(.notFound): throw APIError.notFound("Rule event")
        case .failure(.terminal(let status)): throw APIError.conflict("delivery_terminal", "The delivery is already \(status.rawValue)")
        case .failure(.connectionInactive): throw APIError.conflict("connection_inactive", "The connection is inactive")
        case .failure(.tooEarly):
            throw APIError(status: 425, code: "retry_too_early", message: "The delivery is due or running; try again later")
        }
    }
}

extension MeshesAPI {
    /// `GET /integrations` records (§2.10), from the bundled catalogue.
    static var integrationRecords: [JSONValue] { (try? IntegrationCatalog.bundled())?.records ?? [] }
}
