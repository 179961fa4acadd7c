/// The lessons error and warning codes of §6.2 and §6.6 (the shared codes live in `ErrorCode`).
public enum LessonsErrorCode {
    /// The graph declares a version newer than this library reads.
    public static let newerGraphVersion = "NEWER_GRAPH_VERSION"
    /// The graph holds git conflict markers or is unmerged in the git index.
    public static let mergeConflict = "MERGE_CONFLICT"
    /// The graph is not JSON.
    public static let corruptGraph = "CORRUPT_GRAPH"
    /// The graph is JSON but violates the schema or its invariants.
    public static let schemaInvalid = "SCHEMA_INVALID"
    /// A file glob outside the safe subset of §6.4.
    public static let unsafeGlobPattern = "UNSAFE_GLOB_PATTERN"
    /// A topic id that is malformed or unknown (without `new_topic`).
    public static let invalidTopicID = "INVALID_TOPIC_ID"
    /// `new_topic` without `topic_summary`.
    public static let topicSummaryRequired = "TOPIC_SUMMARY_REQUIRED"
    /// A lesson with no live trigger and no `scope: always`.
    public static let unrecallableLesson = "UNRECALLABLE_LESSON"
    /// A trigger file that lies outside the project root.
    public static let triggerFileOutsideProject = "TRIGGER_FILE_OUTSIDE_PROJECT"
    /// A trigger file that names the project root itself.
    public static let triggerFileIsProjectRoot = "TRIGGER_FILE_IS_PROJECT_ROOT"
    /// A literal trigger file that is a folder (use `dir/**`).
    public static let triggerFileIsDirectory = "TRIGGER_FILE_IS_DIRECTORY"

    /// Warning: the glob matches no tracked file and is not a plausible future path.
    public static let deadGlob = "DEAD_GLOB"
    /// Warning: the glob matches nothing yet, but its parent folder exists.
    public static let pendingGlob = "PENDING_GLOB"
    /// Warning: a BM25-similar rule exists in the same topic.
    public static let nearDuplicateLesson = "NEAR_DUPLICATE_LESSON"
    /// Warning: the command pattern does not compile within the regex subset.
    public static let deadCommandPattern = "DEAD_COMMAND_PATTERN"
    /// Warning: a keyword trigger with no searchable token (only stopwords or single characters).
    public static let deadKeyword = "DEAD_KEYWORD"
    /// Warning: the per-query regex step budget ran out; remaining command patterns were not tried.
    public static let regexBudgetExhausted = "REGEX_BUDGET_EXHAUSTED"

    /// Validate: a stored command pattern outside the regex subset.
    public static let unsafeCommandPattern = "UNSAFE_COMMAND_PATTERN"
    /// Validate: two lessons carry the same rule text.
    public static let duplicateRule = "DUPLICATE_RULE"
    /// Validate: a topic no lesson references.
    public static let orphanTopic = "ORPHAN_TOPIC"
    /// Validate: a trigger no lesson references.
    public static let orphanTrigger = "ORPHAN_TRIGGER"
    /// Validate: `rules/_root.md` lacks the `## Lessons (` heading of the lessons contract.
    public static let lessonsContractMissing = "LESSONS_CONTRACT_MISSING"
}
