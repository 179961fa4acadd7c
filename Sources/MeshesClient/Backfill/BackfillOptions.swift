internal import MeshesCore

/// What `meshes backfill` was asked to do (§8): the flags, checked once by `validated()`.
public struct BackfillOptions: Sendable, Equatable {
    /// The embedded store's page cache during a backfill, in MiB: small enough that a backfill of any size stays
    /// within its memory bound (§8 benchmark: 100 MiB peak), large enough for the indexes' hot pages.
    public static let embeddedStoreCacheMiB = 24

    /// The JSONL file, or `-` for standard input (read once: no checkpoint and no `--resume`, see `BackfillSource`).
    public var file: String
    /// For lines without `workspace`.
    public var workspace: String?
    public var batchSize = 100
    public var concurrency = 4
    public var resume = false
    /// Default `FILE.checkpoint`.
    public var checkpoint: String?
    /// Default `FILE.errors.jsonl` (`meshes-backfill.errors.jsonl` for standard input).
    public var errors: String?
    public var maxRetries = 8
    public var dryRun = false

    public static let batchSizes = 1...100
    public static let concurrencies = 1...16

    public init(file: String) {
        self.file = file
    }

    /// Whether the lines come from standard input.
    public var readsStandardInput: Bool { file == "-" }

    /// Where the checkpoint lives; nil for standard input, which cannot be resumed.
    public var checkpointPath: String? {
        readsStandardInput ? nil : checkpoint ?? file + ".checkpoint"
    }

    /// Where rejected lines are appended.
    public var errorsPath: String {
        errors ?? (readsStandardInput ? "meshes-backfill.errors.jsonl" : file + ".errors.jsonl")
    }

    /// The flags checked against §8's ranges; the workspace lowercased.
    public func validated() throws(BackfillFailure) -> BackfillOptions {
        guard Self.batchSizes.contains(batchSize) else { throw .configuration("--batch-size must be from 1 to 100") }
        guard Self.concurrencies.contains(concurrency) else { throw .configuration("--concurrency must be from 1 to 16") }
        guard maxRetries >= 0 else { throw .configuration("--max-retries must be 0 or more") }
        if resume && readsStandardInput {
            throw .configuration("--resume needs a file: standard input cannot be resumed")
        }
        var checked = self
        if let workspace {
            guard Formats.isUUID(workspace) else { throw .configuration("--workspace must be a workspace UUID") }
            checked.workspace = workspace.lowercased()
        }
        return checked
    }
}
