public import SharedCore

/// A validated `POST /connections` body (§2.3).
public struct ConnectionCreate: Sendable, Equatable {
    public var workspace: String
    public var type: IntegrationType
    public var name: String
    /// Normalised metadata with secrets in clear; seal `type.secretMetadataKeys` before storing.
    public var metadata: JSONObject
    public var hidden: Bool
    /// See `ValidatedConnectionMetadata.generatesSigningSecret`.
    public var generatesSigningSecret: Bool
    /// False for an OAuth type without `access_token`.
    public var active: Bool
    /// `oauth_reauthorization_required` when `active` is false, else nil.
    public var inactiveReason: String?

    public init(
        workspace: String, type: IntegrationType, name: String, metadata: JSONObject, hidden: Bool,
        generatesSigningSecret: Bool, active: Bool, inactiveReason: String?
    ) {
        self.workspace = workspace
        self.type = type
        self.name = name
        self.metadata = metadata
        self.hidden = hidden
        self.generatesSigningSecret = generatesSigningSecret
        self.active = active
        self.inactiveReason = inactiveReason
    }
}

/// A validated `PUT /connections/{id}` body (§2.3): the whole `metadata` is replaced, with
/// `"********"` values already resolved against the stored metadata.
public struct ConnectionUpdate: Sendable, Equatable {
    public var name: String
    public var metadata: JSONObject
    /// nil keeps the stored value.
    public var hidden: Bool?
    /// Engine extension; nil keeps the state. `false` → `manually_inactivated`; `true` clears
    /// `inactive_reason` and the failure streak.
    public var active: Bool?
    public var generatesSigningSecret: Bool
    /// The new metadata of an OAuth type has no `access_token`: a connection that is (or is made)
    /// active should be stored inactive with `oauth_reauthorization_required`.
    public var requiresOAuthReauthorization: Bool

    public init(
        name: String, metadata: JSONObject, hidden: Bool?, active: Bool?, generatesSigningSecret: Bool,
        requiresOAuthReauthorization: Bool
    ) {
        self.name = name
        self.metadata = metadata
        self.hidden = hidden
        self.active = active
        self.generatesSigningSecret = generatesSigningSecret
        self.requiresOAuthReauthorization = requiresOAuthReauthorization
    }
}
