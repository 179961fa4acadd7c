internal import AgentsMeshCanonical
internal import AgentsMeshKit
public import SharedCore

/// The registry of implemented target projectors.
public enum Targets {
    /// Projectors in first-class order.
    public static let all: [any TargetProjector] = [ClaudeCodeProjector(), CursorProjector(), GeminiCLIProjector()]

    public static func projector(_ id: String) -> (any TargetProjector)? { all.first { $0.id == id } }

    /// The one file type generate writes in each managed folder other than skills (whose supporting files
    /// may be anything). A file of another type there (`.gemini/agents/x.toml`, a README) was never an
    /// output: it is the user's, so it is neither stale output nor removed, and `lint` lists it.
    static let generatedSuffixes: [String: String] = [
        ".claude/agents": ".md", ".claude/commands": ".md", ".claude/rules": ".md",
        ".cursor/agents": ".md", ".cursor/commands": ".md", ".cursor/rules": ".mdc",
        ".gemini/agents": ".md", ".gemini/commands": ".toml",
    ]

    /// Whether generate could have written `path` (project-relative) inside its managed folder.
    public static func mayGenerate(_ path: String, in folder: String) -> Bool {
        guard let suffix = generatedSuffixes[folder] else { return true }
        return path.hasSuffix(suffix)
    }

    /// Parses a `--targets a,b` value: every id must be known (else `USAGE`).
    public static func parseList(_ text: String?) throws(ToolError) -> [String]? {
        guard let text else { return nil }
        let ids = text.split(separator: ",").map { String($0).trimmedWhitespace() }.filter { !$0.isEmpty }
        for id in ids where !TargetID.isKnown(id) {
            throw ToolError(
                ErrorCode.usage,
                "unknown target '\(id)'; known targets: \(TargetID.firstClass.joined(separator: ", ")) (and \(TargetID.planned.count) planned ids)"
            )
        }
        guard !ids.isEmpty else { throw ToolError(ErrorCode.usage, "--targets needs at least one target id") }
        return ids
    }
}
