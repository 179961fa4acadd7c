/// Project-relative paths of the lessons files (§6.1).
public enum LessonsFiles {
    /// The lessons folder.
    public static let folder = ".agentsmesh/lessons"
    /// The committed graph.
    public static let graph = folder + "/lessons.json"
    /// The committed configuration.
    public static let config = folder + "/config.json"
    /// Runtime: ids returned per session (gitignored).
    public static let recallLog = folder + "/recall-log.jsonl"
    /// Runtime: capture events (gitignored).
    public static let captureLog = folder + "/capture-log.jsonl"
    /// Runtime: outcome events (gitignored).
    public static let outcomeLog = folder + "/outcome-log.jsonl"
    /// The mkdir-based write lock (gitignored).
    public static let lock = folder + "/.lessons.lock"
    /// The root rule that carries the lessons contract.
    public static let rootRule = ".agentsmesh/rules/_root.md"
    /// The lessons skill written by `init --lessons`.
    public static let skill = ".agentsmesh/skills/lessons/SKILL.md"

    /// The `.gitignore` lines `init --lessons` adds (each only if absent), in order (§2).
    public static let gitignoreLines = [
        ".agentsmesh/lessons/recall-log.jsonl",
        ".agentsmesh/lessons/capture-log.jsonl",
        ".agentsmesh/lessons/outcome-log.jsonl",
        ".agentsmesh/lessons/.lessons.lock/",
        ".agentsmesh/lessons/*.tmp",
    ]

    /// The `.gitattributes` line that names the (later-phase) merge driver.
    public static let gitattributesLine = ".agentsmesh/lessons/lessons.json merge=agentsmesh-lessons"
}
