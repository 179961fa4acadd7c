internal import Foundation
internal import SharedCore

/// Character-level rules shared by every validator (§2). Lengths count UTF-16 code units, as the
/// reference API (a JavaScript service) does, so a limit of 128 means the same thing to both.
enum ValidationRules {
    /// `^[A-Za-z0-9._:-]{1,64}$`, the pattern of `resource` and `resource_id`.
    static func isResourceToken(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A || $0 == 0x2D }
    }

    /// `^[A-Za-z0-9 _-]{3,50}$`, the workspace name pattern.
    static func isWorkspaceName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (3...50).contains(bytes.count) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x20 || $0 == 0x5F || $0 == 0x2D }
    }

    /// The human form of the resource pattern, used in messages.
    static let resourcePatternHint = "1-64 characters from A-Z a-z 0-9 . _ : -"

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// The length the limits of the spec are measured in.
    static func length(_ text: String) -> Int { text.utf16.count }

    /// Whether `text` holds a Unicode control character (general category Cc).
    static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    /// Whether `text` is empty or only whitespace.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// Whether a payload value counts as empty (§2.5): `null`, `""`, whitespace-only strings, `[]`, `{}`.
    static func isEmptyValue(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .string(let text): return isBlank(text)
        case .array(let items): return items.isEmpty
        case .object(let object): return object.isEmpty
        case .bool, .int, .double: return false
        }
    }

    /// A loose address check: one `@`, a non-empty local part, and a dotted domain without whitespace.
    static func isEmailAddress(_ text: String) -> Bool {
        // Printable ASCII without spaces (nearly every real address): the same rules on bytes.
        let utf8 = text.utf8
        if utf8.count <= 254, utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            guard let at = utf8.firstIndex(of: UInt8(ascii: "@")) else { return false }
            let local = utf8[..<at]
            let domain = utf8[utf8.index(after: at)...]
            guard !local.isEmpty, local.count <= 64, !domain.contains(UInt8(ascii: "@")) else { return false }
            let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
        }
        return isEmailAddressGeneral(text)
    }

    /// `isEmailAddress` for any text (trims, then rejects whitespace and control characters anywhere).
    static func isEmailAddressGeneral(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard length(trimmed) <= 254, !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace }),
            !hasControlCharacter(trimmed)
        else { return false }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
            !local.isEmpty, local.utf8.count <= 64
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    /// An RFC 7230 `token` of 1..64 characters, the rule for header names.
    static func isHeaderToken(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        let extra = Array("!#$%&'*+-.^_`|~".utf8)
        return bytes.allSatisfy { isAlphanumeric($0) || extra.contains($0) }
    }

    /// Why `text` is not an absolute URL with an allowed scheme, or nil when it is one.
    /// `schemes` are lowercase; http is added to https only when `allowHTTP` is set.
    static func urlProblem(_ text: String, allowHTTP: Bool) -> String? {
        let schemes = allowHTTP ? ["https", "http"] : ["https"]
        let expected = allowHTTP ? "an absolute http(s) URL" : "an absolute https URL"
        guard length(text) <= 2048, !text.unicodeScalars.contains(where: { $0.properties.isWhitespace }),
            !hasControlCharacter(text),
            let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { return "must be \(expected)" }
        guard schemes.contains(scheme) else { return "must be \(expected)" }
        guard text.lowercased().hasPrefix(scheme + "://") else { return "must be \(expected)" }
        return nil
    }

    /// An integer from a JSON number (an integral double counts), never from a bool or a string.
    static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case .int(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 1e15: return Int(number)
        default: return nil
        }
    }

    /// Whether `value` is a JSON number.
    static func isNumber(_ value: JSONValue) -> Bool {
        switch value {
        case .int, .double: return true
        default: return false
        }
    }

    /// The name of a JSON value's type, for "must be a string, got number" style messages.
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// One error for a list of problems: the first problem's message (with a count of the rest) and
    /// every problem as a detail.
    static func failure(status: Int, code: String, details: [APIError.Detail]) -> APIError {
        let first = details.first?.message ?? "invalid request"
        let message = details.count > 1 ? "\(first) (and \(details.count - 1) more)" : first
        return APIError(status: status, code: code, message: message, details: details)
    }

    /// A 400 `invalid_request` for one field.
    static func invalidRequest(_ field: String, _ message: String) -> APIError {
        APIError(status: 400, code: "invalid_request", message: message, details: [.init(field: field, message: message)])
    }
}
