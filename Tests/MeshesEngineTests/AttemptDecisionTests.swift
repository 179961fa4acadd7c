import SharedCore
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// The rule event after each attempt (§5.4, §5.6): conformance case C5 with the jitter pinned to 1.0.
@Suite struct AttemptDecisionTests {
    static func job(
        schedule: [Int]? = nil, failures: Int = 0, trigger: AttemptTrigger = .scheduled, previous: DeliveryStatus = .pending,
        previousNext: Int64? = nil, cancelRequested: Bool = false
    ) -> DeliveryJob {
        var metadata: JSONObject = ["url": "https://example.com/hook"]
        if let schedule { metadata["retry_schedule"] = .array(schedule.map(JSONValue.int)) }
        let ruleEvent = RuleEvent(
            id: "re", orgID: "o", workspaceID: "w", eventID: "e", eventName: "user.signup", resource: "global", resourceID: nil,
            connectionID: "c", ruleID: "r", integrationType: "webhook", status: .processing, attemptCount: failures,
            nextAttemptAt: nil, cancelRequested: cancelRequested, createdBy: "test", createdAt: 0)
        return DeliveryJob(
            ruleEvent: ruleEvent, storeKey: 1, previousStatus: previous, previousNextAttemptAt: previousNext, scheduledFailures: failures,
            trigger: trigger, leaseOwner: "me",
            envelope: DeliveryEnvelope(
                eventID: "e", eventName: "user.signup", workspaceID: "w", resource: "global", resourceID: nil, eventCreatedAt: 0,
                payload: [:], ruleEventID: "re", ruleID: "r", connectionID: "c"),
            connection: DeliveryConnection(id: "c", type: "webhook", metadata: metadata, secrets: [:], active: true), ruleMetadata: [:],
            fields: [:])
    }

    static func report(_ outcome: Outcome, status: Int? = nil, retryAfter: Double? = nil, at: Int64) -> AttemptReport {
        AttemptReport(
            outcome: outcome, message: "m", requestMethod: "POST", requestURL: "https://example.com/hook", responseStatus: status,
            retryAfter: retryAfter, startedAt: at, endedAt: at)
    }

    @Test func theDefaultLadderRunsEightAttemptsAtTheDocumentedTimes() {
        var at: Int64 = 0
        var failures = 0
        var times: [Int64] = []
        var last: AttemptDecision?
        for _ in 1...8 {
            times.append(at)
            let decision = AttemptDecision.decide(
                Self.job(failures: failures), Self.report(.rejectedServerError, status: 500, at: at), jitter: 1.0)
            last = decision
            failures = decision.scheduledFailures
            guard let next = decision.nextAttemptAt else { break }
            #expect(decision.status == .retrying)
            at = next
        }
        #expect(times.map { $0 / 1000 } == [0, 5, 305, 2105, 9305, 27305, 63305, 99305])
        #expect(last?.status == .failed)
        #expect(last?.scheduledFailures == 8)
        #expect(last?.lastError == "rejected_server_error: m")
    }

    @Test func shortLaddersPenaltiesAndRetryAfter() {
        let first = AttemptDecision.decide(Self.job(schedule: [5, 10]), Self.report(.rejectedServerError, status: 500, at: 0), jitter: 1.0)
        #expect(first.nextAttemptAt == 5000)
        let second = AttemptDecision.decide(Self.job(schedule: [5, 10], failures: 1), Self.report(.timeout, at: 5000), jitter: 1.0)
        #expect(second.nextAttemptAt == 65_000)
        let third = AttemptDecision.decide(Self.job(schedule: [5, 10], failures: 2), Self.report(.timeout, at: 65_000), jitter: 1.0)
        #expect(third.status == .failed)
        #expect(third.nextAttemptAt == nil)
        // Base 60 after the penalty: Retry-After 300 is clamped to 2 x base; Retry-After 1 is raised to the base.
        let limited = AttemptDecision.decide(
            Self.job(schedule: [60]), Self.report(.rateLimited, status: 429, retryAfter: 300, at: 0), jitter: 1.0)
        #expect(limited.nextAttemptAt == 120_000)
        let soon = AttemptDecision.decide(
            Self.job(schedule: [60]), Self.report(.rateLimited, status: 429, retryAfter: 1, at: 0), jitter: 1.0)
        #expect(soon.nextAttemptAt == 60_000)
        // Live jitter keeps the delay after failure 2 within [240, 360] s.
        for jitter in [0.8, 1.2] {
            let decision = AttemptDecision.decide(Self.job(failures: 1), Self.report(.networkError, at: 0), jitter: jitter)
            #expect((240_000...360_000).contains(decision.nextAttemptAt ?? -1))
        }
        #expect(AttemptDecision.decide(Self.job(schedule: []), Self.report(.networkError, at: 0), jitter: 1).status == .failed)
    }

    @Test func goneMappingAndUnsupportedFailAtOnce() {
        #expect(AttemptDecision.decide(Self.job(), Self.report(.rejectedClientError, status: 410, at: 0), jitter: 1).status == .failed)
        #expect(AttemptDecision.decide(Self.job(), Self.report(.mappingError, at: 0), jitter: 1).status == .failed)
        var unsupported = Self.report(.internalError, at: 0)
        unsupported.final = true
        #expect(AttemptDecision.decide(Self.job(), unsupported, jitter: 1).status == .failed)
        #expect(AttemptDecision.decide(Self.job(), Self.report(.internalError, at: 0), jitter: 1).status == .retrying)
    }

    @Test func manualAttemptsNeverReschedule() {
        let fromRetrying = AttemptDecision.decide(
            Self.job(failures: 2, trigger: .manual, previous: .retrying, previousNext: 900_000), Self.report(.timeout, at: 1000), jitter: 1)
        #expect(fromRetrying.status == .retrying)
        #expect(fromRetrying.nextAttemptAt == 900_000)
        #expect(fromRetrying.scheduledFailures == 2)
        let fromFailed = AttemptDecision.decide(
            Self.job(failures: 8, trigger: .manual, previous: .failed), Self.report(.rejectedServerError, status: 500, at: 0), jitter: 1)
        #expect(fromFailed.status == .failed)
        #expect(fromFailed.nextAttemptAt == nil)
        let delivered = AttemptDecision.decide(
            Self.job(failures: 8, trigger: .manual, previous: .failed), Self.report(.delivered, status: 200, at: 0), jitter: 1)
        #expect(delivered.status == .completed)
        #expect(delivered.lastError == nil)
    }

    @Test func aCancelRequestedWhileRunningDecidesByTheOutcome() {
        #expect(
            AttemptDecision.decide(Self.job(cancelRequested: true), Self.report(.delivered, status: 200, at: 0), jitter: 1).status
                == .completed)
        #expect(
            AttemptDecision.decide(Self.job(cancelRequested: true), Self.report(.rejectedServerError, status: 500, at: 0), jitter: 1)
                .status == .canceled)
    }
}
