public import SharedCore

/// A validated `POST /rules` body (§2.4). `action` has not yet been checked against the connection's
/// type: call `RuleValidator.checkAction(_:for:)` once the connection is loaded.
public struct RuleInput: Sendable, Equatable {
    public var workspace: String
    public var connection: String
    public var event: String
    /// Every value is a string; `action` is included.
    public var metadata: JSONObject
    public var resource: String?
    public var resourceID: String?
    public var active: Bool
    public var hidden: Bool

    /// `metadata.action`.
    public var action: String { metadata["action"]?.stringValue ?? "" }
    /// `metadata.id`, part of the duplicate-rule key.
    public var metadataID: String? { metadata["id"]?.stringValue }

    public init(
        workspace: String, connection: String, event: String, metadata: JSONObject, resource: String?,
        resourceID: String?, active: Bool, hidden: Bool
    ) {
        self.workspace = workspace
        self.connection = connection
        self.event = event
        self.metadata = metadata
        self.resource = resource
        self.resourceID = resourceID
        self.active = active
        self.hidden = hidden
    }
}
