internal import Foundation
internal import GRDB
internal import MeshesCore
internal import SharedCore

extension SQLiteStore {
    // MARK: - Workspaces

    /// The `workspaces` columns `workspace(_:)` decodes, in its order.
    static let workspaceColumns = "id, org_id, name, description, publishable_key, created_at, updated_at"

    /// Decodes a row read with `workspaceColumns`.
    static func workspace(_ row: some ColumnReader) -> Workspace {
        Workspace(
            id: row.string(0), orgID: row.string(1), name: row.string(2), description: row.optionalString(3),
            publishableKey: row.string(4), createdAt: row.int64(5), updatedAt: row.int64(6))
    }

    public func listWorkspaces(orgID: String, page: PageRequest) async throws -> Page<Workspace> {
        try await read { db in
            try SQLiteStore.fetchPage(
                db, select: "SELECT \(SQLiteStore.workspaceColumns) FROM workspaces WHERE org_id = ?", arguments: [orgID], page: page,
                map: SQLiteStore.workspace, key: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    public func createWorkspace(orgID: String, name: String, description: String?) async throws -> Workspace {
        let now = now()
        let id = Formats.uuid()
        let workspace = Workspace(
            id: id, orgID: orgID, name: name, description: description,
            publishableKey: PublishableKey.generate(orgID: orgID, workspaceID: id).value, createdAt: now, updatedAt: now)
        return try await write { db in
            try SQLiteStore.checkWorkspaceName(db, orgID: orgID, name: name, except: nil)
            try db.cachedStatement(
                sql: """
                    INSERT INTO workspaces (id, org_id, name, name_key, description, publishable_key, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [id, orgID, name, name.lowercased(), description, workspace.publishableKey, now, now])
            return workspace
        }
    }

    static func checkWorkspaceName(_ db: Database, orgID: String, name: String, except id: String?) throws {
        let clash = try String.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM workspaces WHERE org_id = ? AND name_key = ?"), arguments: [orgID, name.lowercased()])
        if let clash, clash != id {
            throw APIError.conflict("duplicate_name", "A workspace named '\(name)' already exists")
        }
    }

    public func workspace(orgID: String, id: String) async throws -> Workspace? {
        try readRaw { connection in
            var found: Workspace?
            try connection.query(
                "SELECT \(SQLiteStore.workspaceColumns) FROM workspaces WHERE id = ? AND org_id = ?", [.text(id), .text(orgID)]
            ) { found = SQLiteStore.workspace($0) }
            return found
        }
    }

    public func workspace(publishableKey: String) async throws -> Workspace? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(SQLiteStore.workspaceColumns) FROM workspaces WHERE publishable_key = ?"),
                arguments: [publishableKey]
            )
            .map(SQLiteStore.workspace)
        }
    }

    public func updateWorkspace(orgID: String, id: String, name: String, description: String?) async throws -> Workspace {
        let now = now()
        return try await write { db in
            guard
                var workspace = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT \(SQLiteStore.workspaceColumns) FROM workspaces WHERE id = ? AND org_id = ?"),
                    arguments: [id, orgID]
                ).map(SQLiteStore.workspace)
            else { throw APIError.notFound("Workspace") }
            try SQLiteStore.checkWorkspaceName(db, orgID: orgID, name: name, except: id)
            try db.cachedStatement(
                sql: "UPDATE workspaces SET name = ?, name_key = ?, description = ?, updated_at = ? WHERE id = ?"
            ).execute(arguments: [name, name.lowercased(), description, now, id])
            workspace.name = name
            workspace.description = description
            workspace.updatedAt = now
            return workspace
        }
    }

    // MARK: - Connections

    public func listConnections(orgID: String, workspaceID: String?, page: PageRequest) async throws -> Page<Connection> {
        try await read { db in
            let (condition, arguments) = SQLiteStore.filtered(orgID: orgID, workspaceID: workspaceID)
            return try SQLiteStore.fetchPage(
                db, select: "SELECT * FROM connections WHERE \(condition)", arguments: arguments, page: page,
                map: SQLiteStore.connectionRow, key: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    /// Decodes a `connections` row: metadata holds the public keys plus `__secret_keys` (names only).
    static func connectionRow(_ row: Row) -> Connection {
        var metadata = row.jsonObject("metadata")
        let secretKeys = metadata["__secret_keys"]?.stringList ?? []
        metadata["__secret_keys"] = nil
        return Connection(
            id: row["id"], orgID: row["org_id"], workspaceID: row["workspace_id"], type: row["type"], name: row["name"],
            metadata: metadata, secretKeys: secretKeys, actionData: row.json("action_data"), active: row["active"],
            inactiveReason: row["inactive_reason"], hidden: row["hidden"], createdBy: row["created_by"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
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

    public func createConnection(
        orgID: String, workspaceID: String, input: ConnectionDraft, createdBy: String
    ) async throws -> Connection {
        let now = now()
        let id = Formats.uuid()
        let metadata = storedMetadata(input)
        let sealed = try sealedSecrets(input.secrets, id: id)
        return try await write { db in
            guard
                try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT 1 FROM workspaces WHERE id = ? AND org_id = ?"), arguments: [workspaceID, orgID]) != nil
            else { throw APIError.notFound("Workspace") }
            try SQLiteStore.checkConnectionName(db, workspaceID: workspaceID, name: input.name, except: nil)
            try db.cachedStatement(
                sql: """
                    INSERT INTO connections (id, org_id, workspace_id, type, name, metadata, secrets, active, inactive_reason,
                        hidden, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                id, orgID, workspaceID, input.type, input.name, metadata, sealed, input.active, input.inactiveReason,
                input.hidden, createdBy, now, now,
            ])
            return try SQLiteStore.fetchConnection(db, orgID: orgID, id: id)!
        }
    }

    static func checkConnectionName(_ db: Database, workspaceID: String, name: String, except id: String?) throws {
        let clash = try String.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM connections WHERE workspace_id = ? AND name = ?"), arguments: [workspaceID, name])
        if let clash, clash != id {
            throw APIError.conflict("duplicate_name", "A connection named '\(name)' already exists in this workspace")
        }
    }

    static func fetchConnection(_ db: Database, orgID: String, id: String) throws -> Connection? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM connections WHERE id = ? AND org_id = ?"), arguments: [id, orgID])
            .map(SQLiteStore.connectionRow)
    }

    public func connection(orgID: String, id: String) async throws -> Connection? {
        try await read { db in try SQLiteStore.fetchConnection(db, orgID: orgID, id: id) }
    }

    public func connectionSecrets(_ connection: Connection) async throws -> [String: String] {
        let id = connection.id
        guard
            let sealed = try await read({ db in
                try Data.fetchOne(db.cachedStatement(sql: "SELECT secrets FROM connections WHERE id = ?"), arguments: [id])
            })
        else { return [:] }
        guard let plain = try? sealer.open(Array(sealed), recordID: id),
            let object = (try? JSONParser.parse(bytes: plain))?.objectValue
        else { throw StoreError.unsealFailed }
        var out: [String: String] = [:]
        for (key, value) in object { out[key] = value.stringValue }
        return out
    }

    public func updateConnection(orgID: String, id: String, input: ConnectionDraft) async throws -> Connection {
        let now = now()
        let metadata = storedMetadata(input)
        let sealed = try sealedSecrets(input.secrets, id: id)
        return try await write { db in
            guard let existing = try SQLiteStore.fetchConnection(db, orgID: orgID, id: id) else {
                throw APIError.notFound("Connection")
            }
            try SQLiteStore.checkConnectionName(db, workspaceID: existing.workspaceID, name: input.name, except: id)
            try db.cachedStatement(
                sql: """
                    UPDATE connections SET name = ?, metadata = ?, secrets = ?, hidden = ?, active = ?, inactive_reason = ?,
                        failure_streak = CASE WHEN ? THEN 0 ELSE failure_streak END,
                        streak_auth_only = CASE WHEN ? THEN 1 ELSE streak_auth_only END, updated_at = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [
                input.name, metadata, sealed, input.hidden, input.active, input.inactiveReason,
                input.active && !existing.active, input.active && !existing.active, now, id,
            ])
            if existing.active && !input.active {
                try SQLiteStore.failPendingWork(
                    db, connectionID: id, reason: "connection_inactive:\(input.inactiveReason ?? "manually_inactivated")",
                    now: now)
            }
            return try SQLiteStore.fetchConnection(db, orgID: orgID, id: id)!
        }
    }

    public func deleteConnection(orgID: String, id: String, force: Bool) async throws -> Connection {
        let now = now()
        return try await write { db in
            guard let existing = try SQLiteStore.fetchConnection(db, orgID: orgID, id: id) else {
                throw APIError.notFound("Connection")
            }
            let ruleIDs = try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM rules WHERE connection_id = ?"), arguments: [id])
            if !ruleIDs.isEmpty && !force {
                throw APIError.conflict("connection_has_rules", "Connection has active rules")
            }
            for ruleID in ruleIDs { try SQLiteStore.cancelRuleWork(db, ruleID: ruleID, now: now) }
            try db.cachedStatement(sql: "DELETE FROM rules WHERE connection_id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM connections WHERE id = ?").execute(arguments: [id])
            return existing
        }
    }

    // MARK: - Rules

    static func rule(_ row: Row) -> Rule {
        Rule(
            id: row["id"], orgID: row["org_id"], workspaceID: row["workspace_id"], connectionID: row["connection_id"],
            type: row["type"], event: row["event"], resource: row["resource"], resourceID: row["resource_id"],
            metadata: row.jsonObject("metadata"), active: row["active"], hidden: row["hidden"], createdBy: row["created_by"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    public func listRules(orgID: String, workspaceID: String?, filter: RuleFilter, page: PageRequest) async throws -> Page<Rule> {
        try await read { db in
            let (condition, arguments) = SQLiteStore.filtered(
                orgID: orgID, workspaceID: workspaceID,
                [("event", filter.event), ("resource", filter.resource), ("resource_id", filter.resourceID)])
            return try SQLiteStore.fetchPage(
                db, select: "SELECT * FROM rules WHERE \(condition)", arguments: arguments, page: page, map: SQLiteStore.rule,
                key: { Cursor(createdAt: $0.createdAt, id: $0.id) })
        }
    }

    public func createRule(orgID: String, input: RuleDraft, createdBy: String) async throws -> Rule {
        let now = now()
        let id = Formats.uuid()
        let action = input.metadata["action"]?.stringValue ?? ""
        let actionID = input.metadata["id"]?.stringValue ?? ""
        let dedup = [input.connectionID, input.event, input.resource ?? "", input.resourceID ?? "", action, actionID]
            .map { "\($0.utf8.count):\($0)" }.joined()
        return try await write { db in
            guard let connection = try SQLiteStore.fetchConnection(db, orgID: orgID, id: input.connectionID),
                connection.workspaceID == input.workspaceID
            else { throw APIError.notFound("Connection") }
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM rules WHERE dedup_key = ?"), arguments: [dedup]) != nil {
                throw APIError.conflict("duplicate_rule", "An identical rule already exists for this connection")
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO rules (id, org_id, workspace_id, connection_id, type, event, resource, resource_id, metadata,
                        dedup_key, active, hidden, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                id, orgID, input.workspaceID, input.connectionID, connection.type, input.event, input.resource,
                input.resourceID, JSONEmitter.compact(.object(input.metadata)), dedup, input.active, input.hidden,
                createdBy, now, now,
            ])
            return Rule(
                id: id, orgID: orgID, workspaceID: input.workspaceID, connectionID: input.connectionID, type: connection.type,
                event: input.event, resource: input.resource, resourceID: input.resourceID, metadata: input.metadata,
                active: input.active, hidden: input.hidden, createdBy: createdBy, createdAt: now, updatedAt: now)
        }
    }

    public func rule(orgID: String, id: String) async throws -> Rule? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM rules WHERE id = ? AND org_id = ?"), arguments: [id, orgID]).map(
                SQLiteStore.rule)
        }
    }

    public func deleteRule(orgID: String, id: String) async throws -> Rule {
        let now = now()
        return try await write { db in
            guard
                let rule = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM rules WHERE id = ? AND org_id = ?"), arguments: [id, orgID]
                )
                .map(SQLiteStore.rule)
            else { throw APIError.notFound("Rule") }
            try SQLiteStore.cancelRuleWork(db, ruleID: id, now: now)
            try db.cachedStatement(sql: "DELETE FROM rules WHERE id = ?").execute(arguments: [id])
            return rule
        }
    }

    // MARK: - Catalogues

    public func catalog(workspaceID: String, kind: CatalogKind) async throws -> [CatalogItem] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM catalog_items WHERE workspace_id = ? AND kind = ? ORDER BY key"),
                arguments: [workspaceID, kind.rawValue]
            ).map {
                CatalogItem(
                    id: $0["id"], key: $0["key"], label: $0["label"], description: $0["description"], active: $0["active"],
                    createdBy: $0["created_by"], createdAt: $0["created_at"], updatedAt: $0["updated_at"])
            }
        }
    }
}
