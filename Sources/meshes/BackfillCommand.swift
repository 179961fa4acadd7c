internal import ArgumentParser
internal import Foundation
internal import MeshesClient
internal import MeshesEngine
internal import SharedCore
internal import SharedPlatform

/// The flags of `meshes backfill` (§8), shared with `meshes emit --bulk`.
struct BackfillFlags: ParsableArguments {
    @Option(help: "Events per POST /events/bulk (1..100).")
    var batchSize = 100
    @Option(help: "Batches in flight (1..16).")
    var concurrency = 4
    @Flag(help: "Continue from the checkpoint.")
    var resume = false
    @Option(help: "Checkpoint file (default: FILE.checkpoint).")
    var checkpoint: String?
    @Option(help: "Rejected-line log, appended (default: FILE.errors.jsonl).")
    var errors: String?
    @Option(help: "Retries per batch for transient failures (429, 5xx, network, timeouts).")
    var maxRetries = 8
    @Flag(help: "Validate locally and send nothing.")
    var dryRun = false
    @Flag(help: "No progress bar (it is shown only when stderr is a terminal).")
    var noProgress = false
    @Flag(help: "Print the summary as JSON.")
    var json = false
    @Option(help: "Remote API base URL (overrides $MESHES_API_URL; remote mode only).")
    var apiURL: String?
}

struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Send a JSONL file of events through POST /events/bulk: batched, concurrent, retried, resumable.",
        discussion: """
            Each line is one ingest object ({workspace?, event, payload, resource?, resource_id?}). Bad lines are \
            logged to the errors file and never stop the run. Target: the local store, or the remote API when \
            MESHES_ACCESS_KEY, MESHES_SECRET_KEY and MESHES_ORG_ID are set. FILE `-` reads standard input (no checkpoint, \
            no --resume). Exit codes: 0 every line accepted, 1 some line rejected, 2 fatal (configuration, checkpoint \
            mismatch, authentication, retries exhausted, I/O; the checkpoint is kept for --resume).
            """)

    @Argument(help: "The JSONL file, one event per line (- for standard input).")
    var file: String
    @Option(help: "Workspace id for lines without one.")
    var workspace: String?
    @OptionGroup var flags: BackfillFlags
    @OptionGroup var store: StoreOptions

    func run() async throws {
        try await Self.backfill(file: file, workspace: workspace, flags: flags, store: store)
    }

    /// The one backfill entry of the CLI (`backfill FILE` and `emit --bulk FILE`): picks the client, runs the
    /// pipeline, prints the summary.
    static func backfill(file: String, workspace: String?, flags: BackfillFlags, store: StoreOptions) async throws {
        var options = BackfillOptions(file: file)
        options.workspace = workspace
        options.batchSize = flags.batchSize
        options.concurrency = flags.concurrency
        options.resume = flags.resume
        options.checkpoint = flags.checkpoint
        options.errors = flags.errors
        options.maxRetries = flags.maxRetries
        options.dryRun = flags.dryRun
        var environment = ProcessEnvironment.current
        if let apiURL = flags.apiURL { environment["MESHES_API_URL"] = apiURL }
        var backfillEnvironment = BackfillEnvironment.live
        if let text = environment["MESHES_BACKFILL_FAULT"] {
            guard let fault = BackfillFault.parse(text, halt: { _ = kill(getpid(), SIGKILL) }) else {
                fail("MESHES_BACKFILL_FAULT must look like kill-after-batches:0,1,2")
            }
            backfillEnvironment.fault = fault
        }
        let client: (any MeshesClient)?
        if flags.dryRun {
            client = nil
        } else {
            let selection = ClientSelection.from(environment: environment)
            if let problem = selection.problem { fail(problem) }
            if case .remote(let configuration) = selection {
                client = RemoteClient(configuration)
            } else {
                let opened = try await store.open(cacheMiB: BackfillOptions.embeddedStoreCacheMiB)
                client = EmbeddedClient(api: MeshesAPI(store: opened), orgID: opened.defaultOrg.id)
            }
        }
        let terminal = TerminalProgress(disabled: flags.noProgress)
        let pipeline = BackfillPipeline(options: options, client: client, environment: backfillEnvironment)
        var sink: (@Sendable (BackfillProgress) -> Void)?
        if terminal.isShown { sink = { progress in terminal.show(progress.bar) } }
        let summary: BackfillSummary
        do throws(BackfillFailure) {
            summary = try await pipeline.run(progress: sink)
        } catch {
            await client?.close()
            terminal.finish()
            fail(error.message)
        }
        await client?.close()
        terminal.finish()
        print(flags.json ? JSONEmitter.pretty(summary.json) : summary.text)
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints `error: <message>` and exits 2 (§8: fatal).
    static func fail(_ message: String) -> Never {
        writeError("error: \(message)\n")
        Foundation.exit(2)
    }
}
