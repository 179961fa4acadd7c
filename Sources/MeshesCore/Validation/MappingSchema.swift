public import SharedCore

/// A connection's mapping schema (§2.9): how payload values become the flat `fields` object sent to
/// an integration. Build one with `MappingValidator.validate(_:)`; `json` is its stored form.
public struct MappingSchema: Sendable, Equatable {
    /// Where a field's value comes from.
    public enum Source: Sendable, Equatable {
        /// A fixed value: a string of 1..256, a number, a bool or null.
        case literal(JSONValue)
        /// A dot path from the payload root; numeric segments index arrays.
        case path(String)
    }

    /// One step of a field's transform chain (§2.9's transforms table).
    public enum Transform: Sendable, Equatable {
        case toString
        case toNumber
        case toBoolean
        case toDate(timezone: String?)
        case toDatetime(timezone: String?)
        case defaultValue(JSONValue)
        case trim
        case lower
        case upper
        case substring(start: Int, length: Int?)

        /// The wire name (`type`).
        public var name: String {
            switch self {
            case .toString: return "to_string"
            case .toNumber: return "to_number"
            case .toBoolean: return "to_boolean"
            case .toDate: return "to_date"
            case .toDatetime: return "to_datetime"
            case .defaultValue: return "default"
            case .trim: return "trim"
            case .lower: return "lower"
            case .upper: return "upper"
            case .substring: return "substring"
            }
        }

        /// The stored form `{type, …parameters}`.
        public var json: JSONValue {
            var object: JSONObject = ["type": .string(name)]
            switch self {
            case .toDate(let zone), .toDatetime(let zone):
                if let zone { object["timezone"] = .string(zone) }
            case .defaultValue(let value):
                object["value"] = value
            case .substring(let start, let length):
                object["start"] = .int(start)
                if let length { object["length"] = .int(length) }
            default:
                break
            }
            return .object(object)
        }
    }

    /// What a transform failure does to the field and the action.
    public enum ErrorPolicy: String, Sendable, CaseIterable {
        /// Drop the field silently (the default).
        case skipField = "skip_field"
        /// Drop the field and add `mapping warning: <dest>: <reason>` to the attempt message.
        case warnAction = "warn_action"
        /// Fail the delivery with `mapping_error`, without retry.
        case failAction = "fail_action"
    }

    /// One output field.
    public struct Field: Sendable, Equatable {
        public var dest: String
        public var source: Source
        public var transforms: [Transform]
        public var onError: ErrorPolicy
        public var notes: String?

        public init(
            dest: String, source: Source, transforms: [Transform] = [], onError: ErrorPolicy = .skipField, notes: String? = nil
        ) {
            self.dest = dest
            self.source = source
            self.transforms = transforms
            self.onError = onError
            self.notes = notes
        }

        /// The stored form; `transforms` and `notes` only when set.
        public var json: JSONValue {
            var object: JSONObject = ["dest": .string(dest)]
            switch source {
            case .literal(let value): object["source"] = ["type": "literal", "value": value]
            case .path(let path): object["source"] = ["type": "path", "value": .string(path)]
            }
            if !transforms.isEmpty { object["transforms"] = .array(transforms.map(\.json)) }
            object["on_error"] = .string(onError.rawValue)
            if let notes { object["notes"] = .string(notes) }
            return .object(object)
        }
    }

    /// Optional descriptive data.
    public struct Meta: Sendable, Equatable {
        public var name: String?
        public var notes: String?

        public init(name: String? = nil, notes: String? = nil) {
            self.name = name
            self.notes = notes
        }
    }

    public static let version = 1

    public var fields: [Field]
    public var meta: Meta?

    public init(fields: [Field], meta: Meta? = nil) {
        self.fields = fields
        self.meta = meta
    }

    /// The stored form `{schema_version:1, fields, meta?}`.
    public var json: JSONValue {
        var object: JSONObject = ["schema_version": .int(Self.version), "fields": .array(fields.map(\.json))]
        if let meta {
            var metaObject = JSONObject()
            if let name = meta.name { metaObject["name"] = .string(name) }
            if let notes = meta.notes { metaObject["notes"] = .string(notes) }
            object["meta"] = .object(metaObject)
        }
        return .object(object)
    }

    /// The generated default mapping (§2.9): each catalog field key that is a recognised payload key
    /// (§2.5) maps from the same-named path, in catalog order.
    public static func generated(catalogFieldKeys: [String]) -> MappingSchema {
        let keys = catalogFieldKeys.filter { IngestValidator.recognisedPayloadKeys.contains($0) }
        return MappingSchema(fields: keys.map { Field(dest: $0, source: .path($0)) })
    }
}
