public import SharedCore

/// A tool's input schema, built in code: the same value is published as a JSON Schema (draft-07 subset)
/// in `tools/list` and validates the arguments of every call, so what clients read is what the server checks.
public indirect enum InputSchema: Sendable {
    /// An object with named properties; unknown properties are refused unless `additional` gives their schema.
    case object(properties: [(String, InputSchema)], required: [String], additional: InputSchema?, description: String?)
    case string(StringRule)
    case integer(minimum: Int?, maximum: Int?, description: String?)
    case boolean(description: String?)
    case array(items: InputSchema, minItems: Int?, maxItems: Int?, description: String?)
    /// Any one of the alternatives (e.g. a string or an array of strings).
    case anyOf([InputSchema], description: String?)
    /// Any JSON object (free-form maps such as frontmatter).
    case anyObject(maxProperties: Int?, description: String?)
    /// Any JSON value.
    case any(description: String?)
    /// `schema` with a published `default` (what a call without the property gets; the tool applies it).
    case defaulted(InputSchema, JSONValue)
    /// `schema`, or an explicit `null` (published as `anyOf [schema, null]`; e.g. "null clears").
    case nullable(InputSchema)

    /// The constraints of a string.
    public struct StringRule: Sendable {
        public var minLength: Int?
        public var maxLength: Int?
        /// A regular expression the whole string must match (anchored when published).
        public var pattern: String?
        public var enumValues: [String]?
        /// A published `format` that is also checked: `uuid` (8-4-4-4-12 hex digits, any case) or `uri` (an
        /// absolute URL: a scheme, `://` and a host).
        public var format: String?
        public var description: String?

        public init(
            minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil, enumValues: [String]? = nil,
            format: String? = nil, description: String? = nil
        ) {
            self.minLength = minLength
            self.maxLength = maxLength
            self.pattern = pattern
            self.enumValues = enumValues
            self.format = format
            self.description = description
        }
    }

    // MARK: Building

    /// An object with `properties`; `required` names must be among them.
    public static func object(
        _ properties: [(String, InputSchema)], required: [String] = [], description: String? = nil
    ) -> InputSchema {
        .object(properties: properties, required: required, additional: nil, description: description)
    }

    /// A map from string keys to values of one schema.
    public static func map(_ values: InputSchema, description: String? = nil) -> InputSchema {
        .object(properties: [], required: [], additional: values, description: description)
    }

    public static func string(
        _ description: String? = nil, minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil
    ) -> InputSchema {
        .string(StringRule(minLength: minLength, maxLength: maxLength, pattern: pattern, description: description))
    }

    public static func oneOf(_ values: [String], _ description: String? = nil) -> InputSchema {
        .string(StringRule(enumValues: values, description: description))
    }

    /// A UUID (`format: uuid`).
    public static func uuid(_ description: String? = nil) -> InputSchema {
        .string(StringRule(format: "uuid", description: description))
    }

    /// An absolute URL (`format: uri`).
    public static func url(_ description: String? = nil) -> InputSchema {
        .string(StringRule(format: "uri", description: description))
    }

    /// This schema with a published default.
    public func defaulting(to value: JSONValue) -> InputSchema { .defaulted(self, value) }

    public static func integer(_ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil) -> InputSchema {
        .integer(minimum: minimum, maximum: maximum, description: description)
    }

    public static func boolean(_ description: String? = nil) -> InputSchema { .boolean(description: description) }

    public static func array(
        _ items: InputSchema, minItems: Int? = nil, maxItems: Int? = nil, _ description: String? = nil
    ) -> InputSchema {
        .array(items: items, minItems: minItems, maxItems: maxItems, description: description)
    }

    // MARK: Publishing

    /// The JSON Schema of this value.
    public var json: JSONValue {
        var object = JSONObject()
        func describe(_ description: String?) {
            if let description { object["description"] = .string(description) }
        }
        switch self {
        case .object(let properties, let required, let additional, let description):
            object["type"] = "object"
            describe(description)
            var published = JSONObject()
            for (name, schema) in properties { published[name] = schema.json }
            object["properties"] = .object(published)
            if !required.isEmpty { object["required"] = .array(required.map(JSONValue.string)) }
            object["additionalProperties"] = additional?.json ?? false
        case .string(let rule):
            object["type"] = "string"
            describe(rule.description)
            if let values = rule.enumValues { object["enum"] = .array(values.map(JSONValue.string)) }
            if let format = rule.format { object["format"] = .string(format) }
            if let minimum = rule.minLength { object["minLength"] = .int(minimum) }
            if let maximum = rule.maxLength { object["maxLength"] = .int(maximum) }
            if let pattern = rule.pattern { object["pattern"] = .string("^(?:" + pattern + ")$") }
        case .integer(let minimum, let maximum, let description):
            object["type"] = "integer"
            describe(description)
            if let minimum { object["minimum"] = .int(minimum) }
            if let maximum { object["maximum"] = .int(maximum) }
        case .boolean(let description):
            object["type"] = "boolean"
            describe(description)
        case .array(let items, let minItems, let maxItems, let description):
            object["type"] = "array"
            describe(description)
            object["items"] = items.json
            if let minItems { object["minItems"] = .int(minItems) }
            if let maxItems { object["maxItems"] = .int(maxItems) }
        case .anyOf(let alternatives, let description):
            describe(description)
            object["anyOf"] = .array(alternatives.map(\.json))
        case .anyObject(let maxProperties, let description):
            object["type"] = "object"
            describe(description)
            if let maxProperties { object["maxProperties"] = .int(maxProperties) }
        case .any(let description):
            describe(description)
        case .defaulted(let schema, let value):
            guard case .object(var inner) = schema.json else { return schema.json }
            inner["default"] = value
            return .object(inner)
        case .nullable(let schema):
            return ["anyOf": [schema.json, ["type": "null"]]]
        }
        return .object(object)
    }

    // MARK: Validating

    /// One reason a value does not fit: where (a JSON path like `args[3]`) and what.
    public struct Issue: Sendable, Equatable {
        public var path: String
        public var message: String

        public var json: JSONValue { ["path": .string(path), "message": .string(message)] }
    }

    /// Every issue of `value` against this schema (empty: valid).
    public func issues(_ value: JSONValue, at path: String = "") -> [Issue] {
        var found: [Issue] = []
        check(value, at: path, into: &found)
        return found
    }

    private func check(_ value: JSONValue, at path: String, into found: inout [Issue]) {
        func fail(_ message: String) { found.append(Issue(path: path.isEmpty ? "(arguments)" : path, message: message)) }
        func child(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
        switch self {
        case .object(let properties, let required, let additional, _):
            guard let object = value.objectValue else { return fail("must be an object") }
            for name in required where object[name] == nil || object[name] == .null {
                found.append(Issue(path: child(name), message: "is required"))
            }
            for (key, member) in object {
                if let schema = properties.first(where: { $0.0 == key })?.1 {
                    if member != .null { schema.check(member, at: child(key), into: &found) }
                } else if let additional {
                    additional.check(member, at: child(key), into: &found)
                } else {
                    found.append(Issue(path: child(key), message: "is not a known property"))
                }
            }
        case .string(let rule):
            guard let text = value.stringValue else { return fail("must be a string") }
            if let values = rule.enumValues, !values.contains(text) {
                return fail("must be one of \(values.joined(separator: ", "))")
            }
            let length = text.count
            if let minimum = rule.minLength, length < minimum { fail("must be at least \(minimum) character\(minimum == 1 ? "" : "s")") }
            if let maximum = rule.maxLength, length > maximum { fail("must be at most \(maximum) characters") }
            if let pattern = rule.pattern, !PatternCache.matches(pattern, text) { fail("must match \(pattern)") }
            if rule.format == "uuid", !PatternCache.matches(PatternCache.uuid, text) { fail("must be a UUID") }
            if rule.format == "uri", !PatternCache.matches(PatternCache.absoluteURL, text) { fail("must be an absolute URL") }
        case .integer(let minimum, let maximum, _):
            guard case .int(let number) = value else { return fail("must be an integer") }
            if let minimum, number < minimum { fail("must be at least \(minimum)") }
            if let maximum, number > maximum { fail("must be at most \(maximum)") }
        case .boolean:
            guard value.boolValue != nil else { return fail("must be a boolean") }
        case .array(let items, let minItems, let maxItems, _):
            guard let array = value.arrayValue else { return fail("must be an array") }
            if let minItems, array.count < minItems { fail("must hold at least \(minItems) item\(minItems == 1 ? "" : "s")") }
            if let maxItems, array.count > maxItems { fail("must hold at most \(maxItems) items") }
            for (index, item) in array.enumerated() { items.check(item, at: "\(path)[\(index)]", into: &found) }
        case .anyOf(let alternatives, _):
            guard alternatives.contains(where: { $0.issues(value, at: path).isEmpty }) else {
                return fail("does not match any allowed form")
            }
        case .anyObject(let maxProperties, _):
            guard let object = value.objectValue else { return fail("must be an object") }
            if let maxProperties, object.count > maxProperties { fail("must hold at most \(maxProperties) entries") }
        case .any:
            break
        case .defaulted(let schema, _):
            schema.check(value, at: path, into: &found)
        case .nullable(let schema):
            if value != .null { schema.check(value, at: path, into: &found) }
        }
    }
}

/// Compiled string patterns, shared by every validation.
enum PatternCache {
    static let uuid = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
    static let absoluteURL = "[A-Za-z][A-Za-z0-9+.-]*://[^/?#\\s]+[^\\s]*"

    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? Regex("^(?:" + pattern + ")$") else { return false }
        return text.wholeMatch(of: regex) != nil
    }
}
