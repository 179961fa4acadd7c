public import MeshesCore
public import SharedCore

/// A connection as an attempt needs it: its settings (secrets unsealed) and its delivery limits.
public struct DeliveryConnection: Sendable, Equatable {
    public var id: String
    public var type: String
    public var metadata: JSONObject
    public var secrets: [String: String]
    public var active: Bool

    public init(id: String, type: String, metadata: JSONObject, secrets: [String: String], active: Bool) {
        self.id = id
        self.type = type
        self.metadata = metadata
        self.secrets = secrets
        self.active = active
    }

    /// The delivery keys of the metadata with their defaults (§5.3, §5.4, §5.8).
    public var delivery: DeliverySettings { DeliverySettings(metadata: metadata) }
    /// `timeout_seconds` (1..30, default 15).
    public var timeoutSeconds: Int { min(max(delivery.timeoutSeconds, 1), 30) }
    /// `max_concurrency` (1..64, default 8).
    public var maxConcurrency: Int { min(max(delivery.maxConcurrency, 1), 64) }
    /// `rate_limit_per_second` (1..1000), nil when unset.
    public var ratePerSecond: Int? { delivery.rateLimitPerSecond.map { min(max($0, 1), 1000) } }
    /// `retry_schedule`, else the default ladder.
    public var ladder: RetryLadder { RetryLadder(schedule: delivery.retrySchedule) }

    public var settings: RequestBuilder.Settings { RequestBuilder.Settings(type: type, metadata: metadata, secrets: secrets) }
}

/// How an attempt was started (§2.7).
public enum AttemptTrigger: String, Sendable {
    case scheduled, manual
}

/// One claimed delivery: the rule event under this process's lease, with everything its attempt needs.
public struct DeliveryJob: Sendable {
    public var ruleEvent: RuleEvent
    /// The store's own key of the rule event (its row), so that finishing needs no lookup by id.
    public var storeKey: Int64
    /// The status before the claim (a failed manual attempt returns to it, §5.6).
    public var previousStatus: DeliveryStatus
    /// The `next_attempt_at` before the claim.
    public var previousNextAttemptAt: Int64?
    /// Failed scheduled attempts so far (ladder slots used).
    public var scheduledFailures: Int
    public var trigger: AttemptTrigger
    public var leaseOwner: String
    public var envelope: DeliveryEnvelope
    public var connection: DeliveryConnection
    public var ruleMetadata: JSONObject
    /// The mapped fields for adapter integrations (§6.3); empty for webhook, Slack and Discord.
    public var fields: JSONObject

    /// 1-based number of the attempt about to run.
    public var attemptNumber: Int { ruleEvent.attemptCount + 1 }

    public init(
        ruleEvent: RuleEvent, storeKey: Int64, previousStatus: DeliveryStatus, previousNextAttemptAt: Int64?, scheduledFailures: Int,
        trigger: AttemptTrigger, leaseOwner: String, envelope: DeliveryEnvelope, connection: DeliveryConnection,
        ruleMetadata: JSONObject, fields: JSONObject
    ) {
        self.ruleEvent = ruleEvent
        self.storeKey = storeKey
        self.previousStatus = previousStatus
        self.previousNextAttemptAt = previousNextAttemptAt
        self.scheduledFailures = scheduledFailures
        self.trigger = trigger
        self.leaseOwner = leaseOwner
        self.envelope = envelope
        self.connection = connection
        self.ruleMetadata = ruleMetadata
        self.fields = fields
    }
}

/// What an attempt produced, as recorded (§2.7, §5.8).
public struct AttemptReport: Sendable, Equatable {
    public var outcome: Outcome
    public var message: String
    public var requestMethod: String
    public var requestURL: String
    public var responseStatus: Int?
    public var responseHeaders: JSONObject?
    public var responseBody: String?
    public var responseTruncated: Bool
    /// `Retry-After` in seconds, when the response had one.
    public var retryAfter: Double?
    /// Never retried whatever the ladder says (`integration_not_supported`).
    public var final: Bool
    public var startedAt: Int64
    public var endedAt: Int64

    public init(
        outcome: Outcome, message: String, requestMethod: String, requestURL: String, responseStatus: Int? = nil,
        responseHeaders: JSONObject? = nil, responseBody: String? = nil, responseTruncated: Bool = false, retryAfter: Double? = nil,
        final: Bool = false, startedAt: Int64, endedAt: Int64
    ) {
        self.outcome = outcome
        self.message = String(message.prefix(512))
        self.requestMethod = requestMethod
        self.requestURL = requestURL
        self.responseStatus = responseStatus
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.responseTruncated = responseTruncated
        self.retryAfter = retryAfter
        self.final = final
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// The rule event after an attempt (§5.4, §5.6): a pure function of the job, the report and the jitter.
public struct AttemptDecision: Sendable, Equatable {
    public var status: DeliveryStatus
    public var nextAttemptAt: Int64?
    public var scheduledFailures: Int
    public var lastError: String?
    /// Whether this failure scheduled another attempt (recorded on the attempt).
    public var scheduledNext: Bool

    public static func decide(_ job: DeliveryJob, _ report: AttemptReport, jitter: Double) -> AttemptDecision {
        let failures = job.scheduledFailures + (job.trigger == .scheduled && report.outcome != .delivered ? 1 : 0)
        let error = report.outcome == .delivered ? nil : String("\(report.outcome.rawValue): \(report.message)".prefix(512))
        if job.ruleEvent.cancelRequested {
            return AttemptDecision(
                status: report.outcome == .delivered ? .completed : .canceled, nextAttemptAt: nil, scheduledFailures: failures,
                lastError: error, scheduledNext: false)
        }
        if report.outcome == .delivered {
            return AttemptDecision(
                status: .completed, nextAttemptAt: nil, scheduledFailures: failures, lastError: nil, scheduledNext: false)
        }
        if report.responseStatus == 410 || report.final || report.outcome == .mappingError {
            return AttemptDecision(status: .failed, nextAttemptAt: nil, scheduledFailures: failures, lastError: error, scheduledNext: false)
        }
        if job.trigger == .manual {
            // A manual failure never reschedules: back to where it was, schedule untouched.
            let back: DeliveryStatus = job.previousStatus == .failed ? .failed : job.previousStatus
            return AttemptDecision(
                status: back, nextAttemptAt: back == .failed ? nil : job.previousNextAttemptAt, scheduledFailures: failures,
                lastError: error, scheduledNext: false)
        }
        guard
            let delay = job.connection.ladder.delay(
                afterFailure: failures, outcome: report.outcome, retryAfter: report.retryAfter, jitter: jitter)
        else {
            return AttemptDecision(status: .failed, nextAttemptAt: nil, scheduledFailures: failures, lastError: error, scheduledNext: false)
        }
        return AttemptDecision(
            status: .retrying, nextAttemptAt: report.endedAt + Int64((delay * 1000).rounded()), scheduledFailures: failures,
            lastError: error, scheduledNext: true)
    }
}

/// One finished attempt waiting to be recorded.
public struct FinishedAttempt: Sendable {
    public var job: DeliveryJob
    public var report: AttemptReport
    public var decision: AttemptDecision

    public init(job: DeliveryJob, report: AttemptReport, decision: AttemptDecision) {
        self.job = job
        self.report = report
        self.decision = decision
    }
}

/// Why a manual retry is refused (§5.6), as the API answers it.
public enum ManualRetryRefusal: Error, Sendable, Equatable {
    case notFound
    case terminal(DeliveryStatus)
    case connectionInactive
    case tooEarly
}

/// The delivery side of the store (§5.3–5.8). Claims are one transaction each and carry a lease, so several
/// processes (and, with a PostgreSQL store, several nodes using `FOR UPDATE SKIP LOCKED`) share the work and
/// never run the same due delivery twice at once.
public protocol DeliveryStore: Sendable {
    /// Claims up to `limit` due rule events (oldest `next_attempt_at` first) for `owner`: sets them
    /// `processing` with a lease of the connection's timeout + 30 s. Each connection's `max_concurrency` (its
    /// processing rows) and `rate_limit_per_second` (a bucket in `rate_buckets`) are enforced here, in the claim's
    /// transaction, so they hold across every process and node sharing the store; work held back stays due.
    func claimDue(owner: String, now: Int64, limit: Int) async throws -> [DeliveryJob]

    /// Records the attempt and applies its decision, the connection's health (§5.5) and the event's status
    /// (§5.7) in one transaction. Returns the rule event as it now stands.
    func finishAttempt(_ job: DeliveryJob, report: AttemptReport, decision: AttemptDecision) async throws -> RuleEvent

    /// `finishAttempt` for several attempts in one store call (the scheduler records what finished together).
    /// All or nothing: on failure none is recorded and their leases expire into retries.
    func finishAttempts(_ finished: [FinishedAttempt]) async throws -> [RuleEvent]

    /// Rule events whose lease expired before `now`: each gets an `internal_error` "attempt interrupted"
    /// attempt, then `retrying` now (a ladder slot is left) or `failed`. Returns how many were recovered.
    func recoverExpiredLeases(now: Int64) async throws -> Int

    /// The earliest `next_attempt_at` of due-able work, nil when there is none.
    func nextDueAt() async throws -> Int64?

    /// Claims one rule event for a manual attempt (§5.6), or says why not.
    func claimManual(orgID: String, eventID: String, ruleID: String, owner: String, now: Int64) async throws -> Result<
        DeliveryJob, ManualRetryRefusal
    >

    /// Calls `signal` whenever another process or node may have stored new due work, for as long as the returned
    /// task runs (cancel it to stop); nil when the store has no such channel, and the scheduler relies on its poll
    /// and on its own process's wake-ups.
    func watchNewWork(_ signal: @escaping @Sendable () -> Void) -> Task<Void, Never>?
}

extension DeliveryStore {
    /// SQLite has no notification channel between processes: other processes' work is found by the poll.
    public func watchNewWork(_ signal: @escaping @Sendable () -> Void) -> Task<Void, Never>? { nil }
}

/// The mapped fields of an adapter delivery (§6.3): the connection's stored default mapping, else the one
/// generated from its catalogue, applied to the payload.
public enum DeliveryMapping {
    /// Webhook, Slack and Discord ignore mappings (§6.3).
    public static func needsFields(_ type: String) -> Bool { !["webhook", "slack", "discord"].contains(type) }

    public static func fields(for job: DeliveryJob, store: any MeshesStore) async throws -> Result<JSONObject, MappingFailure> {
        let schema: MappingSchema
        if let stored = try await store.defaultMapping(orgID: job.ruleEvent.orgID, connectionID: job.connection.id) {
            schema = stored.schema
        } else {
            guard let type = IntegrationType(rawValue: job.connection.type),
                let integration = try? IntegrationCatalog.bundled().integration(for: type)
            else { return .success(JSONObject()) }
            schema = MappingSchema.generated(catalogFieldKeys: FieldCatalogSource(integration).fields.compactMap { $0["key"]?.stringValue })
        }
        do throws(MappingFailure) {
            return .success(try MappingEngine.apply(schema, to: job.envelope.payload).fields)
        } catch {
            return .failure(error)
        }
    }
}

/// What the API needs of a delivery engine.
public protocol DeliveryControl: Sendable {
    /// New work may be due.
    func wake()
    /// One manual attempt, inline (§5.6).
    func retryNow(orgID: String, eventID: String, ruleID: String) async throws -> Result<RuleEvent, ManualRetryRefusal>
}
