public import MeshesCore
public import SharedCore

/// Field catalogs, default mappings and cached action data of connections (§2.9, §6.4).
///
/// Every operation is scoped to an org: a connection of another org reads as missing (404).
public protocol MappingStore: Sendable {
    /// The connection's field catalog. It is built from `source` on first use, and rebuilt (new
    /// `refreshed_at`/`updated_at`) when `refresh` is set or the stored version differs from `source`'s,
    /// so an engine upgrade that changes a static list never serves the old one.
    func fieldCatalog(
        orgID: String, connectionID: String, source: FieldCatalogSource, refresh: Bool, createdBy: String
    ) async throws -> ConnectionFieldCatalog

    /// The latest stored version of the connection's default mapping, or nil when none is stored.
    func defaultMapping(orgID: String, connectionID: String) async throws -> ConnectionDefaultMapping?

    /// Stores the next version of the connection's default mapping. The version check and the insert
    /// run in one transaction: `workspace_id` other than the connection's → 404 `not_found`;
    /// `expected_version` other than the current version (0 when nothing is stored), or `mapping_id`
    /// other than the stored one → 409 `version_conflict`.
    func putDefaultMapping(
        orgID: String, connectionID: String, input: MappingPut, catalogVersion: String?, createdBy: String
    ) async throws -> ConnectionDefaultMapping

    /// Replaces the connection's cached `action_data` (§6.4); `updated_at` is left alone because the
    /// cache is not an edit of the connection.
    func cacheActionData(orgID: String, connectionID: String, actionData: JSONObject) async throws
}

/// A field list and its `catalog_version`: what a field catalog is (re)built from.
public struct FieldCatalogSource: Sendable, Equatable {
    /// `{key, label?, type, description?, constraints?, provider_meta?}` objects, in catalog order.
    public var fields: [JSONValue]
    /// Lowercase hex SHA-256 of the canonical JSON of `fields`.
    public var version: String

    public init(fields: [JSONValue], version: String) {
        self.fields = fields
        self.version = version
    }

    /// The static list of an integration (§6.4).
    public init(_ integration: Integration) {
        self.init(fields: integration.catalogFields, version: integration.catalogVersion)
    }
}

/// §2.9 ConnectionFieldCatalog: the fields a connection's mapping can write.
public struct ConnectionFieldCatalog: Sendable, Equatable {
    public var id: String
    public var workspaceID: String
    public var connectionID: String
    public var integrationType: String
    public var catalogVersion: String
    public var fields: [JSONValue]
    public var refreshedAt: Int64
    public var createdBy: String
    public var createdAt: Int64
    public var updatedAt: Int64

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(
        id: String, workspaceID: String, connectionID: String, integrationType: String, catalogVersion: String, fields: [JSONValue],
        refreshedAt: Int64, createdBy: String, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.connectionID = connectionID
        self.integrationType = integrationType
        self.catalogVersion = catalogVersion
        self.fields = fields
        self.refreshedAt = refreshedAt
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The keys of `fields`, in catalog order.
    public var fieldKeys: [String] { fields.compactMap { $0["key"]?.stringValue } }

    /// `GET /connections/{id}/fields`.
    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["workspace_id"] = .string(workspaceID)
        object["connection_id"] = .string(connectionID)
        object["integration_type"] = .string(integrationType)
        object["catalog_version"] = .string(catalogVersion)
        object["refreshed_at"] = iso(refreshedAt)
        object["created_by"] = .string(createdBy)
        object["created_at"] = iso(createdAt)
        object["updated_at"] = iso(updatedAt)
        object["fields"] = .array(fields)
        return .object(object)
    }
}

/// §2.9 ConnectionDefaultMapping: one version of a connection's default mapping, or the generated one
/// (`id`, `mappingID` nil and `version` 0) when nothing is stored.
public struct ConnectionDefaultMapping: Sendable, Equatable {
    /// The `name` when neither the PUT, an earlier version nor `schema.meta.name` gives one.
    public static let defaultName = "Default mapping"

    /// Identifies this version.
    public var id: String?
    /// Stays the same across versions.
    public var mappingID: String?
    public var version: Int
    public var workspaceID: String
    public var connectionID: String
    public var integrationType: String
    public var name: String
    public var schema: MappingSchema
    public var catalogVersion: String?
    public var createdBy: String?
    /// When the first version was stored (the connection's `created_at` for a generated mapping).
    public var createdAt: Int64
    /// When this version was stored (the connection's `updated_at` for a generated mapping).
    public var updatedAt: Int64

    public init(
        id: String?, mappingID: String?, version: Int, workspaceID: String, connectionID: String, integrationType: String,
        name: String, schema: MappingSchema, catalogVersion: String?, createdBy: String?, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.mappingID = mappingID
        self.version = version
        self.workspaceID = workspaceID
        self.connectionID = connectionID
        self.integrationType = integrationType
        self.name = name
        self.schema = schema
        self.catalogVersion = catalogVersion
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The mapping answered when nothing is stored: each catalog field whose key is a recognised payload
    /// key maps from the same-named path (§2.9). Timestamps are the connection's, so repeated GETs agree.
    public static func generated(for connection: Connection, catalog: FieldCatalogSource) -> ConnectionDefaultMapping {
        let keys = catalog.fields.compactMap { $0["key"]?.stringValue }
        return ConnectionDefaultMapping(
            id: nil, mappingID: nil, version: 0, workspaceID: connection.workspaceID, connectionID: connection.id,
            integrationType: connection.type, name: defaultName, schema: MappingSchema.generated(catalogFieldKeys: keys),
            catalogVersion: catalog.version, createdBy: nil, createdAt: connection.createdAt, updatedAt: connection.updatedAt)
    }

    /// Whether this version is stored (`status: "stored"`) rather than generated.
    public var isStored: Bool { id != nil }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = id.map(JSONValue.string) ?? .null
        object["mapping_id"] = mappingID.map(JSONValue.string) ?? .null
        object["version"] = .int(version)
        object["workspace_id"] = .string(workspaceID)
        object["connection_id"] = .string(connectionID)
        object["integration_type"] = .string(integrationType)
        object["name"] = .string(name)
        object["schema"] = schema.json
        if let catalogVersion { object["catalog_version"] = .string(catalogVersion) }
        if let createdBy { object["created_by"] = .string(createdBy) }
        object["created_at"] = iso(createdAt)
        object["updated_at"] = iso(updatedAt)
        return .object(object)
    }

    /// `{status, mapping}` of the GET and PUT routes.
    public var envelopeJSON: JSONValue {
        ["status": .string(isStored ? "stored" : "generated"), "mapping": json]
    }
}
