internal import Foundation
internal import MeshesCore
internal import SharedCore

extension MeshesAPI {
    /// How long a duplicate waits for the first request with its key (§3.2).
    static let idempotencyWait: Double = 10
    static let idempotencyPoll: UInt64 = 100_000_000

    /// `Idempotency-Key` handling around `work` (§3.2): replays cached final responses, refuses a reused
    /// key with another body, waits for a concurrent duplicate.
    func idempotent(
        _ request: APIRequest, caller: Principal, _ work: () async throws(APIError) -> APIResponse
    ) async throws(APIError) -> APIResponse {
        guard let key = request.header("idempotency-key") else { return try await work() }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw APIError.invalidRequest("Idempotency-Key must be 1..255 printable ASCII characters", field: "Idempotency-Key")
        }
        let hash = SHA256.hex(request.body)
        let org = caller.orgID
        let path = request.path
        let deadline = Clock.now() + MeshesAPI.idempotencyWait
        while true {
            let state = try await run { try await store.idempotencyBegin(orgID: org, key: key, path: path, bodyHash: hash) }
            switch state {
            case .claimed:
                let response: APIResponse
                do {
                    response = try await work()
                } catch {
                    response = .error(error)
                }
                if [201, 207, 400, 404, 422].contains(response.status) {
                    let text = String(decoding: response.body, as: UTF8.self)
                    try await run {
                        try await store.idempotencyComplete(orgID: org, key: key, path: path, status: response.status, body: text)
                    }
                } else {
                    try await run { try await store.idempotencyAbandon(orgID: org, key: key, path: path) }
                }
                return response
            case .replay(let status, let body):
                return APIResponse(
                    status: status, headers: [("Content-Type", "application/json"), ("Idempotent-Replayed", "true")],
                    body: Array(body.utf8))
            case .mismatch:
                throw APIError.unprocessable("idempotency_key_reused", "Idempotency-Key was already used with a different request body")
            case .inProgress:
                guard Clock.now() < deadline else {
                    throw APIError.conflict(
                        "idempotency_in_progress", "A request with this Idempotency-Key is still in progress; retry later")
                }
                try? await Task.sleep(nanoseconds: MeshesAPI.idempotencyPoll)
            }
        }
    }

    /// `POST /events` (§2.5, §3.1), under `Idempotency-Key`.
    func ingestOne(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        try await idempotent(call.request, caller: call.caller) { () async throws(APIError) -> APIResponse in
            let caller = call.caller
            let keyWorkspace: String?
            if case .publishable(_, let workspace) = caller { keyWorkspace = workspace } else { keyWorkspace = nil }
            let item = try IngestValidator.validate(try self.body(call.request))
            let workspace = try IngestValidator.resolveWorkspace(of: item, publishableKeyWorkspace: keyWorkspace)
            try await throttle(caller, count: 1)
            let event = try await run {
                try await store.ingest(
                    orgID: caller.orgID, workspaceID: workspace, record: item.record, createdBy: caller.createdBy)
            }
            if !event.ruleEvents.isEmpty { options.delivery?.wake() }
            return .json(201) { writer in
                writer.beginObject()
                writer.key("event")
                event.writeCreated(to: &writer)
                writer.endObject()
            }
        }
    }

    /// `POST /events/bulk` (§2.5, §3.1), under `Idempotency-Key`.
    func ingestBulk(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        try await idempotent(call.request, caller: call.caller) { () async throws(APIError) -> APIResponse in
            try await self.bulk(call)
        }
    }

    private func bulk(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let caller = call.caller
        let keyWorkspace: String?
        if case .publishable(_, let workspace) = caller { keyWorkspace = workspace } else { keyWorkspace = nil }
        let items = try IngestValidator.validateBulk(try body(call.request))
        try await throttle(caller, count: items.count)
        var outcomes = [(JSONValue, Bool)](repeating: (.null, false), count: items.count)
        var jobs: [IngestJob] = []
        var positions: [Int] = []
        func rejected(_ error: APIError, _ index: Int) -> JSONValue {
            ["message": .string(error.message), "error": .string(error.code), "index": .int(index)]
        }
        for (index, item) in items.enumerated() {
            do throws(APIError) {
                let valid = try item.get()
                let workspace = try IngestValidator.resolveWorkspace(of: valid, publishableKeyWorkspace: keyWorkspace)
                jobs.append(IngestJob(workspaceID: workspace, record: valid.record, createdBy: caller.createdBy))
                positions.append(index)
            } catch {
                outcomes[index] = (rejected(error, index), false)
            }
        }
        if !jobs.isEmpty {
            let results = try await run { [jobs] in try await store.ingestMany(orgID: caller.orgID, items: jobs) }
            options.delivery?.wake()
            for (position, result) in zip(positions, results) {
                switch result {
                case .success(let event): outcomes[position] = (event.createdJSON, true)
                case .failure(let error): outcomes[position] = (rejected(error, position), false)
                }
            }
        }
        let accepted = outcomes.filter(\.1).count
        let rejected = outcomes.count - accepted
        var object = JSONObject()
        object["count"] = .int(accepted)
        object["error_count"] = .int(rejected)
        object["records"] = .array(outcomes.map(\.0))
        return .json(rejected == 0 ? 201 : 207, .object(object))
    }

    /// `--ingest-rate`: 429 with `Retry-After` when the org's bucket is empty.
    private func throttle(_ caller: Principal, count: Int) async throws(APIError) {
        guard let ingestLimiter else { return }
        if let wait = await ingestLimiter.take(caller.orgID, count: Double(count), now: options.limiterClock()) {
            throw APIError(
                status: 429, code: "rate_limited", message: "Ingest rate limit exceeded; retry later",
                headers: [("Retry-After", String(wait))])
        }
    }
}
