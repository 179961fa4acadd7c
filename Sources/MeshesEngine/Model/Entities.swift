internal import MeshesCore
public import SharedCore

/// Timestamps are stored as epoch milliseconds and rendered as RFC 3339 UTC with milliseconds.
func iso(_ milliseconds: Int64) -> JSONValue { .string(Formats.timestamp(milliseconds: milliseconds)) }
func iso(_ milliseconds: Int64?) -> JSONValue { milliseconds.map { iso($0) } ?? .null }

/// The organisation a principal acts for.
public struct Org: Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdAt: Int64

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(id: String, name: String, createdAt: Int64) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// A stored machine key (the secret is unsealed only for verification).
public struct MachineKey: Sendable, Equatable {
    public var accessKey: String
    public var orgID: String
    public var createdAt: Int64
    public var lastUsedAt: Int64?
    public var revokedAt: Int64?

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(accessKey: String, orgID: String, createdAt: Int64, lastUsedAt: Int64? = nil, revokedAt: Int64? = nil) {
        self.accessKey = accessKey
        self.orgID = orgID
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// §2.2.
public struct Workspace: Sendable, Equatable {
    public var id: String
    public var orgID: String
    public var name: String
    public var description: String?
    public var publishableKey: String
    public var createdAt: Int64
    public var updatedAt: Int64

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(
        id: String, orgID: String, name: String, description: String? = nil, publishableKey: String, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.orgID = orgID
        self.name = name
        self.description = description
        self.publishableKey = publishableKey
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The list/update form (no publishable key).
    public var json: JSONValue { JSONWriter.value { write(to: &$0, detail: false) } }

    /// `GET /workspaces/{id}`: with `publishable_key`.
    public var detailJSON: JSONValue { JSONWriter.value { write(to: &$0, detail: true) } }

    /// Writes the list form, or with `detail` the `GET /workspaces/{id}` form.
    public func write(to writer: inout JSONWriter, detail: Bool) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("name")
        writer.string(name)
        writer.key("description")
        writer.string(description)
        writer.key("created_at")
        writer.timestamp(createdAt)
        writer.key("updated_at")
        writer.timestamp(updatedAt)
        if detail {
            writer.key("publishable_key")
            writer.beginObject()
            writer.key("public_key")
            writer.string(publishableKey)
            writer.key("name")
            writer.string("Default")
            writer.endObject()
        }
        writer.endObject()
    }
}

/// §2.3.
public struct Connection: Sendable, Equatable {
    public var id: String
    public var orgID: String
    public var workspaceID: String
    public var type: String
    public var name: String
    /// Public metadata (secret values removed).
    public var metadata: JSONObject
    /// Names of the secret metadata keys that hold a sealed value.
    public var secretKeys: [String]
    public var actionData: JSONValue?
    public var active: Bool
    public var inactiveReason: String?
    public var hidden: Bool
    public var createdBy: String
    public var createdAt: Int64
    public var updatedAt: Int64

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(
        id: String, orgID: String, workspaceID: String, type: String, name: String, metadata: JSONObject, secretKeys: [String],
        actionData: JSONValue? = nil, active: Bool, inactiveReason: String? = nil, hidden: Bool, createdBy: String, createdAt: Int64,
        updatedAt: Int64
    ) {
        self.id = id
        self.orgID = orgID
        self.workspaceID = workspaceID
        self.type = type
        self.name = name
        self.metadata = metadata
        self.secretKeys = secretKeys
        self.actionData = actionData
        self.active = active
        self.inactiveReason = inactiveReason
        self.hidden = hidden
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Secrets redacted as `"********"`; `revealed` adds clear values (a generated signing secret, once).
    public func json(revealed: [String: String] = [:]) -> JSONValue {
        var meta = metadata
        for key in secretKeys { meta[key] = .string(revealed[key] ?? Connection.redacted) }
        var object = JSONObject()
        object["id"] = .string(id)
        object["workspace"] = .string(workspaceID)
        object["type"] = .string(type)
        object["name"] = .string(name)
        object["metadata"] = .object(meta)
        if let actionData { object["action_data"] = actionData }
        object["active"] = .bool(active)
        if let inactiveReason { object["inactive_reason"] = .string(inactiveReason) }
        object["hidden"] = .bool(hidden)
        object["created_by"] = .string(createdBy)
        object["created_at"] = iso(createdAt)
        object["updated_at"] = iso(updatedAt)
        return .object(object)
    }

    public static let redacted = "********"
}

/// §2.4.
public struct Rule: Sendable, Equatable {
    public var id: String
    public var orgID: String
    public var workspaceID: String
    public var connectionID: String
    public var type: String
    public var event: String
    public var resource: String?
    public var resourceID: String?
    public var metadata: JSONObject
    public var active: Bool
    public var hidden: Bool
    public var createdBy: String
    public var createdAt: Int64
    public var updatedAt: Int64

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(
        id: String, orgID: String, workspaceID: String, connectionID: String, type: String, event: String, resource: String? = nil,
        resourceID: String? = nil, metadata: JSONObject, active: Bool, hidden: Bool, createdBy: String, createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.orgID = orgID
        self.workspaceID = workspaceID
        self.connectionID = connectionID
        self.type = type
        self.event = event
        self.resource = resource
        self.resourceID = resourceID
        self.metadata = metadata
        self.active = active
        self.hidden = hidden
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["workspace"] = .string(workspaceID)
        object["connection"] = .string(connectionID)
        object["type"] = .string(type)
        object["event"] = .string(event)
        if let resource { object["resource"] = .string(resource) }
        object["resource_id"] = resourceID.map(JSONValue.string) ?? .null
        object["metadata"] = .object(metadata)
        object["active"] = .bool(active)
        object["hidden"] = .bool(hidden)
        object["created_by"] = .string(createdBy)
        object["created_at"] = iso(createdAt)
        object["updated_at"] = iso(updatedAt)
        return .object(object)
    }
}

/// Delivery status of a rule event (§2.6).
public enum DeliveryStatus: String, Sendable, CaseIterable {
    case pending, processing, retrying, completed, failed, canceled

    public var isTerminal: Bool { self == .completed || self == .failed || self == .canceled }

    /// An event's status from its rule events' (§5.7): the first rule that applies. `counts` is keyed by raw status.
    package static func aggregate(total: Int, counts: [String: Int], anyStarted: Bool) -> DeliveryStatus {
        if total == 0 { return .completed }
        if (counts["processing"] ?? 0) > 0 { return .processing }
        if (counts["retrying"] ?? 0) > 0 { return .retrying }
        if (counts["pending"] ?? 0) > 0 { return anyStarted ? .processing : .pending }
        if (counts["failed"] ?? 0) > 0 { return .failed }
        if (counts["completed"] ?? 0) > 0 { return .completed }
        return .canceled
    }
}

/// §2.6.
public struct RuleEvent: Sendable, Equatable {
    public var id: String
    public var orgID: String
    public var workspaceID: String
    public var eventID: String
    public var eventName: String
    public var resource: String
    public var resourceID: String?
    public var connectionID: String
    public var ruleID: String
    public var integrationType: String
    public var status: DeliveryStatus
    public var attemptCount: Int
    public var nextAttemptAt: Int64?
    public var startedAt: Int64?
    public var completedAt: Int64?
    public var lastError: String?
    public var cancelRequested: Bool
    public var createdBy: String
    public var createdAt: Int64

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(
        id: String, orgID: String, workspaceID: String, eventID: String, eventName: String, resource: String, resourceID: String? = nil,
        connectionID: String, ruleID: String, integrationType: String, status: DeliveryStatus, attemptCount: Int,
        nextAttemptAt: Int64? = nil, startedAt: Int64? = nil, completedAt: Int64? = nil, lastError: String? = nil, cancelRequested: Bool,
        createdBy: String, createdAt: Int64
    ) {
        self.id = id
        self.orgID = orgID
        self.workspaceID = workspaceID
        self.eventID = eventID
        self.eventName = eventName
        self.resource = resource
        self.resourceID = resourceID
        self.connectionID = connectionID
        self.ruleID = ruleID
        self.integrationType = integrationType
        self.status = status
        self.attemptCount = attemptCount
        self.nextAttemptAt = nextAttemptAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.lastError = lastError
        self.cancelRequested = cancelRequested
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    public var json: JSONValue { JSONWriter.value { write(to: &$0) } }

    public func write(to writer: inout JSONWriter) { EventJSON.write(self, to: &writer) }
}

/// §2.5 stored event.
public struct Event: Sendable, Equatable {
    public var id: String
    public var orgID: String
    public var workspaceID: String
    public var event: String
    public var resource: String
    public var resourceID: String?
    public var status: DeliveryStatus
    public var totalRules: Int
    public var completedCount: Int
    public var failedCount: Int
    public var canceledCount: Int
    public var startedAt: Int64?
    public var completedAt: Int64?
    public var createdBy: String
    public var createdAt: Int64
    public var payload: JSONValue?
    public var ruleEvents: [RuleEvent]

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(
        id: String, orgID: String, workspaceID: String, event: String, resource: String, resourceID: String? = nil, status: DeliveryStatus,
        totalRules: Int, completedCount: Int, failedCount: Int, canceledCount: Int, startedAt: Int64? = nil, completedAt: Int64? = nil,
        createdBy: String, createdAt: Int64, payload: JSONValue? = nil, ruleEvents: [RuleEvent]
    ) {
        self.id = id
        self.orgID = orgID
        self.workspaceID = workspaceID
        self.event = event
        self.resource = resource
        self.resourceID = resourceID
        self.status = status
        self.totalRules = totalRules
        self.completedCount = completedCount
        self.failedCount = failedCount
        self.canceledCount = canceledCount
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.payload = payload
        self.ruleEvents = ruleEvents
    }

    /// The ingest response object (`POST /events`).
    public var createdJSON: JSONValue { JSONWriter.value { writeCreated(to: &$0) } }

    public func writeCreated(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("type")
        writer.string("event")
        writer.key("event")
        writer.string(event)
        writer.key("workspace")
        writer.string(workspaceID)
        writer.key("resource")
        writer.string(resource)
        writer.key("resource_id")
        writer.string(resourceID)
        writer.key("created_by")
        writer.string(createdBy)
        writer.key("created_at")
        writer.timestamp(createdAt)
        writer.key("status")
        writer.string(status.rawValue)
        writer.key("total_rules")
        writer.int(totalRules)
        writer.endObject()
    }

    /// The full form with `rule_events` (and `payload` when requested).
    public func json(includePayload: Bool = false) -> JSONValue {
        JSONWriter.value { write(to: &$0, includePayload: includePayload) }
    }

    public func write(to writer: inout JSONWriter, includePayload: Bool = false) {
        EventJSON.write(self, to: &writer, payload: includePayload ? payload : nil) { writer in
            for ruleEvent in ruleEvents { ruleEvent.write(to: &writer) }
        }
    }
}

/// An event-type or resource catalogue entry (§2.9).
public struct CatalogItem: Sendable, Equatable {
    public var id: String
    public var key: String
    public var label: String
    public var description: String?
    public var active: Bool
    public var createdBy: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(
        id: String, key: String, label: String, description: String? = nil, active: Bool, createdBy: String? = nil, createdAt: Int64,
        updatedAt: Int64
    ) {
        self.id = id
        self.key = key
        self.label = label
        self.description = description
        self.active = active
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["key"] = .string(key)
        object["label"] = .string(label)
        if let description { object["description"] = .string(description) }
        object["active"] = .bool(active)
        if let createdBy { object["created_by"] = .string(createdBy) }
        object["created_at"] = iso(createdAt)
        object["updated_at"] = iso(updatedAt)
        return .object(object)
    }
}

/// §2.7: one delivery attempt.
public struct Attempt: Sendable, Equatable {
    public var id: String
    public var ruleEventID: String
    public var eventID: String
    public var ruleID: String
    public var connectionID: String
    public var attemptNumber: Int
    public var trigger: String
    public var outcomeCode: String
    public var message: String
    public var requestMethod: String
    public var requestURL: String
    public var responseStatus: Int?
    public var responseDurationMS: Int
    public var responseHeaders: JSONValue?
    public var responseBody: String?
    public var responseTruncated: Bool
    public var startedAt: Int64
    public var endedAt: Int64
    public var nextAttemptAt: Int64?
    public var createdAt: Int64

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(
        id: String, ruleEventID: String, eventID: String, ruleID: String, connectionID: String, attemptNumber: Int, trigger: String,
        outcomeCode: String, message: String, requestMethod: String, requestURL: String, responseStatus: Int? = nil,
        responseDurationMS: Int, responseHeaders: JSONValue? = nil, responseBody: String? = nil, responseTruncated: Bool, startedAt: Int64,
        endedAt: Int64, nextAttemptAt: Int64? = nil, createdAt: Int64
    ) {
        self.id = id
        self.ruleEventID = ruleEventID
        self.eventID = eventID
        self.ruleID = ruleID
        self.connectionID = connectionID
        self.attemptNumber = attemptNumber
        self.trigger = trigger
        self.outcomeCode = outcomeCode
        self.message = message
        self.requestMethod = requestMethod
        self.requestURL = requestURL
        self.responseStatus = responseStatus
        self.responseDurationMS = responseDurationMS
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.responseTruncated = responseTruncated
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["rule_event"] = .string(ruleEventID)
        object["event_id"] = .string(eventID)
        object["rule"] = .string(ruleID)
        object["connection"] = .string(connectionID)
        object["attempt_number"] = .int(attemptNumber)
        object["trigger"] = .string(trigger)
        object["outcome_code"] = .string(outcomeCode)
        object["message"] = .string(message)
        object["request_method"] = .string(requestMethod)
        object["request_url"] = .string(requestURL)
        if let responseStatus { object["response_status"] = .int(responseStatus) }
        object["response_duration_ms"] = .int(responseDurationMS)
        object["response_truncated"] = .bool(responseTruncated)
        object["started_at"] = iso(startedAt)
        object["ended_at"] = iso(endedAt)
        if let nextAttemptAt { object["next_attempt_at"] = iso(nextAttemptAt) }
        return .object(object)
    }

    /// `GET …/attempts/{aid}/response-details`.
    public var responseDetailsJSON: JSONValue {
        var object = JSONObject()
        object["attempt_id"] = .string(id)
        object["response_status"] = responseStatus.map(JSONValue.int) ?? .null
        object["response_headers"] = responseHeaders ?? .null
        object["response_body"] = responseBody.map(JSONValue.string) ?? .null
        object["response_truncated"] = .bool(responseTruncated)
        return .object(object)
    }
}
