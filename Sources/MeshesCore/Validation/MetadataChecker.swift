internal import SharedCore

/// Collects every problem of one metadata object (all are reported together as 422 details) while
/// normalising it: known optional keys holding `null` are removed, integers become `.int`.
struct MetadataChecker {
    var metadata: JSONObject
    private(set) var details: [APIError.Detail] = []
    let allowHTTP: Bool

    init(_ metadata: JSONObject, allowHTTP: Bool) {
        self.metadata = metadata
        self.allowHTTP = allowHTTP
    }

    mutating func problem(_ key: String, _ message: String) {
        details.append(.init(field: "metadata.\(key)", message: "\(key) \(message)"))
    }

    /// The value of `key`; `null` is removed and reads as absent.
    mutating func value(_ key: String) -> JSONValue? {
        guard let value = metadata[key] else { return nil }
        if value.isNull {
            metadata[key] = nil
            return nil
        }
        return value
    }

    /// A string value; a non-string is a problem. `required` also refuses absent and blank values.
    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = value(key) else {
            if required { problem(key, "is required") }
            return nil
        }
        guard let text = value.stringValue else {
            problem(key, "must be a string")
            return nil
        }
        if required, ValidationRules.isBlank(text) {
            problem(key, "must not be blank")
            return nil
        }
        return text
    }

    /// A credential: a non-blank string without control characters.
    mutating func secret(_ key: String, required: Bool) -> String? {
        guard let text = string(key, required: required) else { return nil }
        if !required, ValidationRules.isBlank(text) {
            problem(key, "must not be blank")
            return nil
        }
        if ValidationRules.hasControlCharacter(text) {
            problem(key, "must not contain control characters")
            return nil
        }
        return text
    }

    /// An absolute https URL (http too when allowed).
    mutating func url(_ key: String, required: Bool) {
        guard let text = string(key, required: required) else { return }
        if let reason = ValidationRules.urlProblem(text, allowHTTP: allowHTTP) { problem(key, reason) }
    }

    /// One of `values`, compared case-insensitively and stored in its canonical spelling.
    @discardableResult
    mutating func choice(_ key: String, _ values: [String], required: Bool = false) -> String? {
        guard let text = string(key, required: required) else { return nil }
        guard let canonical = values.first(where: { $0.lowercased() == text.lowercased() }) else {
            problem(key, "must be one of: \(values.joined(separator: ", "))")
            return nil
        }
        metadata[key] = .string(canonical)
        return canonical
    }

    /// An integer in `range`, stored as `.int`.
    mutating func integer(_ key: String, _ range: ClosedRange<Int>) {
        guard let value = value(key) else { return }
        guard let number = ValidationRules.integer(value), range.contains(number) else {
            problem(key, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return
        }
        metadata[key] = .int(number)
    }

    /// A string of `range` length.
    mutating func text(_ key: String, length range: ClosedRange<Int>) {
        guard let text = string(key) else { return }
        if !range.contains(ValidationRules.length(text)) {
            problem(key, "must be \(range.lowerBound) to \(range.upperBound) characters")
        }
    }

    /// The 422 `invalid_metadata` error when there are problems.
    func check() throws(APIError) {
        guard details.isEmpty else {
            throw ValidationRules.failure(status: 422, code: "invalid_metadata", details: details)
        }
    }
}
