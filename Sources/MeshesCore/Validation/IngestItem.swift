public import SharedCore

/// One validated ingest body: the event to store and the workspace the body named, if any.
public struct IngestItem: Sendable, Equatable {
    /// The body's `workspace`, when given; `IngestValidator.resolveWorkspace` applies the auth rules.
    public var workspace: String?
    /// The event as the store keeps it.
    public var record: IngestRecord

    public init(
        workspace: String?, event: String, payload: JSONObject, payloadJSON: String? = nil, resource: String = "global",
        resourceID: String? = nil
    ) {
        self.workspace = workspace
        record = IngestRecord(event: event, payload: payload, payloadJSON: payloadJSON, resource: resource, resourceID: resourceID)
    }
}

/// A validated event to store. `event` is the key exactly as sent (not trimmed): rules match it
/// case-sensitively.
public struct IngestRecord: Sendable, Equatable {
    public var event: String
    public var payload: JSONObject
    /// `payload` as compact JSON, the stored form.
    public var payloadJSON: String
    public var resource: String
    public var resourceID: String?

    public init(
        event: String, payload: JSONObject, payloadJSON: String? = nil, resource: String = "global", resourceID: String? = nil
    ) {
        self.event = event
        self.payload = payload
        self.payloadJSON = payloadJSON ?? JSONEmitter.compact(.object(payload))
        self.resource = resource
        self.resourceID = resourceID
    }
}
