public import SharedCore

/// Validates ingest bodies (§2.5) and bulk arrays (§3.1) into `IngestItem`s.
///
/// Checks run in the order of the spec's table and the first failure is thrown: `workspace` format,
/// then `event` (400 `invalid_event`), `payload` (400 `invalid_payload`), `resource`/`resource_id`
/// and `type` (400 `invalid_request`). Whether `workspace` must be present depends on the
/// credential; that is `resolveWorkspace(of:publishableKeyWorkspace:)`.
public enum IngestValidator {
    /// Longest event key, in UTF-16 units.
    public static let maxEventLength = 128
    /// Largest payload, as compact JSON in UTF-8 bytes (256 KiB).
    public static let maxPayloadBytes = 256 * 1024
    /// Items per bulk request.
    public static let bulkLimit = 1...100
    /// Payload keys the engine recognises (§2.5); only `email` is checked.
    public static let recognisedPayloadKeys = [
        "email", "id", "ip_address", "name", "first_name", "last_name", "phone", "resource_url",
    ]
    /// The message of an all-empty payload, as the reference API words it (C3).
    public static let emptyPayloadMessage = "payload must contain at least one non-empty value"

    /// Validates one ingest body.
    public static func validate(_ body: JSONValue) throws(APIError) -> IngestItem {
        let reader = try BodyReader(body)
        let workspace = try reader.uuid("workspace")
        let event = try validateEvent(reader.object["event"])
        let (payload, payloadJSON) = try validatePayload(reader.object["payload"])
        let resource = try reader.resourceToken("resource") ?? "global"
        let resourceID = try reader.resourceToken("resource_id")
        if let type = try reader.string("type"), type != "event" {
            throw ValidationRules.invalidRequest("type", "type must be \"event\"")
        }
        return IngestItem(
            workspace: workspace, event: event, payload: payload, payloadJSON: payloadJSON, resource: resource, resourceID: resourceID)
    }

    /// Validates a bulk body: a JSON array of 1..100 items (400 `invalid_request` otherwise), then
    /// each item on its own, so the result keeps input order with one outcome per item.
    public static func validateBulk(_ body: JSONValue) throws(APIError) -> [Result<IngestItem, APIError>] {
        guard let items = body.arrayValue else {
            throw APIError(status: 400, code: "invalid_request", message: "request body must be a JSON array of events")
        }
        guard !items.isEmpty else {
            throw APIError(status: 400, code: "invalid_request", message: "request body must contain at least one event")
        }
        guard items.count <= bulkLimit.upperBound else {
            throw APIError(
                status: 400, code: "invalid_request",
                message: "request body must contain at most \(bulkLimit.upperBound) events")
        }
        return items.map { item in
            guard item.objectValue != nil else {
                return .failure(APIError(status: 400, code: "invalid_request", message: "each event must be a JSON object"))
            }
            do throws(APIError) {
                return .success(try validate(item))
            } catch {
                return .failure(error)
            }
        }
    }

    /// The workspace an item goes to. With machine-key auth (`publishableKeyWorkspace == nil`) the
    /// body must name it (400 `invalid_request`); with a publishable key it defaults to the key's
    /// workspace and must equal it when given (403 `forbidden`). The result is lowercase.
    public static func resolveWorkspace(of item: IngestItem, publishableKeyWorkspace: String?) throws(APIError) -> String {
        guard let keyWorkspace = publishableKeyWorkspace?.lowercased() else {
            guard let workspace = item.workspace else {
                throw ValidationRules.invalidRequest("workspace", "workspace is required")
            }
            return workspace
        }
        if let workspace = item.workspace, workspace != keyWorkspace {
            throw APIError.forbidden("workspace does not match the publishable key")
        }
        return keyWorkspace
    }

    /// The `event` rules: a string, not blank after trimming, ≤128 characters, no control characters.
    static func validateEvent(_ value: JSONValue?) throws(APIError) -> String {
        func fail(_ message: String) -> APIError {
            APIError(status: 400, code: "invalid_event", message: message, details: [.init(field: "event", message: message)])
        }
        guard let value, !value.isNull else { throw fail("event is required") }
        guard let event = value.stringValue else { throw fail("event must be a string") }
        guard !ValidationRules.isBlank(event) else { throw fail("event must not be blank") }
        guard ValidationRules.length(event) <= maxEventLength else {
            throw fail("event must be at most \(maxEventLength) characters")
        }
        guard !ValidationRules.hasControlCharacter(event) else { throw fail("event must not contain control characters") }
        return event
    }

    /// The `payload` rules: an object, ≤256 KiB serialised, a non-empty value, a plausible `email`. Returns the
    /// object and its compact serialisation.
    static func validatePayload(_ value: JSONValue?) throws(APIError) -> (JSONObject, String) {
        func fail(_ message: String, field: String = "payload") -> APIError {
            APIError(status: 400, code: "invalid_payload", message: message, details: [.init(field: field, message: message)])
        }
        guard let value, !value.isNull else { throw fail("payload is required") }
        guard let payload = value.objectValue else { throw fail("payload must be a JSON object") }
        let serialised = JSONEmitter.compact(value)
        guard serialised.utf8.count <= maxPayloadBytes else {
            throw fail("payload must be at most 256 KiB when serialised")
        }
        guard payload.contains(where: { !ValidationRules.isEmptyValue($0.value) }) else {
            throw fail(emptyPayloadMessage)
        }
        if let email = payload["email"], !ValidationRules.isEmptyValue(email) {
            guard let address = email.stringValue, ValidationRules.isEmailAddress(address) else {
                throw fail("payload.email must be a valid email address", field: "payload.email")
            }
        }
        return (payload, serialised)
    }
}
