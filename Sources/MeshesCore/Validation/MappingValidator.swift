internal import Foundation
public import SharedCore

/// Validates mapping schemas against §2.9's exact limits. Every problem is collected and reported as
/// one 422 `invalid_mapping` whose `details` name the JSON path (`schema.fields[2].source.value`).
/// Unknown keys are ignored and not kept.
public enum MappingValidator {
    public static let maxFields = 250
    public static let destLength = 1...128
    public static let literalStringLength = 1...256
    public static let pathLength = 1...128
    public static let maxTransforms = 10
    public static let notesLength = 1...1024
    public static let metaNameLength = 1...64
    public static let timezoneLength = 1...64
    public static let defaultStringLength = 1...128
    /// The `name` of a mapping PUT body.
    public static let mappingNameLength = 1...64
    static let transformNames = [
        "to_string", "to_number", "to_boolean", "to_date", "to_datetime", "default", "trim", "lower", "upper", "substring",
    ]

    /// Validates a MappingSchema value; `field` is the JSON path of `schema` used in details.
    public static func validate(_ schema: JSONValue, field: String = "schema") throws(APIError) -> MappingSchema {
        var parse = Parse()
        let result = parse.schema(schema, at: field)
        guard parse.details.isEmpty, let result else {
            throw ValidationRules.failure(status: 422, code: "invalid_mapping", details: parse.details)
        }
        return result
    }

    /// `PUT /connections/{id}/mappings/default`: `{workspace_id?, mapping_id?, expected_version?, name?, schema}`.
    /// Wrong types of the wrapper fields (and a missing `schema`) are 400 `invalid_request`; schema
    /// problems are 422 `invalid_mapping`.
    public static func validatePut(_ body: JSONValue) throws(APIError) -> MappingPut {
        let reader = try BodyReader(body)
        let workspaceID = try reader.uuid("workspace_id")
        let mappingID = try reader.uuid("mapping_id")
        var expectedVersion: Int?
        if let value = reader.value("expected_version") {
            guard let number = ValidationRules.integer(value), number >= 1 else {
                throw ValidationRules.invalidRequest("expected_version", "expected_version must be an integer of at least 1")
            }
            expectedVersion = number
        }
        let name = try reader.string("name", length: mappingNameLength)
        guard let schemaValue = reader.value("schema") else {
            throw ValidationRules.invalidRequest("schema", "schema is required")
        }
        return MappingPut(
            workspaceID: workspaceID, mappingID: mappingID, expectedVersion: expectedVersion, name: name,
            schema: try validate(schemaValue))
    }

    /// `^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z0-9_]+)*$`, 1..128 characters.
    public static func isPath(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard pathLength.contains(bytes.count), let first = bytes.first else { return false }
        func word(_ byte: UInt8) -> Bool { ValidationRules.isAlphanumeric(byte) || byte == UInt8(ascii: "_") }
        guard word(first), !(0x30...0x39).contains(first) else { return false }
        var previousDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else if word(byte) {
                previousDot = false
            } else {
                return false
            }
        }
        return !previousDot
    }

    /// Whether `name` is a time zone identifier the engine can resolve.
    public static func isTimeZone(_ name: String) -> Bool {
        timezoneLength.contains(ValidationRules.length(name)) && TimeZone(identifier: name) != nil
    }

    /// The collecting parser.
    struct Parse {
        var details: [APIError.Detail] = []

        mutating func problem(_ field: String, _ message: String) {
            details.append(.init(field: field, message: "\(field) \(message)"))
        }

        mutating func schema(_ value: JSONValue, at path: String) -> MappingSchema? {
            guard let object = value.objectValue else {
                problem(path, "must be an object")
                return nil
            }
            if object["schema_version"].flatMap(ValidationRules.integer) != MappingSchema.version {
                problem("\(path).schema_version", "must be 1")
            }
            var fields: [MappingSchema.Field] = []
            if let items = object["fields"]?.arrayValue {
                if items.count > maxFields { problem("\(path).fields", "must have at most \(maxFields) entries") }
                for (index, item) in items.prefix(maxFields).enumerated() {
                    if let field = field(item, at: "\(path).fields[\(index)]") { fields.append(field) }
                }
            } else {
                problem("\(path).fields", "must be an array")
            }
            var meta: MappingSchema.Meta?
            if let metaValue = object["meta"] {
                if let metaObject = metaValue.objectValue {
                    meta = MappingSchema.Meta(
                        name: text(metaObject["name"], at: "\(path).meta.name", length: metaNameLength),
                        notes: text(metaObject["notes"], at: "\(path).meta.notes", length: notesLength))
                } else {
                    problem("\(path).meta", "must be an object")
                }
            }
            return MappingSchema(fields: fields, meta: meta)
        }

        /// An optional string of `length`; absent reads as nil.
        mutating func text(_ value: JSONValue?, at path: String, length: ClosedRange<Int>) -> String? {
            guard let value else { return nil }
            guard let text = value.stringValue, length.contains(ValidationRules.length(text)) else {
                problem(path, "must be a string of \(length.lowerBound) to \(length.upperBound) characters")
                return nil
            }
            return text
        }

        mutating func field(_ value: JSONValue, at path: String) -> MappingSchema.Field? {
            guard let object = value.objectValue else {
                problem(path, "must be an object")
                return nil
            }
            let countBefore = details.count
            var dest = ""
            if let text = object["dest"]?.stringValue, destLength.contains(ValidationRules.length(text)) {
                dest = text
            } else {
                problem("\(path).dest", "must be a string of 1 to \(destLength.upperBound) characters")
            }
            let source = self.source(object["source"], at: "\(path).source")
            var transforms: [MappingSchema.Transform] = []
            if let value = object["transforms"] {
                if let items = value.arrayValue, items.count <= maxTransforms {
                    for (index, item) in items.enumerated() {
                        if let transform = transform(item, at: "\(path).transforms[\(index)]") { transforms.append(transform) }
                    }
                } else {
                    problem("\(path).transforms", "must be an array of at most \(maxTransforms) transforms")
                }
            }
            var policy = MappingSchema.ErrorPolicy.skipField
            if let value = object["on_error"] {
                if let name = value.stringValue, let parsed = MappingSchema.ErrorPolicy(rawValue: name) {
                    policy = parsed
                } else {
                    problem("\(path).on_error", "must be one of: skip_field, warn_action, fail_action")
                }
            }
            let notes = text(object["notes"], at: "\(path).notes", length: notesLength)
            guard details.count == countBefore, let source else { return nil }
            return MappingSchema.Field(dest: dest, source: source, transforms: transforms, onError: policy, notes: notes)
        }

        mutating func source(_ value: JSONValue?, at path: String) -> MappingSchema.Source? {
            guard let object = value?.objectValue else {
                problem(path, "must be an object {type, value}")
                return nil
            }
            switch object["type"]?.stringValue {
            case "literal":
                guard let literal = object["value"], isScalar(literal, stringLength: literalStringLength) else {
                    problem("\(path).value", "must be \(scalarHint(literalStringLength))")
                    return nil
                }
                return .literal(literal)
            case "path":
                guard let text = object["value"]?.stringValue, MappingValidator.isPath(text) else {
                    problem("\(path).value", "must be a dot path like user.email (1 to \(pathLength.upperBound) characters)")
                    return nil
                }
                return .path(text)
            default:
                problem("\(path).type", "must be \"literal\" or \"path\"")
                return nil
            }
        }

        func scalarHint(_ length: ClosedRange<Int>) -> String {
            "a string of \(length.lowerBound) to \(length.upperBound) characters, a number, a boolean or null"
        }

        func isScalar(_ value: JSONValue, stringLength: ClosedRange<Int>) -> Bool {
            switch value {
            case .null, .bool, .int: return true
            case .double(let number): return number.isFinite
            case .string(let text): return stringLength.contains(ValidationRules.length(text))
            case .array, .object: return false
            }
        }

        /// A transform object `{type, …}`; a bare name string is accepted for parameterless ones.
        mutating func transform(_ value: JSONValue, at path: String) -> MappingSchema.Transform? {
            let object: JSONObject
            if let name = value.stringValue {
                object = ["type": .string(name)]
            } else if let given = value.objectValue {
                object = given
            } else {
                problem(path, "must be an object {type, …}")
                return nil
            }
            guard let name = object["type"]?.stringValue, transformNames.contains(name) else {
                problem("\(path).type", "must be one of: \(transformNames.joined(separator: ", "))")
                return nil
            }
            switch name {
            case "to_string": return .toString
            case "to_number": return .toNumber
            case "to_boolean": return .toBoolean
            case "trim": return .trim
            case "lower": return .lower
            case "upper": return .upper
            case "to_date", "to_datetime":
                var zone: String?
                if let zoneValue = object["timezone"], !zoneValue.isNull {
                    guard let text = zoneValue.stringValue, MappingValidator.isTimeZone(text) else {
                        problem(
                            "\(path).timezone", "must be an IANA time zone name of 1 to \(timezoneLength.upperBound) characters")
                        return nil
                    }
                    zone = text
                }
                return name == "to_date" ? .toDate(timezone: zone) : .toDatetime(timezone: zone)
            case "default":
                guard let fallback = object["value"], isScalar(fallback, stringLength: defaultStringLength) else {
                    problem("\(path).value", "must be \(scalarHint(defaultStringLength))")
                    return nil
                }
                return .defaultValue(fallback)
            default:
                guard let startValue = object["start"], let start = ValidationRules.integer(startValue), start >= 0 else {
                    problem("\(path).start", "must be an integer of at least 0")
                    return nil
                }
                var length: Int?
                if let lengthValue = object["length"], !lengthValue.isNull {
                    guard let number = ValidationRules.integer(lengthValue), number > 0 else {
                        problem("\(path).length", "must be an integer greater than 0")
                        return nil
                    }
                    length = number
                }
                return .substring(start: start, length: length)
            }
        }
    }
}

/// A validated default-mapping PUT body (§2.9).
public struct MappingPut: Sendable, Equatable {
    public var workspaceID: String?
    public var mappingID: String?
    /// When set, a different current version is 409 `version_conflict`.
    public var expectedVersion: Int?
    public var name: String?
    public var schema: MappingSchema

    public init(workspaceID: String?, mappingID: String?, expectedVersion: Int?, name: String?, schema: MappingSchema) {
        self.workspaceID = workspaceID
        self.mappingID = mappingID
        self.expectedVersion = expectedVersion
        self.name = name
        self.schema = schema
    }
}
