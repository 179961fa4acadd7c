internal import Foundation
public import SharedCore

/// One integration's static facts: the `GET /integrations` record (§2.10) and the static field
/// catalog served by `GET /connections/{id}/fields` (§2.9, §6.4).
public struct Integration: Sendable, Equatable {
    public var type: IntegrationType
    /// Display name, e.g. "ActiveCampaign".
    public var name: String
    /// `{name, type, authentication, actions}` exactly as the API answers it.
    public var record: JSONValue
    /// The keys of `record.actions`, in file order.
    public var actionKeys: [String]
    /// The static catalog fields `{key, label, type, constraints?}`; empty for webhook, slack, discord.
    public var catalogFields: [JSONValue]
    /// Lowercase hex SHA-256 of the canonical JSON (sorted keys, no spaces) of `catalogFields`.
    public var catalogVersion: String
}

/// A problem with the bundled `integrations.json`: an engine fault, never a client error.
public struct IntegrationCatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { "integrations.json: \(message)" }
}

/// The 15 integrations of `Resources/integrations.json`, in type order. The file holds each record
/// plus a `catalog_fields` list, which is split off into `Integration.catalogFields`. Loading checks
/// that every type appears once and that its actions equal `IntegrationType.actions`.
public struct IntegrationCatalog: Sendable {
    /// One entry per `IntegrationType`, in `IntegrationType.allCases` order.
    public let integrations: [Integration]

    /// The catalog shipped in the module's bundle, parsed once per process.
    public static func bundled() throws(IntegrationCatalogError) -> IntegrationCatalog {
        try cached.get()
    }

    private static let cached: Result<IntegrationCatalog, IntegrationCatalogError> = Result {
        () throws(IntegrationCatalogError) -> IntegrationCatalog in
        guard let url = Bundle.module.url(forResource: "integrations", withExtension: "json") else {
            throw IntegrationCatalogError(message: "not found in the MeshesCore bundle")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw IntegrationCatalogError(message: "unreadable: \(error)")
        }
        return try load(bytes: Array(data))
    }

    /// Parses and checks a catalog document.
    public static func load(bytes: [UInt8]) throws(IntegrationCatalogError) -> IntegrationCatalog {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes: bytes)
        } catch {
            throw IntegrationCatalogError(message: "line \(error.line), column \(error.column): \(error.message)")
        }
        guard let items = document.arrayValue else { throw IntegrationCatalogError(message: "must be an array of records") }
        var byType: [IntegrationType: Integration] = [:]
        for (index, item) in items.enumerated() {
            let integration = try parse(item, index: index)
            guard byType[integration.type] == nil else {
                throw IntegrationCatalogError(message: "type \(integration.type.rawValue) appears twice")
            }
            byType[integration.type] = integration
        }
        var ordered: [Integration] = []
        for type in IntegrationType.allCases {
            guard let integration = byType[type] else {
                throw IntegrationCatalogError(message: "type \(type.rawValue) is missing")
            }
            ordered.append(integration)
        }
        return IntegrationCatalog(integrations: ordered)
    }

    /// The integration of `type`.
    public func integration(for type: IntegrationType) -> Integration {
        integrations[IntegrationType.allCases.firstIndex(of: type) ?? 0]
    }

    /// The `records` of `GET /integrations`, in type order.
    public var records: [JSONValue] { integrations.map(\.record) }

    /// `catalog_version` (§2.9) of a field list.
    public static func catalogVersion(of fields: [JSONValue]) -> String {
        SHA256.hex(JSONEmitter.compact(JSONValue.array(fields).sortedDeep()))
    }

    private static func parse(_ item: JSONValue, index: Int) throws(IntegrationCatalogError) -> Integration {
        func fail(_ message: String) -> IntegrationCatalogError {
            IntegrationCatalogError(message: "record \(index): \(message)")
        }
        guard var object = item.objectValue else { throw fail("must be an object") }
        guard let wire = object["type"]?.stringValue, let type = IntegrationType(rawValue: wire) else {
            throw fail("unknown type")
        }
        guard let name = object["name"]?.stringValue, !name.isEmpty else { throw fail("name is required") }
        guard let authType = object["authentication"]?["type"]?.stringValue,
            ["api_key", "basic", "none", "oauth"].contains(authType)
        else { throw fail("authentication.type must be api_key, basic, none or oauth") }
        guard let actions = object["actions"]?.objectValue else { throw fail("actions must be an object") }
        for (key, action) in actions {
            guard action["key"]?.stringValue == key, action["label"]?.stringValue != nil, action["noun"]?.stringValue != nil
            else { throw fail("action \(key) needs key (equal to its name), label and noun") }
        }
        guard Set(actions.keys) == Set(type.actions), actions.count == type.actions.count else {
            throw fail("actions \(actions.keys) differ from \(type.actions)")
        }
        let fields = object["catalog_fields"]?.arrayValue ?? []
        for field in fields {
            guard field["key"]?.stringValue != nil, field["type"]?.stringValue != nil else {
                throw fail("every catalog field needs key and type")
            }
        }
        object["catalog_fields"] = nil
        return Integration(
            type: type, name: name, record: .object(object), actionKeys: actions.keys, catalogFields: fields,
            catalogVersion: catalogVersion(of: fields))
    }
}
