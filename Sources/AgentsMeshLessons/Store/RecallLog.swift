internal import SharedCore
internal import SharedPlatform

/// `recall-log.jsonl`: one line per query made with a session, `{"at","ids","session"}` (§6.5 dedup).
struct RecallLog: Sendable {
    let root: String
    var path: String { root + "/" + LessonsFiles.recallLog }

    /// Resolves `--session`: `auto` → `AGENTSMESH_SESSION_ID`, else the parent process id.
    static func resolveSession(_ session: String?, environment: [String: String]) -> String? {
        guard let session, !session.isEmpty else { return nil }
        guard session == "auto" else { return session }
        if let id = environment["AGENTSMESH_SESSION_ID"], !id.isEmpty { return id }
        return "ppid-\(getppid())"
    }

    /// Ids already returned to `session`; unreadable lines are skipped.
    func returnedIDs(session: String) -> Set<String> {
        guard let bytes = try? FileSystem.readIfExists(path, displayPath: LessonsFiles.recallLog) else { return [] }
        var out = Set<String>()
        for line in bytes.split(separator: 0x0A) {
            guard let entry = try? JSONParser.parse(bytes: Array(line)), entry["session"]?.stringValue == session,
                let ids = entry["ids"]?.stringList
            else { continue }
            out.formUnion(ids)
        }
        return out
    }

    /// Appends one line (`O_APPEND`, so concurrent writers never interleave within a line).
    func record(session: String, ids: [String], at timestamp: String) throws(ToolError) {
        guard !ids.isEmpty else { return }
        try FileSystem.makeDirectories(root + "/" + LessonsFiles.folder, displayPath: LessonsFiles.folder)
        let entry: JSONValue = ["at": .string(timestamp), "ids": .strings(ids), "session": .string(session)]
        let bytes = Array((JSONEmitter.compact(entry) + "\n").utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ToolError.io("cannot write", path: LessonsFiles.recallLog, errno: errno) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress, raw.count) }
        if written != bytes.count { throw ToolError.io("cannot write", path: LessonsFiles.recallLog, errno: errno) }
    }
}
