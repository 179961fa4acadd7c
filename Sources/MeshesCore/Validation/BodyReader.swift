internal import SharedCore

/// Reads typed top-level fields of a request body; a wrong JSON type is a 400 `invalid_request`
/// naming the field. `null` reads as absent everywhere, as clients echo `null` for unset fields.
struct BodyReader {
    let object: JSONObject

    /// The body as an object, or 400 `invalid_request`.
    init(_ body: JSONValue) throws(APIError) {
        guard let object = body.objectValue else {
            throw APIError(status: 400, code: "invalid_request", message: "request body must be a JSON object")
        }
        self.object = object
    }

    init(object: JSONObject) {
        self.object = object
    }

    /// The value of `key`, nil when absent or `null`.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw ValidationRules.invalidRequest(key, "\(key) must be a string") }
        return text
    }

    func requiredString(_ key: String) throws(APIError) -> String {
        guard let text = try string(key) else { throw ValidationRules.invalidRequest(key, "\(key) is required") }
        return text
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else { throw ValidationRules.invalidRequest(key, "\(key) must be a boolean") }
        return flag
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = ValidationRules.integer(value), range.contains(number) else {
            throw ValidationRules.invalidRequest(
                key, "\(key) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func object(_ key: String) throws(APIError) -> JSONObject? {
        guard let value = value(key) else { return nil }
        guard let object = value.objectValue else { throw ValidationRules.invalidRequest(key, "\(key) must be an object") }
        return object
    }

    func array(_ key: String) throws(APIError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard let items = value.arrayValue else { throw ValidationRules.invalidRequest(key, "\(key) must be an array") }
        return items
    }

    /// A UUID string, lowercased.
    func uuid(_ key: String) throws(APIError) -> String? {
        guard let text = try string(key) else { return nil }
        guard Formats.isUUID(text) else { throw ValidationRules.invalidRequest(key, "\(key) must be a UUID") }
        return text.lowercased()
    }

    func requiredUUID(_ key: String) throws(APIError) -> String {
        guard let id = try uuid(key) else { throw ValidationRules.invalidRequest(key, "\(key) is required") }
        return id
    }

    /// A `resource`/`resource_id` token (`^[A-Za-z0-9._:-]{1,64}$`).
    func resourceToken(_ key: String) throws(APIError) -> String? {
        guard let text = try string(key) else { return nil }
        guard ValidationRules.isResourceToken(text) else {
            throw ValidationRules.invalidRequest(key, "\(key) must be \(ValidationRules.resourcePatternHint)")
        }
        return text
    }

    /// A string of `range` length (UTF-16 units).
    func string(_ key: String, length range: ClosedRange<Int>) throws(APIError) -> String? {
        guard let text = try string(key) else { return nil }
        guard range.contains(ValidationRules.length(text)) else {
            throw ValidationRules.invalidRequest(key, Self.lengthMessage(key, range))
        }
        return text
    }

    static func lengthMessage(_ key: String, _ range: ClosedRange<Int>) -> String {
        range.lowerBound == 0
            ? "\(key) must be at most \(range.upperBound) characters"
            : "\(key) must be \(range.lowerBound) to \(range.upperBound) characters"
    }
}
