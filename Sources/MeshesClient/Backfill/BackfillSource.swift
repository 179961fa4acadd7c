internal import Foundation
internal import SharedCore

/// The input of a run: an open handle, its size and its identity (§8), or standard input, which has neither.
struct BackfillSource {
    static let identityWindow = 1 << 20

    let handle: FileHandle
    /// Bytes in the file; nil for standard input.
    let size: Int64?
    /// Hex SHA-256 of `size "\n" first-1MiB "\n" last-1MiB "\n" workspace-flag-or-empty "\n" batch-size`. Standard
    /// input cannot be read twice, so it gets a random identity: retries within the run are still de-duplicated,
    /// and no other run can replay its keys.
    let identity: String

    static func open(_ options: BackfillOptions) throws(BackfillFailure) -> BackfillSource {
        if options.readsStandardInput {
            return BackfillSource(handle: .standardInput, size: nil, identity: SHA256.hex("stdin:" + UUID().uuidString))
        }
        guard FileManager.default.fileExists(atPath: options.file),
            let handle = FileHandle(forReadingAtPath: options.file)
        else { throw .configuration("cannot open \(options.file): no such readable file") }
        do {
            let size = Int64(try handle.seekToEnd())
            let identity = try identity(
                of: handle, size: size, workspace: options.workspace ?? "", batchSize: options.batchSize)
            try handle.seek(toOffset: 0)
            return BackfillSource(handle: handle, size: size, identity: identity)
        } catch {
            throw .io("cannot read \(options.file): \(error.localizedDescription)")
        }
    }

    static func identity(of handle: FileHandle, size: Int64, workspace: String, batchSize: Int) throws -> String {
        try handle.seek(toOffset: 0)
        let first = try handle.read(upToCount: identityWindow) ?? Data()
        try handle.seek(toOffset: UInt64(max(0, size - Int64(identityWindow))))
        let last = try handle.read(upToCount: identityWindow) ?? Data()
        var bytes = Array("\(size)\n".utf8)
        bytes += first
        bytes += Array("\n".utf8)
        bytes += last
        bytes += Array("\n\(workspace)\n\(batchSize)".utf8)
        return SHA256.hex(bytes)
    }

    /// `meshes-bf-<first 32 hex of SHA-256("<identity>:<batch-size>:<k>")>`.
    static func idempotencyKey(identity: String, batchSize: Int, batch: Int) -> String {
        "meshes-bf-" + SHA256.hex("\(identity):\(batchSize):\(batch)").prefix(32)
    }
}
