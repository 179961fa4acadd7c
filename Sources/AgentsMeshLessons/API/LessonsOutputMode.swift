/// Where a query result goes, which decides the payload caps of §6.5.
public enum LessonsOutputMode: Sendable, Equatable {
    /// `--json` / `--format json`: rule text is never cut.
    case json
    /// `--format plain|md`: total rule text ≤ 32,000 characters.
    case text
    /// MCP tool result: each rule ≤ 2,000 characters and total ≤ 32,000.
    case mcp

    /// Total rule characters allowed in the payload (`nil` = unlimited).
    public var totalCharacterCap: Int? {
        switch self {
        case .json: return nil
        case .text, .mcp: return 32_000
        }
    }

    /// Characters allowed per rule (`nil` = unlimited).
    public var perRuleCharacterCap: Int? { self == .mcp ? 2_000 : nil }
}
