internal import Foundation
internal import GRDB
public import MeshesCore
public import SharedCore

extension SQLiteStore {
    // MARK: - Field catalogs

    static func fieldCatalog(_ row: Row) -> ConnectionFieldCatalog {
        ConnectionFieldCatalog(
            id: row["id"], workspaceID: row["workspace_id"], connectionID: row["connection_id"],
            integrationType: row["integration_type"], catalogVersion: row["catalog_version"],
            fields: row.json("fields")?.arrayValue ?? [], refreshedAt: row["refreshed_at"], createdBy: row["created_by"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    static func fetchFieldCatalog(_ db: Database, orgID: String, connectionID: String) throws -> ConnectionFieldCatalog? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM field_catalogs WHERE connection_id = ? AND org_id = ?"),
            arguments: [connectionID, orgID]
        ).map(SQLiteStore.fieldCatalog)
    }

    public func fieldCatalog(
        orgID: String, connectionID: String, source: FieldCatalogSource, refresh: Bool, createdBy: String
    ) async throws -> ConnectionFieldCatalog {
        // The common case is a current catalog: answer it from a reader without queueing on the writer.
        if !refresh,
            let current = try await read({ db in
                try SQLiteStore.fetchFieldCatalog(db, orgID: orgID, connectionID: connectionID)
            }), current.catalogVersion == source.version
        {
            return current
        }
        let now = now()
        let fields = JSONEmitter.compact(.array(source.fields))
        return try await write { db in
            guard let connection = try SQLiteStore.fetchConnection(db, orgID: orgID, id: connectionID) else {
                throw APIError.notFound("Connection")
            }
            if let existing = try SQLiteStore.fetchFieldCatalog(db, orgID: orgID, connectionID: connectionID) {
                // A concurrent first GET may have built it meanwhile; only an explicit refresh or a stale
                // version rebuilds it.
                guard refresh || existing.catalogVersion != source.version else { return existing }
                try db.cachedStatement(
                    sql: """
                        UPDATE field_catalogs SET catalog_version = ?, fields = ?, refreshed_at = ?, updated_at = ?
                        WHERE id = ?
                        """
                ).execute(arguments: [source.version, fields, now, now, existing.id])
            } else {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO field_catalogs (id, org_id, workspace_id, connection_id, integration_type, catalog_version,
                            fields, refreshed_at, created_by, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    Formats.uuid(), orgID, connection.workspaceID, connectionID, connection.type, source.version, fields,
                    now, createdBy, now, now,
                ])
            }
            guard let catalog = try SQLiteStore.fetchFieldCatalog(db, orgID: orgID, connectionID: connectionID) else {
                throw StoreError.unavailable("the field catalog was not stored")
            }
            return catalog
        }
    }

    // MARK: - Default mappings

    static func defaultMapping(_ row: Row) throws -> ConnectionDefaultMapping {
        guard let stored = row.json("schema"), let schema = try? MappingValidator.validate(stored) else {
            throw StoreError.unavailable("the stored mapping \(row["id"] as String? ?? "") cannot be read")
        }
        return ConnectionDefaultMapping(
            id: row["id"], mappingID: row["mapping_id"], version: row["version"], workspaceID: row["workspace_id"],
            connectionID: row["connection_id"], integrationType: row["integration_type"], name: row["name"], schema: schema,
            catalogVersion: row["catalog_version"], createdBy: row["created_by"], createdAt: row["created_at"],
            updatedAt: row["updated_at"])
    }

    static func latestMapping(_ db: Database, orgID: String, connectionID: String) throws -> ConnectionDefaultMapping? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT * FROM default_mappings WHERE connection_id = ? AND org_id = ? ORDER BY version DESC LIMIT 1"),
            arguments: [connectionID, orgID]
        ).map(SQLiteStore.defaultMapping)
    }

    public func defaultMapping(orgID: String, connectionID: String) async throws -> ConnectionDefaultMapping? {
        try await read { db in try SQLiteStore.latestMapping(db, orgID: orgID, connectionID: connectionID) }
    }

    public func putDefaultMapping(
        orgID: String, connectionID: String, input: MappingPut, catalogVersion: String?, createdBy: String
    ) async throws -> ConnectionDefaultMapping {
        let now = now()
        let newID = Formats.uuid()
        let schema = JSONEmitter.compact(input.schema.json)
        // The check and the insert share one write job, so two PUTs with the same expected_version are
        // serialised by the writer: the second sees the first's row and conflicts.
        return try await write { db in
            guard let connection = try SQLiteStore.fetchConnection(db, orgID: orgID, id: connectionID),
                input.workspaceID == nil || input.workspaceID == connection.workspaceID
            else { throw APIError.notFound("Connection") }
            let latest = try SQLiteStore.latestMapping(db, orgID: orgID, connectionID: connectionID)
            let current = latest?.version ?? 0
            if let expected = input.expectedVersion, expected != current {
                throw APIError.conflict(
                    "version_conflict", "The default mapping is at version \(current), not \(expected); reload it and retry")
            }
            if let mappingID = input.mappingID, mappingID != latest?.mappingID {
                throw APIError.conflict(
                    "version_conflict",
                    latest == nil
                        ? "No default mapping is stored for this connection; omit mapping_id to create one"
                        : "mapping_id does not match the stored default mapping; reload it and retry")
            }
            let mapping = ConnectionDefaultMapping(
                id: newID, mappingID: latest?.mappingID ?? Formats.uuid(), version: current + 1,
                workspaceID: connection.workspaceID, connectionID: connectionID, integrationType: connection.type,
                name: input.name ?? latest?.name ?? input.schema.meta?.name ?? ConnectionDefaultMapping.defaultName,
                schema: input.schema, catalogVersion: catalogVersion, createdBy: createdBy,
                createdAt: latest?.createdAt ?? now, updatedAt: now)
            try db.cachedStatement(
                sql: """
                    INSERT INTO default_mappings (id, mapping_id, version, org_id, workspace_id, connection_id, integration_type,
                        name, schema, catalog_version, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                newID, mapping.mappingID, mapping.version, orgID, mapping.workspaceID, connectionID, mapping.integrationType,
                mapping.name, schema, catalogVersion, createdBy, mapping.createdAt, now,
            ])
            return mapping
        }
    }

    // MARK: - Action data

    public func cacheActionData(orgID: String, connectionID: String, actionData: JSONObject) async throws {
        let text = JSONEmitter.compact(.object(actionData))
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE connections SET action_data = ? WHERE id = ? AND org_id = ?"
            ).execute(arguments: [text, connectionID, orgID])
            guard db.changesCount > 0 else { throw APIError.notFound("Connection") }
        }
    }
}
