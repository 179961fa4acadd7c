internal import Foundation
internal import Logging
internal import MeshesCore
public import MeshesEngine
internal import PostgresNIO
internal import SharedCore

extension PostgresStore {
    // MARK: - Workspaces

    static func workspace(_ row: Fields) throws -> Workspace {
        Workspace(
            id: try row["id"], orgID: try row["org_id"], name: try row["name"], description: try row["description"],
            publishableKey: try row["publishable_key"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    public func listWorkspaces(orgID: String, page: PageRequest) async throws -> Page<Workspace> {
        try await read { connection in
            try await PostgresStore.fetchPage(
                connection, logger, select: PostgresStore.filtered("SELECT * FROM workspaces", orgID: orgID, workspaceID: nil), page: page,
                map: PostgresStore.workspace, key: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    static func duplicateWorkspace(_ name: String) -> APIError {
        APIError.conflict("duplicate_name", "A workspace named '\(name)' already exists")
    }

    public func createWorkspace(orgID: String, name: String, description: String?) async throws -> Workspace {
        let now = now()
        let id = Formats.uuid()
        let workspace = Workspace(
            id: id, orgID: orgID, name: name, description: description,
            publishableKey: PublishableKey.generate(orgID: orgID, workspaceID: id).value, createdAt: now, updatedAt: now)
        let nameKey = name.lowercased()
        do {
            return try await write { connection in
                try await PostgresStore.checkWorkspaceName(connection, logger, orgID: orgID, name: name, except: nil)
                try await connection.run(
                    """
                    INSERT INTO workspaces (id, org_id, name, name_key, description, publishable_key, created_at, updated_at)
                    VALUES (\(id), \(orgID), \(name), \(nameKey), \(description), \(workspace.publishableKey), \(now), \(now))
                    """, logger)
                return workspace
            }
        } catch  where PostgresStore.uniqueViolation(error) == "workspaces_name_unique" {
            // Another node stored the same name between the check and the insert.
            throw PostgresStore.duplicateWorkspace(name)
        }
    }

    static func checkWorkspaceName(_ connection: PostgresConnection, _ logger: Logger, orgID: String, name: String, except id: String?)
        async throws
    {
        let nameKey = name.lowercased()
        if let clash: String = try await connection.one(
            "SELECT id FROM workspaces WHERE org_id = \(orgID) AND name_key = \(nameKey)", logger)?["id"], clash != id
        {
            throw duplicateWorkspace(name)
        }
    }

    public func workspace(orgID: String, id: String) async throws -> Workspace? {
        try await read { connection in
            try await connection.one("SELECT * FROM workspaces WHERE id = \(id) AND org_id = \(orgID)", logger).map(PostgresStore.workspace)
        }
    }

    public func workspace(publishableKey: String) async throws -> Workspace? {
        try await read { connection in
            try await connection.one("SELECT * FROM workspaces WHERE publishable_key = \(publishableKey)", logger).map(
                PostgresStore.workspace)
        }
    }

    public func updateWorkspace(orgID: String, id: String, name: String, description: String?) async throws -> Workspace {
        let now = now()
        let nameKey = name.lowercased()
        do {
            return try await write { connection in
                guard
                    var workspace = try await connection.one(
                        "SELECT * FROM workspaces WHERE id = \(id) AND org_id = \(orgID) FOR UPDATE", logger
                    ).map(PostgresStore.workspace)
                else { throw APIError.notFound("Workspace") }
                try await PostgresStore.checkWorkspaceName(connection, logger, orgID: orgID, name: name, except: id)
                try await connection.run(
                    """
                    UPDATE workspaces SET name = \(name), name_key = \(nameKey), description = \(description), updated_at = \(now)
                    WHERE id = \(id)
                    """, logger)
                workspace.name = name
                workspace.description = description
                workspace.updatedAt = now
                return workspace
            }
        } catch  where PostgresStore.uniqueViolation(error) == "workspaces_name_unique" {
            throw PostgresStore.duplicateWorkspace(name)
        }
    }

    // MARK: - Connections

    public func listConnections(orgID: String, workspaceID: String?, page: PageRequest) async throws -> Page<Connection> {
        try await read { connection in
            try await PostgresStore.fetchPage(
                connection, logger, select: PostgresStore.filtered("SELECT * FROM connections", orgID: orgID, workspaceID: workspaceID),
                page: page, map: PostgresStore.connectionRow, key: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// Decodes a `connections` row: metadata holds the public keys plus `__secret_keys` (names only).
    static func connectionRow(_ row: Fields) throws -> Connection {
        var metadata = try row.jsonObject("metadata")
        let secretKeys = metadata["__secret_keys"]?.stringList ?? []
        metadata["__secret_keys"] = nil
        return Connection(
            id: try row["id"], orgID: try row["org_id"], workspaceID: try row["workspace_id"], type: try row["type"], name: try row["name"],
            metadata: metadata, secretKeys: secretKeys, actionData: try row.json("action_data"), active: try row["active"],
            inactiveReason: try row["inactive_reason"], hidden: try row["hidden"], createdBy: try row["created_by"],
            createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    func storedMetadata(_ input: ConnectionDraft) -> String {
        var metadata = input.metadata
        for key in input.secrets.keys { metadata[key] = nil }
        metadata["__secret_keys"] = .strings(input.secrets.keys.sorted())
        return JSONEmitter.compact(.object(metadata))
    }

    func sealedSecrets(_ secrets: [String: String], id: String) throws -> Data? {
        guard !secrets.isEmpty else { return nil }
        var object = JSONObject()
        for key in secrets.keys.sorted() { object[key] = .string(secrets[key] ?? "") }
        return Data(try sealer.seal(Array(JSONEmitter.compact(.object(object)).utf8), recordID: id))
    }

    static func duplicateConnection(_ name: String) -> APIError {
        APIError.conflict("duplicate_name", "A connection named '\(name)' already exists in this workspace")
    }

    public func createConnection(
        orgID: String, workspaceID: String, input: ConnectionDraft, createdBy: String
    ) async throws -> Connection {
        let now = now()
        let id = Formats.uuid()
        let metadata = storedMetadata(input)
        let sealed = try sealedSecrets(input.secrets, id: id)
        do {
            return try await write { connection in
                guard try await connection.one("SELECT 1 FROM workspaces WHERE id = \(workspaceID) AND org_id = \(orgID)", logger) != nil
                else { throw APIError.notFound("Workspace") }
                try await PostgresStore.checkConnectionName(connection, logger, workspaceID: workspaceID, name: input.name, except: nil)
                try await connection.run(
                    """
                    INSERT INTO connections (id, org_id, workspace_id, type, name, metadata, secrets, active, inactive_reason,
                        hidden, created_by, created_at, updated_at)
                    VALUES (\(id), \(orgID), \(workspaceID), \(input.type), \(input.name), \(metadata), \(sealed), \(input.active),
                        \(input.inactiveReason), \(input.hidden), \(createdBy), \(now), \(now))
                    """, logger)
                guard let created = try await PostgresStore.fetchConnection(connection, logger, orgID: orgID, id: id) else {
                    throw StoreError.unavailable("the connection was not stored")
                }
                return created
            }
        } catch  where PostgresStore.uniqueViolation(error) == "connections_name_unique" {
            throw PostgresStore.duplicateConnection(input.name)
        }
    }

    static func checkConnectionName(
        _ connection: PostgresConnection, _ logger: Logger, workspaceID: String, name: String, except id: String?
    )
        async throws
    {
        if let clash: String = try await connection.one(
            "SELECT id FROM connections WHERE workspace_id = \(workspaceID) AND name = \(name)", logger)?["id"], clash != id
        {
            throw duplicateConnection(name)
        }
    }

    static func fetchConnection(_ connection: PostgresConnection, _ logger: Logger, orgID: String, id: String, lock: Bool = false)
        async throws -> Connection?
    {
        let query: PostgresQuery =
            lock
            ? "SELECT * FROM connections WHERE id = \(id) AND org_id = \(orgID) FOR UPDATE"
            : "SELECT * FROM connections WHERE id = \(id) AND org_id = \(orgID)"
        return try await connection.one(query, logger).map(PostgresStore.connectionRow)
    }

    public func connection(orgID: String, id: String) async throws -> Connection? {
        try await read { connection in try await PostgresStore.fetchConnection(connection, logger, orgID: orgID, id: id) }
    }

    public func connectionSecrets(_ connection: Connection) async throws -> [String: String] {
        let id = connection.id
        let sealed: Data? = try await read { connection in
            try await connection.one("SELECT secrets FROM connections WHERE id = \(id)", logger)?["secrets"]
        }
        guard let sealed else { return [:] }
        return try openSecrets(sealed, id: id)
    }

    /// The secret values of a connection's sealed `secrets` column.
    func openSecrets(_ sealed: Data, id: String) throws -> [String: String] {
        guard let plain = try? sealer.open(Array(sealed), recordID: id), let object = (try? JSONParser.parse(bytes: plain))?.objectValue
        else { throw StoreError.unsealFailed }
        var out: [String: String] = [:]
        for (key, value) in object { out[key] = value.stringValue }
        return out
    }

    public func updateConnection(orgID: String, id: String, input: ConnectionDraft) async throws -> Connection {
        let now = now()
        let metadata = storedMetadata(input)
        let sealed = try sealedSecrets(input.secrets, id: id)
        do {
            return try await write { connection in
                guard let existing = try await PostgresStore.fetchConnection(connection, logger, orgID: orgID, id: id, lock: true) else {
                    throw APIError.notFound("Connection")
                }
                try await PostgresStore.checkConnectionName(
                    connection, logger, workspaceID: existing.workspaceID, name: input.name, except: id)
                let reactivated = input.active && !existing.active
                try await connection.run(
                    """
                    UPDATE connections SET name = \(input.name), metadata = \(metadata), secrets = \(sealed), hidden = \(input.hidden),
                        active = \(input.active), inactive_reason = \(input.inactiveReason),
                        failure_streak = CASE WHEN \(reactivated) THEN 0 ELSE failure_streak END,
                        streak_auth_only = CASE WHEN \(reactivated) THEN TRUE ELSE streak_auth_only END, updated_at = \(now)
                    WHERE id = \(id)
                    """, logger)
                if existing.active && !input.active {
                    try await PostgresStore.failPendingWork(
                        connection, logger, connectionID: id,
                        reason: "connection_inactive:\(input.inactiveReason ?? "manually_inactivated")", now: now)
                }
                guard let updated = try await PostgresStore.fetchConnection(connection, logger, orgID: orgID, id: id) else {
                    throw APIError.notFound("Connection")
                }
                return updated
            }
        } catch  where PostgresStore.uniqueViolation(error) == "connections_name_unique" {
            throw PostgresStore.duplicateConnection(input.name)
        }
    }

    public func deleteConnection(orgID: String, id: String, force: Bool) async throws -> Connection {
        let now = now()
        return try await write { connection in
            guard let existing = try await PostgresStore.fetchConnection(connection, logger, orgID: orgID, id: id, lock: true) else {
                throw APIError.notFound("Connection")
            }
            let ruleIDs: [String] = try await connection.all("SELECT id FROM rules WHERE connection_id = \(id) ORDER BY id", logger)
                .map { try $0["id"] }
            if !ruleIDs.isEmpty && !force {
                throw APIError.conflict("connection_has_rules", "Connection has active rules")
            }
            for ruleID in ruleIDs { try await PostgresStore.cancelRuleWork(connection, logger, ruleID: ruleID, now: now) }
            try await connection.run("DELETE FROM rules WHERE connection_id = \(id)", logger)
            try await connection.run("DELETE FROM connections WHERE id = \(id)", logger)
            return existing
        }
    }

    // MARK: - Rules

    static func rule(_ row: Fields) throws -> Rule {
        Rule(
            id: try row["id"], orgID: try row["org_id"], workspaceID: try row["workspace_id"], connectionID: try row["connection_id"],
            type: try row["type"], event: try row["event"], resource: try row["resource"], resourceID: try row["resource_id"],
            metadata: try row.jsonObject("metadata"), active: try row["active"], hidden: try row["hidden"],
            createdBy: try row["created_by"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    public func listRules(orgID: String, workspaceID: String?, filter: RuleFilter, page: PageRequest) async throws -> Page<Rule> {
        try await read { connection in
            let select = PostgresStore.filtered(
                "SELECT * FROM rules", orgID: orgID, workspaceID: workspaceID,
                [("event", filter.event), ("resource", filter.resource), ("resource_id", filter.resourceID)])
            return try await PostgresStore.fetchPage(
                connection, logger, select: select, page: page, map: PostgresStore.rule, key: { Cursor(createdAt: $0.createdAt, id: $0.id) }
            )
        }
    }

    static let duplicateRule = APIError.conflict("duplicate_rule", "An identical rule already exists for this connection")

    public func createRule(orgID: String, input: RuleDraft, createdBy: String) async throws -> Rule {
        let now = now()
        let id = Formats.uuid()
        let action = input.metadata["action"]?.stringValue ?? ""
        let actionID = input.metadata["id"]?.stringValue ?? ""
        let dedup = [input.connectionID, input.event, input.resource ?? "", input.resourceID ?? "", action, actionID]
            .map { "\($0.utf8.count):\($0)" }.joined()
        let metadata = JSONEmitter.compact(.object(input.metadata))
        do {
            return try await write { connection in
                guard let owner = try await PostgresStore.fetchConnection(connection, logger, orgID: orgID, id: input.connectionID),
                    owner.workspaceID == input.workspaceID
                else { throw APIError.notFound("Connection") }
                if try await connection.one("SELECT 1 FROM rules WHERE dedup_key = \(dedup)", logger) != nil {
                    throw PostgresStore.duplicateRule
                }
                try await connection.run(
                    """
                    INSERT INTO rules (id, org_id, workspace_id, connection_id, type, event, resource, resource_id, metadata,
                        dedup_key, active, hidden, created_by, created_at, updated_at)
                    VALUES (\(id), \(orgID), \(input.workspaceID), \(input.connectionID), \(owner.type), \(input.event), \(input.resource),
                        \(input.resourceID), \(metadata), \(dedup), \(input.active), \(input.hidden), \(createdBy), \(now), \(now))
                    """, logger)
                return Rule(
                    id: id, orgID: orgID, workspaceID: input.workspaceID, connectionID: input.connectionID, type: owner.type,
                    event: input.event, resource: input.resource, resourceID: input.resourceID, metadata: input.metadata,
                    active: input.active, hidden: input.hidden, createdBy: createdBy, createdAt: now, updatedAt: now)
            }
        } catch  where PostgresStore.uniqueViolation(error) == "rules_dedup_unique" {
            throw PostgresStore.duplicateRule
        }
    }

    public func rule(orgID: String, id: String) async throws -> Rule? {
        try await read { connection in
            try await connection.one("SELECT * FROM rules WHERE id = \(id) AND org_id = \(orgID)", logger).map(PostgresStore.rule)
        }
    }

    public func deleteRule(orgID: String, id: String) async throws -> Rule {
        let now = now()
        return try await write { connection in
            guard
                let rule = try await connection.one("SELECT * FROM rules WHERE id = \(id) AND org_id = \(orgID) FOR UPDATE", logger)
                    .map(PostgresStore.rule)
            else { throw APIError.notFound("Rule") }
            try await PostgresStore.cancelRuleWork(connection, logger, ruleID: id, now: now)
            try await connection.run("DELETE FROM rules WHERE id = \(id)", logger)
            return rule
        }
    }

    // MARK: - Catalogues

    public func catalog(workspaceID: String, kind: CatalogKind) async throws -> [CatalogItem] {
        let kindName = kind.rawValue
        return try await read { connection in
            try await connection.all(
                "SELECT * FROM catalog_items WHERE workspace_id = \(workspaceID) AND kind = \(kindName) ORDER BY key COLLATE \"C\"", logger
            ).map {
                CatalogItem(
                    id: try $0["id"], key: try $0["key"], label: try $0["label"], description: try $0["description"],
                    active: try $0["active"], createdBy: try $0["created_by"], createdAt: try $0["created_at"],
                    updatedAt: try $0["updated_at"])
            }
        }
    }
}
