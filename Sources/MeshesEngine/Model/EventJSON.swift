internal import SharedCore

/// A string member's value as the JSON writer takes it: a `String`, or the bytes of a database column (pages of
/// events are written straight from the rows, without a `String` per value).
protocol JSONText {
    func write(to writer: inout JSONWriter)
}

extension String: JSONText {
    func write(to writer: inout JSONWriter) { writer.string(self) }
}

extension JSONWriter {
    mutating func text(_ value: some JSONText) { value.write(to: &self) }

    mutating func text(_ value: (some JSONText)?) {
        if let value { value.write(to: &self) } else { null() }
    }

    /// The member `name` with a timestamp, left out when there is none (the optional times of §2.5/§2.6).
    mutating func timestamp(_ name: StaticString, ifPresent milliseconds: Int64?) {
        guard let milliseconds else { return }
        key(name)
        timestamp(milliseconds)
    }
}

/// What the JSON form of an event shows (§2.5), read from an `Event` or from a row of the store.
protocol EventFields {
    associatedtype Text: JSONText
    var id: Text { get }
    var workspaceID: Text { get }
    var event: Text { get }
    var resource: Text { get }
    var resourceID: Text? { get }
    var statusText: String { get }
    var totalRules: Int { get }
    var completedCount: Int { get }
    var failedCount: Int { get }
    var canceledCount: Int { get }
    var startedAt: Int64? { get }
    var completedAt: Int64? { get }
    var createdBy: Text { get }
    var createdAt: Int64 { get }
}

/// What the JSON form of a rule event shows (§2.6), read from a `RuleEvent` or from a row of the store.
protocol RuleEventFields {
    associatedtype Text: JSONText
    var id: Text { get }
    var workspaceID: Text { get }
    var eventName: Text { get }
    var eventID: Text { get }
    var resource: Text { get }
    var resourceID: Text? { get }
    var connectionID: Text { get }
    var ruleID: Text { get }
    var integrationType: Text { get }
    var statusText: String { get }
    var attemptCount: Int { get }
    var nextAttemptAt: Int64? { get }
    var startedAt: Int64? { get }
    var completedAt: Int64? { get }
    var lastError: Text? { get }
    var createdBy: Text { get }
    var createdAt: Int64 { get }
}

extension Event: EventFields {
    var statusText: String { status.rawValue }
}

extension RuleEvent: RuleEventFields {
    var statusText: String { status.rawValue }
}

/// The one spelling of the members (and their order) of the full event and rule event forms.
enum EventJSON {
    /// The full form: members, then `rule_events` (written by `ruleEvents`), then `payload` when given.
    static func write(
        _ event: some EventFields, to writer: inout JSONWriter, payload: JSONValue?, ruleEvents: (inout JSONWriter) throws -> Void
    ) rethrows {
        writer.beginObject()
        writer.key("id")
        writer.text(event.id)
        writer.key("type")
        writer.string("event")
        writer.key("workspace")
        writer.text(event.workspaceID)
        writer.key("event")
        writer.text(event.event)
        writer.key("resource")
        writer.text(event.resource)
        writer.key("resource_id")
        writer.text(event.resourceID)
        writer.key("status")
        writer.string(event.statusText)
        writer.key("total_rules")
        writer.int(event.totalRules)
        writer.key("completed_count")
        writer.int(event.completedCount)
        writer.key("failed_count")
        writer.int(event.failedCount)
        writer.key("canceled_count")
        writer.int(event.canceledCount)
        writer.timestamp("started_at", ifPresent: event.startedAt)
        writer.timestamp("completed_at", ifPresent: event.completedAt)
        writer.key("created_by")
        writer.text(event.createdBy)
        writer.key("created_at")
        writer.timestamp(event.createdAt)
        writer.key("rule_events")
        writer.beginArray()
        try ruleEvents(&writer)
        writer.endArray()
        if let payload {
            writer.key("payload")
            writer.value(payload)
        }
        writer.endObject()
    }

    static func write(_ ruleEvent: some RuleEventFields, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.text(ruleEvent.id)
        writer.key("type")
        writer.string("rule")
        writer.key("workspace")
        writer.text(ruleEvent.workspaceID)
        writer.key("event")
        writer.text(ruleEvent.eventName)
        writer.key("event_id")
        writer.text(ruleEvent.eventID)
        writer.key("resource")
        writer.text(ruleEvent.resource)
        writer.key("resource_id")
        writer.text(ruleEvent.resourceID)
        writer.key("connection")
        writer.text(ruleEvent.connectionID)
        writer.key("rule")
        writer.text(ruleEvent.ruleID)
        writer.key("integration_type")
        writer.text(ruleEvent.integrationType)
        writer.key("status")
        writer.string(ruleEvent.statusText)
        writer.key("attempt_count")
        writer.int(ruleEvent.attemptCount)
        writer.timestamp("next_attempt_at", ifPresent: ruleEvent.nextAttemptAt)
        writer.timestamp("started_at", ifPresent: ruleEvent.startedAt)
        writer.timestamp("completed_at", ifPresent: ruleEvent.completedAt)
        if let lastError = ruleEvent.lastError {
            writer.key("last_error")
            writer.text(lastError)
        }
        writer.key("created_by")
        writer.text(ruleEvent.createdBy)
        writer.key("created_at")
        writer.timestamp(ruleEvent.createdAt)
        writer.endObject()
    }
}
