internal import Foundation
public import SharedCore

/// The outcome of applying a mapping: the flat `fields` object and the attempt-message warnings.
public struct MappingResult: Sendable, Equatable {
    public var fields: JSONObject
    /// `mapping warning: <dest>: <reason>`, one per field dropped under `warn_action`.
    public var warnings: [String]

    public init(fields: JSONObject = JSONObject(), warnings: [String] = []) {
        self.fields = fields
        self.warnings = warnings
    }
}

/// A field under `fail_action` failed: the delivery fails with `mapping_error`, without retry.
public struct MappingFailure: Error, Sendable, Equatable {
    public var dest: String
    public var reason: String

    public init(dest: String, reason: String) {
        self.dest = dest
        self.reason = reason
    }

    /// `mapping error: <dest>: <reason>`, for the attempt message.
    public var message: String { "mapping error: \(dest): \(reason)" }
}

/// Applies a `MappingSchema` to a payload (§2.9, §6.3).
///
/// A value is either present or missing. A missing path stays missing through every transform but
/// `default`; a field whose final value is missing is dropped without error. `null` is a present
/// value that every transform but `default` passes through unchanged. Any other input a transform
/// cannot handle is a failure, handled by the field's `on_error`.
public enum MappingEngine {
    /// Maps `payload` through `schema`. Fields are written in schema order; a repeated `dest` keeps
    /// the last value produced.
    public static func apply(_ schema: MappingSchema, to payload: JSONObject) throws(MappingFailure) -> MappingResult {
        var result = MappingResult()
        for field in schema.fields {
            var value: JSONValue?
            switch field.source {
            case .literal(let literal): value = literal
            case .path(let path): value = resolve(path: path, in: .object(payload))
            }
            var failure: String?
            for transform in field.transforms {
                switch apply(transform, to: value) {
                case .success(let next): value = next
                case .failure(let reason): failure = reason.text
                }
                if failure != nil { break }
            }
            if let failure {
                switch field.onError {
                case .skipField: continue
                case .warnAction:
                    result.warnings.append("mapping warning: \(field.dest): \(failure)")
                    continue
                case .failAction:
                    throw MappingFailure(dest: field.dest, reason: failure)
                }
            }
            if let value { result.fields[field.dest] = value }
        }
        return result
    }

    /// The value at a dot path from `root`: object keys by name, array items by numeric segment.
    /// Nil when any segment is missing.
    public static func resolve(path: String, in root: JSONValue) -> JSONValue? {
        var current = root
        for segment in path.split(separator: ".", omittingEmptySubsequences: false) {
            switch current {
            case .object(let object):
                guard let next = object[String(segment)] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(segment), segment.allSatisfy(\.isASCII), items.indices.contains(index) else {
                    return nil
                }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Why a transform failed.
    public struct TransformError: Error, Sendable, Equatable {
        public var text: String
    }

    /// One transform step on a present (`some`) or missing (`nil`) value.
    public static func apply(_ transform: MappingSchema.Transform, to value: JSONValue?) -> Result<JSONValue?, TransformError> {
        if case .defaultValue(let fallback) = transform {
            switch value {
            case nil, .null?, .string("")?: return .success(fallback)
            default: return .success(value)
            }
        }
        guard let value else { return .success(nil) }
        if value.isNull { return .success(value) }
        func fail(_ text: String) -> Result<JSONValue?, TransformError> { .failure(TransformError(text: text)) }
        let kind = ValidationRules.typeName(value)
        switch transform {
        case .toString:
            if case .string = value { return .success(value) }
            return .success(.string(JSONEmitter.compact(value)))
        case .toNumber:
            switch value {
            case .int(let number): return .success(.double(Double(number)))
            case .double: return .success(value)
            case .bool(let flag): return .success(.double(flag ? 1 : 0))
            case .string(let text):
                guard let number = number(from: text) else { return fail("\"\(text)\" is not a number") }
                return .success(.double(number))
            default: return fail("cannot convert \(kind) to a number")
            }
        case .toBoolean:
            switch value {
            case .bool: return .success(value)
            case .int(let number): return .success(.bool(number != 0))
            case .double(let number): return .success(.bool(number != 0))
            case .string(let text):
                switch text.trimmingCharacters(in: .whitespaces).lowercased() {
                case "true", "1", "yes", "on": return .success(.bool(true))
                case "false", "0", "no", "off": return .success(.bool(false))
                default: return fail("\"\(text)\" is not a boolean")
                }
            default: return fail("cannot convert \(kind) to a boolean")
            }
        case .toDate(let zone), .toDatetime(let zone):
            let dateOnly: Bool
            if case .toDate = transform { dateOnly = true } else { dateOnly = false }
            guard let text = MappingDates.convert(value, timezone: zone, dateOnly: dateOnly) else {
                return fail("cannot read \(kind == "string" ? "\"\(value.stringValue ?? "")\"" : kind) as a date")
            }
            return .success(.string(text))
        case .trim, .lower, .upper, .substring:
            guard let text = value.stringValue else { return fail("\(transform.name) needs a string, got \(kind)") }
            switch transform {
            case .trim: return .success(.string(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            case .lower: return .success(.string(text.lowercased()))
            case .upper: return .success(.string(text.uppercased()))
            case .substring(let start, let length):
                let characters = Array(text)
                guard start < characters.count else { return .success(.string("")) }
                let end = length.map { min(characters.count, start + $0) } ?? characters.count
                return .success(.string(String(characters[start..<end])))
            default: return .success(value)
            }
        case .defaultValue:
            return .success(value)
        }
    }

    /// A finite number from decimal text (surrounding whitespace allowed; no hex, `inf` or `nan`).
    static func number(from text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) || "+-.eE".utf8.contains($0) }),
            trimmed.utf8.contains(where: { (0x30...0x39).contains($0) }),
            let number = Double(trimmed), number.isFinite
        else { return nil }
        return number
    }
}
