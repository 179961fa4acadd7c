internal import Foundation
internal import SharedCore

/// Where a run can resume (§8): the highest contiguous acknowledged batch and the counts up to it.
struct Checkpoint: Equatable, Sendable {
    var fileIdentity: String
    var batchSize: Int
    /// The first batch not known to be done.
    var nextBatch = 0
    /// File offset just after the last line of batch `nextBatch - 1`.
    var byteOffset: Int64 = 0
    /// Lines up to `byteOffset`.
    var line = 0
    var accepted = 0
    var rejected = 0
    /// Size of the errors file when the first run of this file began (engine extension `errors_offset`): what a
    /// resume keeps as it is. Entries after it for lines past `line` are dropped on resume, since those lines are
    /// read (and logged) again. Nil in a checkpoint written without it.
    var errorsOffset: Int64?

    func json(updatedAt: String) -> JSONValue {
        var object: JSONObject = [
            "version": 1, "file_identity": .string(fileIdentity), "batch_size": .int(batchSize), "next_batch": .int(nextBatch),
            "byte_offset": .int(Int(byteOffset)), "line": .int(line), "accepted": .int(accepted), "rejected": .int(rejected),
            "updated_at": .string(updatedAt),
        ]
        if let errorsOffset { object["errors_offset"] = .int(Int(errorsOffset)) }
        return .object(object)
    }

    /// Written with `AtomicFile`: a crash leaves the old checkpoint or the new one, never half of one.
    func save(to path: String) throws(BackfillFailure) {
        do throws(ToolError) {
            try AtomicFile.write(JSONEmitter.compact(json(updatedAt: Clock.isoNow())) + "\n", to: path, displayPath: path)
        } catch {
            throw .io("cannot write the checkpoint \(path): \(error.message)")
        }
    }

    static func load(from path: String) throws(BackfillFailure) -> Checkpoint {
        let bytes: [UInt8]?
        do throws(ToolError) {
            bytes = try FileSystem.readIfExists(path, displayPath: path)
        } catch {
            throw .io("cannot read the checkpoint \(path): \(error.message)")
        }
        guard let bytes else { throw .configuration("--resume: no checkpoint at \(path)") }
        guard let value = try? JSONParser.parse(bytes: bytes), value["version"]?.intValue == 1,
            let identity = value["file_identity"]?.stringValue, let batchSize = value["batch_size"]?.intValue,
            let next = value["next_batch"]?.intValue, let offset = value["byte_offset"]?.intValue, let line = value["line"]?.intValue,
            let accepted = value["accepted"]?.intValue, let rejected = value["rejected"]?.intValue,
            next >= 0, offset >= 0, line >= 0
        else { throw .configuration("--resume: \(path) is not a version 1 backfill checkpoint") }
        let errorsOffset = value["errors_offset"]?.intValue.flatMap { $0 >= 0 ? Int64($0) : nil }
        return Checkpoint(
            fileIdentity: identity, batchSize: batchSize, nextBatch: next, byteOffset: Int64(offset), line: line, accepted: accepted,
            rejected: rejected, errorsOffset: errorsOffset)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
