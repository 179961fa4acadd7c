public import SharedCore

/// Validates connection bodies (§2.3). Wrong JSON types of top-level fields (and a bad `workspace`,
/// `type` or `name`) are 400 `invalid_request`; metadata problems are 422 `invalid_metadata`.
public enum ConnectionValidator {
    public static let nameLength = 1...128
    /// The `inactive_reason` of an OAuth connection created without a token.
    public static let oauthReauthorizationRequired = "oauth_reauthorization_required"

    /// `POST /connections`: `{workspace, type, name, metadata, hidden?}`. `allowHTTP` mirrors
    /// `--allow-http` and permits `http://` destination URLs.
    public static func validateCreate(_ body: JSONValue, allowHTTP: Bool = false) throws(APIError) -> ConnectionCreate {
        let reader = try BodyReader(body)
        let workspace = try reader.requiredUUID("workspace")
        let type = try validateType(reader)
        let name = try validateName(reader)
        let metadata = try requiredMetadata(reader)
        let hidden = try reader.bool("hidden") ?? false
        let resolved = try ConnectionSecrets.resolvePlaceholders(metadata, stored: JSONObject(), type: type)
        let validated = try ConnectionMetadataValidator.validate(resolved, type: type, allowHTTP: allowHTTP)
        let reauthorize = ConnectionMetadataValidator.requiresOAuthReauthorization(validated.metadata, type: type)
        return ConnectionCreate(
            workspace: workspace, type: type, name: name, metadata: validated.metadata, hidden: hidden,
            generatesSigningSecret: validated.generatesSigningSecret, active: !reauthorize,
            inactiveReason: reauthorize ? oauthReauthorizationRequired : nil)
    }

    /// `PUT /connections/{id}`: `{name, metadata, hidden?, active?}` for a connection of `type` whose
    /// stored metadata (secrets unsealed) is `storedMetadata`.
    public static func validateUpdate(
        _ body: JSONValue, type: IntegrationType, storedMetadata: JSONObject, allowHTTP: Bool = false
    ) throws(APIError) -> ConnectionUpdate {
        let reader = try BodyReader(body)
        let name = try validateName(reader)
        let metadata = try requiredMetadata(reader)
        let hidden = try reader.bool("hidden")
        let active = try reader.bool("active")
        let resolved = try ConnectionSecrets.resolvePlaceholders(metadata, stored: storedMetadata, type: type)
        let validated = try ConnectionMetadataValidator.validate(resolved, type: type, allowHTTP: allowHTTP)
        let reauthorize = ConnectionMetadataValidator.requiresOAuthReauthorization(validated.metadata, type: type)
        return ConnectionUpdate(
            name: name, metadata: validated.metadata, hidden: hidden, active: active,
            generatesSigningSecret: validated.generatesSigningSecret, requiresOAuthReauthorization: reauthorize)
    }

    static func validateType(_ reader: BodyReader) throws(APIError) -> IntegrationType {
        let wire = try reader.requiredString("type")
        guard let type = IntegrationType(rawValue: wire) else {
            throw ValidationRules.invalidRequest("type", "type must be one of: \(IntegrationType.wireList)")
        }
        return type
    }

    static func validateName(_ reader: BodyReader) throws(APIError) -> String {
        let name = try reader.requiredString("name")
        guard nameLength.contains(ValidationRules.length(name)) else {
            throw ValidationRules.invalidRequest("name", BodyReader.lengthMessage("name", nameLength))
        }
        return name
    }

    static func requiredMetadata(_ reader: BodyReader) throws(APIError) -> JSONObject {
        guard let metadata = try reader.object("metadata") else {
            throw ValidationRules.invalidRequest("metadata", "metadata is required")
        }
        return metadata
    }
}
