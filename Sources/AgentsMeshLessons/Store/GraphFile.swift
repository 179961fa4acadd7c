internal import AgentsMeshKit
internal import SharedCore
internal import SharedPlatform

/// Reading and writing `lessons.json` for one project root (§6.2).
struct GraphFile: Sendable {
    let root: String
    var path: String { root + "/" + LessonsFiles.graph }

    /// The raw bytes, or `nil` when the file does not exist.
    func readBytes() throws(ToolError) -> [UInt8]? {
        try FileSystem.readIfExists(path, displayPath: LessonsFiles.graph)
    }

    /// Whether git lists the graph with conflict stages (an unmerged file without markers, e.g. `ours`
    /// kept by a merge tool but not yet `git add`ed).
    func isUnmergedInIndex() -> Bool {
        GitIndex.with(containing: root) { $0.isUnmerged(LessonsFiles.graph, under: root) } ?? false
    }

    /// Decodes `bytes`, failing with `MERGE_CONFLICT`, `CORRUPT_GRAPH`, `NEWER_GRAPH_VERSION` or `SCHEMA_INVALID`.
    func decode(_ bytes: [UInt8]) throws(ToolError) -> LessonGraph {
        try checkMerged()
        return try LessonGraphCodec.decode(bytes: bytes, displayPath: LessonsFiles.graph)
    }

    /// `decode` for queries: the index of the graph, with the same failures.
    func decodeIndex(_ bytes: [UInt8]) throws(ToolError) -> GraphIndex {
        try checkMerged()
        return try LessonGraphCodec.decodeIndex(bytes: bytes, displayPath: LessonsFiles.graph)
    }

    private func checkMerged() throws(ToolError) {
        if isUnmergedInIndex() {
            throw ToolError(
                LessonsErrorCode.mergeConflict,
                "\(LessonsFiles.graph) is unmerged in the git index; resolve the conflict and git add it")
        }
    }

    /// The graph (empty when the file does not exist).
    func load() throws(ToolError) -> LessonGraph {
        guard let bytes = try readBytes() else { return LessonGraph() }
        return try decode(bytes)
    }

    /// Writes the graph atomically (the caller holds the lessons lock).
    func write(_ graph: LessonGraph) throws(ToolError) {
        try AtomicFile.write(graph.serialized(), to: path, displayPath: LessonsFiles.graph)
    }

    /// The §6.2 read error of the graph at `root`, or `nil` when it is missing or reads cleanly.
    static func readError(root: String) -> ToolError? {
        let file = GraphFile(root: root)
        do {
            guard let bytes = try file.readBytes() else { return nil }
            _ = try file.decode(bytes)
            return nil
        } catch {
            return error
        }
    }
}

/// The local calendar date, `YYYY-MM-DD` (lesson `createdAt`, §6.3).
enum LocalDate {
    static func today(now: Double = Clock.now()) -> String { Clock.localDate(now) }
}
