internal import Foundation
internal import MeshesCore
internal import SharedCore

/// The bulk backfill (§8): JSONL reader → local validation → deterministic batches → bounded concurrent sender →
/// per-line results → checkpoint. The actor owns the counts, the errors file and the checkpoint; only the sends
/// run beside it, at most `concurrency` at a time, so at most `concurrency + 1` batches are held.
public actor BackfillPipeline {
    let options: BackfillOptions
    /// nil with `--dry-run`: nothing is sent.
    let client: (any MeshesClient)?
    let environment: BackfillEnvironment

    private var summary: BackfillSummary
    private var errors: ErrorLog
    /// What a resume would start from; nil when the run cannot be resumed (standard input, `--dry-run`).
    private var checkpoint: Checkpoint?
    /// Batches done whose predecessors are not all done yet (without their events).
    private var finished: [Int: BatchOutcome] = [:]
    private var acknowledged: Set<Int> = []
    private var lastSaved: Double = 0
    private var lastProgress: Double = 0
    private var started: Double = 0
    private var progress: (@Sendable (BackfillProgress) -> Void)?
    private var totalBytes: Int64?
    private var startOffset: Int64 = 0
    private var bytesRead: Int64 = 0

    public init(options: BackfillOptions, client: (any MeshesClient)?, environment: BackfillEnvironment = .live) {
        self.options = options
        self.client = options.dryRun ? nil : client
        self.environment = environment
        summary = BackfillSummary(mode: options.dryRun ? "dry-run" : client?.mode ?? "dry-run")
        errors = ErrorLog(path: options.errorsPath)
    }

    /// Runs the whole file. Bad lines never stop it; a fatal failure does, with the checkpoint kept for `--resume`.
    public func run(progress: (@Sendable (BackfillProgress) -> Void)? = nil) async throws(BackfillFailure) -> BackfillSummary {
        do {
            return try await execute(progress: progress)
        } catch let failure as BackfillFailure {
            throw failure
        } catch {
            throw .io("backfill stopped: \(error)")
        }
    }

    private func execute(progress: (@Sendable (BackfillProgress) -> Void)?) async throws -> BackfillSummary {
        let options = try options.validated()
        guard options.dryRun || client != nil else { throw BackfillFailure.configuration("no client to send with") }
        started = environment.now()
        lastSaved = started
        let source = try BackfillSource.open(options)
        defer { try? source.handle.close() }
        let start = try resumePoint(options, source)
        let sender = client.map {
            BatchSender(
                client: $0, identity: source.identity, batchSize: options.batchSize, maxRetries: options.maxRetries,
                environment: environment)
        }
        self.progress = progress
        totalBytes = source.size
        startOffset = start.byteOffset
        bytesRead = start.byteOffset
        do {
            try await withThrowingTaskGroup(of: BatchOutcome.self) { group in
                var inFlight = 0
                var batch = Batch(index: start.nextBatch)
                var reader = JSONLReader(handle: source.handle, offset: start.byteOffset, lineNumber: start.line)
                func dispatch(_ full: Batch) async throws {
                    summary.batches += 1
                    guard let sender else {
                        summary.accepted += full.lines.count
                        summary.acceptedThisRun += full.lines.count
                        try errors.flush()
                        return
                    }
                    while inFlight >= options.concurrency, let outcome = try await group.next() {
                        inFlight -= 1
                        try await absorb(outcome)
                    }
                    group.addTask { try await sender.send(full) }
                    inFlight += 1
                }
                // Lines are read in runs and checked in parallel (checking is most of the reading side's work);
                // they are then taken in file order, so batching stays deterministic.
                var run: [JSONLReader.Line] = []
                while true {
                    run.removeAll(keepingCapacity: true)
                    var runBytes = 0
                    while run.count < Self.runLines, runBytes < Self.runBytes, let line = try reader.next() {
                        runBytes += line.bytes?.count ?? 0
                        run.append(line)
                    }
                    if run.isEmpty { break }
                    let checked = await Self.checkAll(run, workspace: options.workspace)
                    for (line, result) in zip(run, checked) {
                        summary.linesRead += 1
                        switch result {
                        case nil: break
                        case .failure(let rejection):
                            errors.local(line: line.number, reason: rejection.reason)
                            summary.rejectedLocal += 1
                            batch.localRejected += 1
                        case .success(let event):
                            if !batch.lines.isEmpty { batch.body.append(0x2C) }
                            batch.lines.append(line.number)
                            batch.body += event
                        }
                        if batch.lines.count == options.batchSize {
                            batch.endOffset = line.end
                            batch.endLine = line.number
                            try await dispatch(batch)
                            batch = Batch(index: batch.index + 1)
                        }
                    }
                    bytesRead = reader.offset
                    report(force: false)
                }
                bytesRead = reader.offset
                if !batch.lines.isEmpty {
                    batch.endOffset = reader.offset
                    batch.endLine = reader.lineNumber
                    try await dispatch(batch)
                }
                while let outcome = try await group.next() { try await absorb(outcome) }
            }
        } catch {
            try? errors.flush()
            errors.close()
            if let checkpoint, let path = options.checkpointPath { try? checkpoint.save(to: path) }
            throw error
        }
        try errors.flush()
        errors.close()
        if let path = options.checkpointPath, !options.dryRun { Checkpoint.remove(path) }
        report(force: true)
        summary.elapsed = environment.now() - started
        if summary.rejected > 0 { summary.errorsFile = options.errorsPath }
        return summary
    }

    /// Where the run starts: the file's beginning, or the checkpoint when resuming (after checking it belongs here).
    private func resumePoint(_ options: BackfillOptions, _ source: BackfillSource) throws(BackfillFailure) -> Checkpoint {
        var start = Checkpoint(fileIdentity: source.identity, batchSize: options.batchSize)
        start.errorsOffset = ErrorLog.size(options.errorsPath)
        if options.resume, let path = options.checkpointPath {
            let saved = try Checkpoint.load(from: path)
            guard saved.fileIdentity == source.identity, saved.batchSize == options.batchSize else {
                throw BackfillFailure(
                    .identityMismatch,
                    "--resume: \(path) was written for another file, --workspace or --batch-size "
                        + "(checkpoint batch size \(saved.batchSize), now \(options.batchSize)); remove it to start over")
            }
            guard saved.byteOffset <= source.size ?? 0 else {
                throw BackfillFailure(.identityMismatch, "--resume: \(path) points past the end of \(options.file)")
            }
            do {
                try source.handle.seek(toOffset: UInt64(saved.byteOffset))
            } catch {
                throw .io("cannot seek in \(options.file): \(error.localizedDescription)")
            }
            if let errorsOffset = saved.errorsOffset {
                try ErrorLog.trimForResume(options.errorsPath, offset: errorsOffset, line: saved.line)
            }
            start = saved
            summary.resumedAtBatch = saved.nextBatch
            summary.linesRead = saved.line
            summary.accepted = saved.accepted
            summary.rejectedBeforeResume = saved.rejected
        }
        if !options.dryRun && options.checkpointPath != nil { checkpoint = start }
        return start
    }

    /// Calls the progress sink at most ten times a second (always when `force`).
    private func report(force: Bool) {
        guard let progress else { return }
        let now = environment.now()
        guard force || now - lastProgress >= 0.1 else { return }
        lastProgress = now
        progress(
            BackfillProgress(
                bytesRead: bytesRead, totalBytes: totalBytes, bytesThisRun: bytesRead - startOffset, accepted: summary.accepted,
                acceptedThisRun: summary.acceptedThisRun, rejected: summary.rejected, elapsed: now - started))
    }

    /// Records a batch's results: rejected lines to the errors file, counts, the contiguous checkpoint.
    private func absorb(_ outcome: BatchOutcome) async throws {
        for rejection in outcome.rejections {
            errors.server(line: rejection.line, reason: rejection.message, error: rejection.code, status: rejection.status)
        }
        summary.accepted += outcome.accepted
        summary.acceptedThisRun += outcome.accepted
        summary.rejectedServer += outcome.rejections.count
        summary.retries += outcome.retries
        try errors.flush()
        if var checkpoint, let path = options.checkpointPath {
            var done = outcome
            done.batch.body = []
            done.batch.lines = []
            finished[outcome.batch.index] = done
            while let next = finished.removeValue(forKey: checkpoint.nextBatch) {
                checkpoint.nextBatch += 1
                checkpoint.byteOffset = next.batch.endOffset
                checkpoint.line = next.batch.endLine
                checkpoint.accepted += next.accepted
                checkpoint.rejected += next.rejections.count + next.batch.localRejected
            }
            self.checkpoint = checkpoint
            let now = environment.now()
            if now - lastSaved >= 1 {
                try checkpoint.save(to: path)
                lastSaved = now
            }
        }
        if let fault = environment.fault {
            acknowledged.insert(outcome.batch.index)
            if fault.acknowledged.isSubset(of: acknowledged) {
                if let checkpoint, let path = options.checkpointPath { try checkpoint.save(to: path) }
                await fault.halt()
                throw BackfillFailure(.halted, "halted by fault injection after batches \(acknowledged.sorted())")
            }
        }
    }

    /// Lines (and their bytes) read before they are checked together.
    static let runLines = 1024
    static let runBytes = 4 << 20

    /// `check` of every line, in order, spread over the processors (one task per slice).
    static func checkAll(_ lines: [JSONLReader.Line], workspace: String?) async -> [Result<[UInt8], Rejection>?] {
        let slices = min(Parallel.width, max(1, lines.count / 64))
        guard slices > 1 else { return lines.map { check($0.bytes, workspace: workspace) } }
        let size = (lines.count + slices - 1) / slices
        return await withTaskGroup(of: (Int, [Result<[UInt8], Rejection>?]).self) { group in
            for start in stride(from: 0, to: lines.count, by: size) {
                let slice = Array(lines[start..<min(lines.count, start + size)])
                group.addTask { (start, slice.map { check($0.bytes, workspace: workspace) }) }
            }
            var out = [Result<[UInt8], Rejection>?](repeating: nil, count: lines.count)
            for await (start, results) in group {
                for (offset, result) in results.enumerated() { out[start + offset] = result }
            }
            return out
        }
    }

    /// Why a line is rejected before sending.
    struct Rejection: Error, Sendable {
        var reason: String
    }

    /// One line checked with the server's rules (§2.5): the JSON to send (the line itself, or the object re-encoded
    /// with `--workspace` filled in where the line has none), the reason it is rejected, or nil for a blank line.
    static func check(_ bytes: ArraySlice<UInt8>?, workspace: String?) -> Result<[UInt8], Rejection>? {
        guard let bytes else { return .failure(Rejection(reason: "line too long")) }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        if bytes.contains(where: { $0 >= 0x80 }), String(validating: bytes, as: UTF8.self) == nil {
            return .failure(Rejection(reason: "invalid_json: line is not valid UTF-8"))
        }
        let value: JSONValue
        do throws(JSONParser.Failure) {
            value = try JSONParser.parse(bytes: Array(bytes))
        } catch {
            return .failure(Rejection(reason: "invalid_json: \(error.message) at column \(error.column)"))
        }
        guard var object = value.objectValue else { return .failure(Rejection(reason: "each event must be a JSON object")) }
        let given = object["workspace"]
        if let workspace, given?.isNull ?? true { object["workspace"] = .string(workspace) }
        do throws(APIError) {
            let item = try IngestValidator.validate(.object(object))
            _ = try IngestValidator.resolveWorkspace(of: item, publishableKeyWorkspace: nil)
        } catch {
            return .failure(Rejection(reason: error.message))
        }
        // The line as it is (a byte order mark cannot stand inside the array) when it names its workspace.
        var line = Array(bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes)
        guard let workspace, given?.isNull ?? true else { return .success(line) }
        // `--workspace` filled in: spliced in as the first member when the line has none; a `null` one is re-encoded.
        guard given == nil, let brace = line.firstIndex(of: UInt8(ascii: "{")) else {
            return .success(JSONEmitter.compactBytes(.object(object)))
        }
        line.insert(contentsOf: Array(#""workspace":"\#(workspace)","#.utf8), at: brace + 1)
        return .success(line)
    }
}
