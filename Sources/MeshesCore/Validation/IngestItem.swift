public import SharedCore

/// One validated ingest body (§2.5), normalised: `resource` defaults to `"global"` and `workspace`
/// is lowercased. Unknown top-level keys of the body are ignored, as the reference API does.
public struct IngestItem: Sendable, Equatable {
    /// The body's `workspace`, when given; `IngestValidator.resolveWorkspace` applies the auth rules.
    public var workspace: String?
    /// The event key exactly as sent (not trimmed): rules match it case-sensitively.
    public var event: String
    public var payload: JSONObject
    /// `payload` as compact JSON (what the store keeps), serialised once during validation.
    public var payloadJSON: String
    public var resource: String
    public var resourceID: String?

    public init(
        workspace: String?, event: String, payload: JSONObject, payloadJSON: String? = nil, resource: String = "global",
        resourceID: String? = nil
    ) {
        self.workspace = workspace
        self.event = event
        self.payload = payload
        self.payloadJSON = payloadJSON ?? JSONEmitter.compact(.object(payload))
        self.resource = resource
        self.resourceID = resourceID
    }
}
