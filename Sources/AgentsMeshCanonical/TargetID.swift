/// Target identifiers: the three first-class targets and the later ones accepted in config.
public enum TargetID {
    public static let claudeCode = "claude-code"
    public static let cursor = "cursor"
    public static let geminiCLI = "gemini-cli"

    /// The first-class targets, in their default order.
    public static let firstClass = [claudeCode, cursor, geminiCLI]

    /// Appendix B: accepted in `targets`, reported as planned, skipped by generate.
    public static let planned = [
        "aider", "amazon-q", "amp", "antigravity", "augment-code", "cline", "codebuff", "codex-cli", "continue",
        "copilot", "crush", "deepagents-cli", "factory-droid", "goose", "windsurf", "jules", "junie", "kilo-code",
        "kimi-code", "kiro", "opencode", "openhands", "pi-agent", "qwen-code", "replit-agent", "roo-code",
        "rovodev", "trae", "warp", "zed",
    ].sorted()

    /// Whether an id is known (first-class or planned).
    public static func isKnown(_ id: String) -> Bool { firstClass.contains(id) || planned.contains(id) }
}

/// The eight canonical features of `agentsmesh.yaml`.
public enum Feature: String, CaseIterable, Sendable {
    case rules, commands, agents, skills, mcp, hooks, ignore, permissions

    /// The default order used by `init` and the spec tables.
    public static let all: [Feature] = [.rules, .commands, .agents, .skills, .mcp, .hooks, .ignore, .permissions]
}
