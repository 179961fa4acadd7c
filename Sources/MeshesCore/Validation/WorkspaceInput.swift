/// A validated `POST /workspaces` body (§2.2).
public struct WorkspaceCreate: Sendable, Equatable {
    public var name: String
    public var description: String?

    public init(name: String, description: String?) {
        self.name = name
        self.description = description
    }
}

/// A validated `PUT /workspaces/{id}` body (§2.2). `description: null` clears it; an absent
/// `description` keeps the stored one, so a name-only update (the MCP tool's optional input) is safe.
public struct WorkspaceUpdate: Sendable, Equatable {
    public var name: String
    public var description: FieldChange<String?>

    public init(name: String, description: FieldChange<String?>) {
        self.name = name
        self.description = description
    }
}
