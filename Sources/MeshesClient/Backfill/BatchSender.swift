internal import SharedCore

/// One batch of valid lines, in file order (§8): batch `index` is the index-th group of `batch-size` valid lines.
struct Batch: Sendable {
    var index: Int
    /// The line number of each event.
    var lines: [Int] = []
    /// The events as the elements of a JSON array, comma-separated, without the brackets.
    var body: [UInt8] = []
    /// File offset and line number just after the batch's last line.
    var endOffset: Int64 = 0
    var endLine = 0
    /// Lines rejected locally since the previous batch ended.
    var localRejected = 0
}

/// What the API made of a batch.
struct BatchOutcome: Sendable {
    struct Rejection: Sendable {
        var line: Int
        var message: String
        var code: String
        var status: Int
    }

    var batch: Batch
    var accepted = 0
    var rejections: [Rejection] = []
    var retries = 0
}

/// Sends one batch as `POST /events/bulk` with its idempotency key, retrying transient failures (§8).
struct BatchSender: Sendable {
    let client: any MeshesClient
    let identity: String
    let batchSize: Int
    let maxRetries: Int
    let environment: BackfillEnvironment

    func send(_ batch: Batch) async throws -> BatchOutcome {
        if let fault = environment.fault, !fault.acknowledged.contains(batch.index) {
            // Fault injection: this batch is never acknowledged; the run is halted (or cancelled) around it.
            while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
        }
        let key = BackfillSource.idempotencyKey(identity: identity, batchSize: batchSize, batch: batch.index)
        let request = ClientRequest(
            "POST", "/events/bulk", headers: [("Idempotency-Key", key)], encodedBody: [0x5B] + batch.body + [0x5D])
        var attempt = 0
        while true {
            let result: Result<ClientResponse, ClientFailure>
            do {
                result = .success(try await client.send(request))
            } catch {
                result = .failure(error)
            }
            let reason: String
            var retryAfter: Double?
            switch result {
            case .success(let response):
                switch response.status {
                case 201, 207:
                    var outcome = try Self.outcome(of: batch, response)
                    outcome.retries = attempt
                    return outcome
                case 400:
                    // The whole batch refused: each of its lines is rejected with the server's message; the run goes on.
                    let message = response.json?["message"]?.stringValue ?? response.errorDescription
                    let code = response.json?["error"]?.stringValue ?? "invalid_request"
                    let rejections = batch.lines.map { BatchOutcome.Rejection(line: $0, message: message, code: code, status: 400) }
                    return BatchOutcome(batch: batch, rejections: rejections, retries: attempt)
                case 401, 403:
                    throw BackfillFailure(.authentication, "batch \(batch.index): \(response.errorDescription)")
                default:
                    guard RetryPolicy.isTransient(response) else {
                        throw BackfillFailure(.protocolError, "batch \(batch.index): \(response.errorDescription)")
                    }
                    reason = response.errorDescription
                    retryAfter = RetryPolicy.retryAfter(response)
                }
            case .failure(let failure):
                if failure.kind == .configuration { throw BackfillFailure(.configuration, failure.message) }
                reason = failure.message
            }
            guard attempt < maxRetries else {
                throw BackfillFailure(.retriesExhausted, "batch \(batch.index) failed after \(maxRetries) retries: \(reason)")
            }
            try await environment.sleep(RetryPolicy.delay(attempt: attempt, retryAfter: retryAfter, random: environment.random()))
            attempt += 1
        }
    }

    /// `records[i]` back to line `batch.lines[i]` (§3.1): an event object is accepted, `{message, error, index}` is not.
    static func outcome(of batch: Batch, _ response: ClientResponse) throws(BackfillFailure) -> BatchOutcome {
        // 201 means every item was accepted (§3.1): no record needs reading.
        if response.status == 201 { return BatchOutcome(batch: batch, accepted: batch.lines.count) }
        guard let records = response.json?["records"]?.arrayValue, records.count == batch.lines.count else {
            throw BackfillFailure(
                .protocolError, "batch \(batch.index): the answer (\(response.status)) does not carry one record per event")
        }
        var outcome = BatchOutcome(batch: batch)
        for (line, record) in zip(batch.lines, records) {
            if let code = record["error"]?.stringValue {
                let message = record["message"]?.stringValue ?? code
                outcome.rejections.append(.init(line: line, message: message, code: code, status: response.status))
            } else {
                outcome.accepted += 1
            }
        }
        return outcome
    }
}
