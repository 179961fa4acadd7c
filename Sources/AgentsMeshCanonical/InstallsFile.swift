internal import AgentsMeshKit
public import SharedCore

/// `.agentsmesh/installs.yaml` (§5.4): rows are kept as raw objects so invalid rows survive verbatim.
public struct InstallsFile: Sendable, Equatable {
    public static let path = ".agentsmesh/installs.yaml"
    public static let header = "# Managed by agentsmesh install/uninstall/refresh.\n"

    public var rows: [JSONObject] = []

    public init(rows: [JSONObject] = []) { self.rows = rows }

    /// Reads the file; `nil` when it does not exist; unparsable → `VALIDATION_FAILED`.
    public static func read(root: String) throws(ToolError) -> InstallsFile? {
        guard let bytes = try FileSystem.readIfExists(root + "/" + path, displayPath: path) else { return nil }
        guard let object = try ConfigLoader.parseMapping(bytes, path: path) else { return InstallsFile() }
        guard let rows = (object["installs"] ?? .array([])).arrayValue else {
            throw ToolError.syntax(path: path, line: nil, column: nil, message: "`installs` must be a list")
        }
        return InstallsFile(rows: rows.map { $0.objectValue ?? ["invalid": $0] })
    }

    /// Whether a row has the required keys.
    public static func isValid(_ row: JSONObject) -> Bool {
        row["name"]?.stringValue != nil && row["source"]?.stringValue != nil && row["source_kind"]?.stringValue != nil
    }

    public func row(named name: String) -> JSONObject? { rows.first { $0["name"]?.stringValue == name } }

    /// Inserts or replaces a row by name.
    public mutating func upsert(_ row: JSONObject) {
        let name = row["name"]?.stringValue
        if let index = rows.firstIndex(where: { $0["name"]?.stringValue == name }) {
            rows[index] = row
        } else {
            rows.append(row)
        }
    }

    public mutating func remove(named name: String) {
        rows.removeAll { $0["name"]?.stringValue == name }
    }

    /// The exact file text: header, `version: 1`, rows sorted by name.
    public func serialized() -> String {
        let sorted = rows.sorted { FileSystem.byteOrder($0["name"]?.stringValue ?? "", $1["name"]?.stringValue ?? "") }
        var object = JSONObject()
        object["version"] = .int(1)
        object["installs"] = .array(sorted.map { .object($0) })
        return Self.header + YAMLEmitter.emit(object) + "\n"
    }
}
