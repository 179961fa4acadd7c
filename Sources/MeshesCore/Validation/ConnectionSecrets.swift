public import SharedCore

/// Secret metadata values (§2.3): which keys are secret, how they are redacted in responses, and how
/// a `"********"` sent back on PUT keeps the stored value.
public enum ConnectionSecrets {
    /// The redaction placeholder.
    public static let placeholder = "********"

    /// The secret keys of `type` present in `metadata` with a string value.
    public static func presentSecretKeys(_ metadata: JSONObject, type: IntegrationType) -> [String] {
        type.secretMetadataKeys.filter { metadata[$0]?.stringValue != nil }
    }

    /// `metadata` with every secret string value replaced by `"********"`.
    public static func redact(_ metadata: JSONObject, type: IntegrationType) -> JSONObject {
        var out = metadata
        for key in presentSecretKeys(metadata, type: type) { out[key] = .string(placeholder) }
        return out
    }

    /// `incoming` with every secret key whose value is `"********"` replaced by the value in
    /// `stored` (secrets unsealed). A placeholder with nothing stored is 422 `invalid_metadata`.
    /// Secret keys absent from `incoming` stay absent: PUT metadata replaces the stored object.
    public static func resolvePlaceholders(
        _ incoming: JSONObject, stored: JSONObject, type: IntegrationType
    ) throws(APIError) -> JSONObject {
        var out = incoming
        var details: [APIError.Detail] = []
        for key in type.secretMetadataKeys where incoming[key]?.stringValue == placeholder {
            if let kept = stored[key], kept.stringValue != nil, kept.stringValue != placeholder {
                out[key] = kept
            } else {
                details.append(.init(field: "metadata.\(key)", message: "\(key) is \"\(placeholder)\" but no value is stored"))
            }
        }
        guard details.isEmpty else { throw ValidationRules.failure(status: 422, code: "invalid_metadata", details: details) }
        return out
    }
}
