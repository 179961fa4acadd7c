public import SharedCore

/// Validates workspace bodies (§2.2): `name` matches `^[A-Za-z0-9 _-]{3,50}$`, `description` is a
/// string of at most 1024 characters or `null`. Every failure is 400 `invalid_request` with a detail.
/// Name uniqueness (case-insensitive, 409) is the store's check.
public enum WorkspaceValidator {
    public static let maxDescriptionLength = 1024

    /// `POST /workspaces`: `{name, description?}`.
    public static func validateCreate(_ body: JSONValue) throws(APIError) -> WorkspaceCreate {
        let reader = try BodyReader(body)
        let name = try validateName(reader)
        let description = try validateDescription(reader)
        return WorkspaceCreate(name: name, description: description)
    }

    /// `PUT /workspaces/{id}`: `{name, description}`; `name` is required.
    public static func validateUpdate(_ body: JSONValue) throws(APIError) -> WorkspaceUpdate {
        let reader = try BodyReader(body)
        let name = try validateName(reader)
        let change: FieldChange<String?> = reader.object["description"] == nil ? .keep : .set(try validateDescription(reader))
        return WorkspaceUpdate(name: name, description: change)
    }

    /// Whether `name` matches the workspace name pattern.
    public static func isValidName(_ name: String) -> Bool { ValidationRules.isWorkspaceName(name) }

    static func validateName(_ reader: BodyReader) throws(APIError) -> String {
        let name = try reader.requiredString("name")
        guard ValidationRules.isWorkspaceName(name) else {
            throw ValidationRules.invalidRequest(
                "name", "name must be 3 to 50 characters: letters, digits, spaces, underscores or hyphens")
        }
        return name
    }

    static func validateDescription(_ reader: BodyReader) throws(APIError) -> String? {
        try reader.string("description", length: 0...maxDescriptionLength)
    }
}
