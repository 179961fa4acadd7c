public import SharedCore

/// Validates rule bodies (§2.4). Shape problems are 400 `invalid_request`; an action the connection
/// type does not offer is 422 `unknown_action`, checked separately because the connection must be
/// loaded (and found in the workspace, else 404) first.
public enum RuleValidator {
    public static let eventLength = 1...128
    /// Optional rule metadata keys the engine reads (§2.4); other string keys are allowed too.
    public static let knownMetadataKeys = [
        "id", "name", "value", "key", "data", "option", "option_value", "subject", "from", "body", "title", "template",
        "event_name_override",
    ]

    /// `POST /rules`: `{workspace, connection, event, metadata:{action,…}, resource?, resource_id?, active?, hidden?}`.
    public static func validateCreate(_ body: JSONValue) throws(APIError) -> RuleInput {
        let reader = try BodyReader(body)
        let workspace = try reader.requiredUUID("workspace")
        let connection = try reader.requiredUUID("connection")
        let event = try reader.requiredString("event")
        guard eventLength.contains(ValidationRules.length(event)) else {
            throw ValidationRules.invalidRequest("event", BodyReader.lengthMessage("event", eventLength))
        }
        guard let metadata = try reader.object("metadata") else {
            throw ValidationRules.invalidRequest("metadata", "metadata is required")
        }
        for (key, value) in metadata where value.stringValue == nil {
            throw ValidationRules.invalidRequest("metadata.\(key)", "metadata.\(key) must be a string")
        }
        guard metadata["action"]?.stringValue?.isEmpty == false else {
            throw ValidationRules.invalidRequest("metadata.action", "metadata.action is required")
        }
        return RuleInput(
            workspace: workspace, connection: connection, event: event, metadata: metadata,
            resource: try reader.resourceToken("resource"), resourceID: try reader.resourceToken("resource_id"),
            active: try reader.bool("active") ?? true, hidden: try reader.bool("hidden") ?? false)
    }

    /// 422 `unknown_action` unless `action` is one of `type.actions` (§6.4).
    public static func checkAction(_ action: String, for type: IntegrationType) throws(APIError) {
        guard type.actions.contains(action) else {
            let message =
                "action \"\(action)\" is not available for \(type.rawValue) connections; "
                + "expected one of: \(type.actions.joined(separator: ", "))"
            throw APIError(
                status: 422, code: "unknown_action", message: message,
                details: [.init(field: "metadata.action", message: message)])
        }
    }
}
