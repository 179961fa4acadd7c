internal import Foundation
internal import Logging
public import MeshesCore
public import MeshesEngine
internal import PostgresNIO
public import SharedCore

extension PostgresStore {
    // MARK: - Field catalogs

    static func fieldCatalog(_ row: Fields) throws -> ConnectionFieldCatalog {
        ConnectionFieldCatalog(
            id: try row["id"], workspaceID: try row["workspace_id"], connectionID: try row["connection_id"],
            integrationType: try row["integration_type"], catalogVersion: try row["catalog_version"],
            fields: try row.json("fields")?.arrayValue ?? [], refreshedAt: try row["refreshed_at"], createdBy: try row["created_by"],
            createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    static func fetchFieldCatalog(
        _ connection: PostgresConnection, _ logger: Logger, orgID: String, connectionID: String, lock: Bool = false
    )
        async throws -> ConnectionFieldCatalog?
    {
        let query: PostgresQuery =
            lock
            ? "SELECT * FROM field_catalogs WHERE connection_id = \(connectionID) AND org_id = \(orgID) FOR UPDATE"
            : "SELECT * FROM field_catalogs WHERE connection_id = \(connectionID) AND org_id = \(orgID)"
        return try await connection.one(query, logger).map(PostgresStore.fieldCatalog)
    }

    public func fieldCatalog(
        orgID: String, connectionID: String, source: FieldCatalogSource, refresh: Bool, createdBy: String
    ) async throws -> ConnectionFieldCatalog {
        // The common case is a current catalog: answer it without a transaction.
        if !refresh,
            let current = try await read({ connection in
                try await PostgresStore.fetchFieldCatalog(connection, logger, orgID: orgID, connectionID: connectionID)
            }), current.catalogVersion == source.version
        {
            return current
        }
        let now = now()
        let fields = JSONEmitter.compact(.array(source.fields))
        let newID = Formats.uuid()
        return try await write { connection in
            // Locking the connection serialises concurrent first GETs (on any node) of the same catalog.
            guard let owner = try await PostgresStore.fetchConnection(connection, logger, orgID: orgID, id: connectionID, lock: true) else {
                throw APIError.notFound("Connection")
            }
            if let existing = try await PostgresStore.fetchFieldCatalog(connection, logger, orgID: orgID, connectionID: connectionID) {
                guard refresh || existing.catalogVersion != source.version else { return existing }
                try await connection.run(
                    """
                    UPDATE field_catalogs SET catalog_version = \(source.version), fields = \(fields), refreshed_at = \(now),
                        updated_at = \(now)
                    WHERE id = \(existing.id)
                    """, logger)
            } else {
                try await connection.run(
                    """
                    INSERT INTO field_catalogs (id, org_id, workspace_id, connection_id, integration_type, catalog_version,
                        fields, refreshed_at, created_by, created_at, updated_at)
                    VALUES (\(newID), \(orgID), \(owner.workspaceID), \(connectionID), \(owner.type), \(source.version), \(fields),
                        \(now), \(createdBy), \(now), \(now))
                    """, logger)
            }
            guard let catalog = try await PostgresStore.fetchFieldCatalog(connection, logger, orgID: orgID, connectionID: connectionID)
            else { throw StoreError.unavailable("the field catalog was not stored") }
            return catalog
        }
    }

    // MARK: - Default mappings

    static func defaultMapping(_ row: Fields) throws -> ConnectionDefaultMapping {
        let id: String = try row["id"]
        guard let stored = try row.json("schema"), let schema = try? MappingValidator.validate(stored) else {
            throw StoreError.unavailable("the stored mapping \(id) cannot be read")
        }
        let version: Int64 = try row["version"]
        return ConnectionDefaultMapping(
            id: id, mappingID: try row["mapping_id"], version: Int(version), workspaceID: try row["workspace_id"],
            connectionID: try row["connection_id"], integrationType: try row["integration_type"], name: try row["name"], schema: schema,
            catalogVersion: try row["catalog_version"], createdBy: try row["created_by"], createdAt: try row["created_at"],
            updatedAt: try row["updated_at"])
    }

    static func latestMapping(_ connection: PostgresConnection, _ logger: Logger, orgID: String, connectionID: String) async throws
        -> ConnectionDefaultMapping?
    {
        try await connection.one(
            "SELECT * FROM default_mappings WHERE connection_id = \(connectionID) AND org_id = \(orgID) ORDER BY version DESC LIMIT 1",
            logger
        ).map(PostgresStore.defaultMapping)
    }

    public func defaultMapping(orgID: String, connectionID: String) async throws -> ConnectionDefaultMapping? {
        try await read { connection in try await PostgresStore.latestMapping(connection, logger, orgID: orgID, connectionID: connectionID) }
    }

    public func putDefaultMapping(
        orgID: String, connectionID: String, input: MappingPut, catalogVersion: String?, createdBy: String
    ) async throws -> ConnectionDefaultMapping {
        let now = now()
        let newID = Formats.uuid()
        let newMappingID = Formats.uuid()
        let schema = JSONEmitter.compact(input.schema.json)
        // The connection row is locked for the check and the insert, so two PUTs with the same expected_version
        // (from any nodes) are serialised: the second sees the first's row and conflicts.
        return try await write { connection in
            guard let owner = try await PostgresStore.fetchConnection(connection, logger, orgID: orgID, id: connectionID, lock: true),
                input.workspaceID == nil || input.workspaceID == owner.workspaceID
            else { throw APIError.notFound("Connection") }
            let latest = try await PostgresStore.latestMapping(connection, logger, orgID: orgID, connectionID: connectionID)
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
                id: newID, mappingID: latest?.mappingID ?? newMappingID, version: current + 1,
                workspaceID: owner.workspaceID, connectionID: connectionID, integrationType: owner.type,
                name: input.name ?? latest?.name ?? input.schema.meta?.name ?? ConnectionDefaultMapping.defaultName,
                schema: input.schema, catalogVersion: catalogVersion, createdBy: createdBy,
                createdAt: latest?.createdAt ?? now, updatedAt: now)
            try await connection.run(
                """
                INSERT INTO default_mappings (id, mapping_id, version, org_id, workspace_id, connection_id, integration_type,
                    name, schema, catalog_version, created_by, created_at, updated_at)
                VALUES (\(newID), \(mapping.mappingID), \(mapping.version), \(orgID), \(mapping.workspaceID), \(connectionID),
                    \(mapping.integrationType), \(mapping.name), \(schema), \(catalogVersion), \(createdBy), \(mapping.createdAt), \(now))
                """, logger)
            return mapping
        }
    }

    // MARK: - Action data

    public func cacheActionData(orgID: String, connectionID: String, actionData: JSONObject) async throws {
        let text = JSONEmitter.compact(.object(actionData))
        try await read { connection in
            guard
                try await connection.one(
                    "UPDATE connections SET action_data = \(text) WHERE id = \(connectionID) AND org_id = \(orgID) RETURNING 1", logger)
                    != nil
            else { throw APIError.notFound("Connection") }
        }
    }
}
