internal import MeshesCore
internal import SharedCore

/// What recovering one expired lease records (§5.3), shared by the stores: an `internal_error` "attempt interrupted"
/// attempt, then `retrying` now when a ladder slot is left, `canceled` when a cancel was asked for, else `failed`.
package struct LeaseRecovery: Sendable {
    /// The job the interrupted attempt is recorded for.
    package var job: DeliveryJob
    package var report: AttemptReport
    package var status: DeliveryStatus
    /// Failed scheduled attempts, this one included.
    package var scheduledFailures: Int
    package var nextAttemptAt: Int64?
    package var lastError: String

    /// `connection` is nil when it was deleted meanwhile (then no slot is left and the URL is unknown).
    package init(
        ruleEvent: RuleEvent, storeKey: Int64, connection: DeliveryConnection?, scheduledFailures previous: Int, cancelRequested: Bool,
        leaseOwner: String?, leaseExpiresAt: Int64?, now: Int64
    ) {
        let connection =
            connection
            ?? DeliveryConnection(id: ruleEvent.connectionID, type: ruleEvent.integrationType, metadata: [:], secrets: [:], active: false)
        let failures = previous + 1
        let slotLeft = failures <= connection.ladder.schedule.count
        status = cancelRequested ? .canceled : slotLeft ? .retrying : .failed
        scheduledFailures = failures
        nextAttemptAt = status == .retrying ? now : nil
        let message = "attempt interrupted"
        lastError = "internal_error: " + message
        job = DeliveryJob(
            ruleEvent: ruleEvent, storeKey: storeKey, previousStatus: .processing, previousNextAttemptAt: nil,
            scheduledFailures: previous, trigger: .scheduled, leaseOwner: leaseOwner ?? "",
            envelope: DeliveryEnvelope(
                eventID: ruleEvent.eventID, eventName: ruleEvent.eventName, workspaceID: ruleEvent.workspaceID,
                resource: ruleEvent.resource, resourceID: ruleEvent.resourceID, eventCreatedAt: ruleEvent.createdAt, payload: [:],
                ruleEventID: ruleEvent.id, ruleID: ruleEvent.ruleID, connectionID: ruleEvent.connectionID),
            connection: connection, ruleMetadata: [:], fields: [:])
        let url = connection.metadata["url"]?.stringValue ?? connection.metadata["webhook_url"]?.stringValue ?? ""
        let started = leaseExpiresAt.map { $0 - Int64(connection.timeoutSeconds) * 1000 - SQLiteStore.leaseMarginMS } ?? now
        report = AttemptReport(
            outcome: .internalError, message: message, requestMethod: connection.metadata["http_method"]?.stringValue ?? "POST",
            requestURL: OutboundRequest(method: "POST", url: url, headers: [], body: []).recordedURL(
                secretNames: Set(connection.secrets.keys)), startedAt: min(started, now), endedAt: now)
    }
}
