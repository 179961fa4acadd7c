internal import Foundation
public import SharedCore
internal import SharedPlatform

/// Record mode: writes each exchange of a live session as one transcript line, `{"send": request,
/// "expect": response}` (notifications: `{"send": …}` alone), with volatile values already replaced by the
/// placeholders the replayer understands. The file is appended line by line, so a session cut short still
/// leaves every finished exchange.
public actor TranscriptRecorder {
    /// Server-specific volatile values: generated identifiers, remembered the first time a response shows
    /// one (`{{capture:idN}}`) and referred to afterwards (`{{idN}}`, in later expectations and in requests);
    /// and random values that are only abstracted (each pattern's match replaced by its template).
    public struct Rules: Sendable {
        public var identifiers: [String]
        public var volatile: [(pattern: String, replacement: String)]

        public init(identifiers: [String] = [], volatile: [(pattern: String, replacement: String)] = []) {
            self.identifiers = identifiers
            self.volatile = volatile
        }

        public static let none = Rules()
    }

    private let fd: Int32
    private let version: String
    private let rules: Rules
    private var pending: [String: JSONValue] = [:]
    /// Identifier value → its name (`id1`, `id2`, …), in order of first appearance.
    private var names: [String: String] = [:]

    /// Opens (truncates) `path`; nil when it cannot be created.
    public init?(path: String, version: String, rules: Rules = .none) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.version = version
        self.rules = rules
    }

    deinit { close(fd) }

    func received(_ frame: Frame) {
        guard let value = frame.value else { return }
        let request = value.mappingStrings(referencingKnown)
        if let id = frame.id, frame.method != nil {
            pending[id] = request
        } else if frame.method != nil {
            write(["send": request])
        }
    }

    func sent(_ frame: Frame) {
        guard let id = frame.id, frame.method == nil, let request = pending.removeValue(forKey: id), let response = frame.value
        else { return }
        let expect = Placeholders.abstract(response, version: version).mappingStrings(abstractingVolatile)
        write(["send": request, "expect": expect])
    }

    /// Known identifiers in a request's strings replaced by their names.
    private func referencingKnown(_ text: String) -> String {
        replacingIdentifiers(in: text) { value in names[value].map { "{{" + $0 + "}}" } }
    }

    /// An expectation's identifiers (new ones captured, known ones referred to) and volatile values abstracted.
    private func abstractingVolatile(_ text: String) -> String {
        var out = replacingIdentifiers(in: text) { value in
            if let name = names[value] { return "{{" + name + "}}" }
            let name = "id\(names.count + 1)"
            names[value] = name
            return "{{capture:" + name + "}}"
        }
        for (pattern, replacement) in rules.volatile {
            guard let regex = try? Regex(pattern) else { continue }
            out.replace(regex, with: replacement)
        }
        return out
    }

    private func replacingIdentifiers(in text: String, _ replacement: (String) -> String?) -> String {
        var out = text
        for pattern in rules.identifiers {
            guard let regex = try? Regex(pattern) else { continue }
            var rebuilt = ""
            var last = out.startIndex
            for match in out.matches(of: regex) {
                let value = String(out[match.range])
                rebuilt += out[last..<match.range.lowerBound]
                rebuilt += replacement(value) ?? value
                last = match.range.upperBound
            }
            rebuilt += out[last...]
            out = rebuilt
        }
        return out
    }

    private func write(_ line: JSONValue) {
        let bytes = Array((JSONEmitter.compact(line) + "\n").utf8)
        _ = bytes.withUnsafeBytes { SharedPlatform.write(fd, $0.baseAddress, $0.count) }
    }
}

/// The placeholders of transcripts: `{{iso}}` (an ISO-8601 UTC timestamp), `{{date}}` (a calendar date), `{{sha256}}` (`sha256:` + 64 hex),
/// `{{hex}}` (a run of 8 or more lowercase hex digits), `{{version}}` (the server's version), `{{*}}` (anything
/// within one string), `{{capture:NAME}}` (anything, remembered) and `{{NAME}}` (a remembered value).
public enum Placeholders {
    /// `value` with the volatile parts of every string replaced by placeholders.
    public static func abstract(_ value: JSONValue, version: String) -> JSONValue {
        switch value {
        case .string(let text): return .string(abstract(text, version: version))
        case .array(let items): return .array(items.map { abstract($0, version: version) })
        case .object(let object):
            var out = JSONObject()
            for (key, member) in object {
                out[key] = key == "version" && member == .string(version) ? "{{version}}" : abstract(member, version: version)
            }
            return .object(out)
        default: return value
        }
    }

    static func abstract(_ text: String, version: String) -> String {
        var out = text
        out.replace(/sha256:[0-9a-f]{64}/, with: "{{sha256}}")
        out.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/, with: "{{iso}}")
        out.replace(/\b\d{4}-\d{2}-\d{2}\b(?!T)/, with: "{{date}}")
        return out
    }

    /// Whether `actual` fits `expected`, where strings of `expected` may hold placeholders; captures are
    /// added to `captures`. On a mismatch, `mismatch` names the first differing path.
    public static func matches(
        _ expected: JSONValue, _ actual: JSONValue, captures: inout [String: String], version: String, path: String = "$"
    ) -> String? {
        switch (expected, actual) {
        case (.string(let pattern), .string(let text)):
            return match(pattern, text, captures: &captures, version: version) ? nil : path
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return path + " (\(left.count) items expected, \(right.count) got)" }
            for (index, pair) in zip(left, right).enumerated() {
                if let miss = matches(pair.0, pair.1, captures: &captures, version: version, path: "\(path)[\(index)]") { return miss }
            }
            return nil
        case (.object(let left), .object(let right)):
            let missing = left.keys.filter { right[$0] == nil }
            let extra = right.keys.filter { left[$0] == nil }
            guard missing.isEmpty && extra.isEmpty else {
                return path + " (keys expected but missing: \(missing), present but not expected: \(extra))"
            }
            for key in left.keys {
                if let miss = matches(left[key]!, right[key]!, captures: &captures, version: version, path: path + "." + key) {
                    return miss
                }
            }
            return nil
        default:
            return expected == actual ? nil : path
        }
    }

    /// Matches one string against a pattern with placeholders.
    static func match(_ pattern: String, _ text: String, captures: inout [String: String], version: String) -> Bool {
        guard pattern.contains("{{") else { return pattern == text }
        var regex = "^"
        var names: [String] = []
        var rest = Substring(pattern)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            regex += escape(rest[..<open.lowerBound])
            let token = String(rest[open.upperBound..<close.lowerBound])
            switch token {
            case "iso": regex += #"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)"#
            case "date": regex += #"(\d{4}-\d{2}-\d{2})"#
            case "sha256": regex += "(sha256:[0-9a-f]{64})"
            case "hex": regex += "([0-9a-f]{8,})"
            case "version": regex += "(" + escape(Substring(version)) + ")"
            case "*": regex += "([\\s\\S]*?)"
            default:
                if token.hasPrefix("capture:") {
                    regex += "([\\s\\S]*?)"
                    names.append(String(token.dropFirst("capture:".count)))
                    rest = rest[close.upperBound...]
                    continue
                }
                if captures[token] == nil, let group = names.firstIndex(of: token) {
                    // Captured earlier in this same string: the same text again.
                    regex += "(\\\(group + 1))"
                    names.append("")
                    rest = rest[close.upperBound...]
                    continue
                }
                regex += "(" + escape(Substring(captures[token] ?? "{{" + token + "}}")) + ")"
            }
            names.append("")
            rest = rest[close.upperBound...]
        }
        regex += escape(rest) + "$"
        guard let compiled = try? Regex(regex), let found = text.wholeMatch(of: compiled) else { return false }
        for (index, name) in names.enumerated() where !name.isEmpty {
            if let range = found.output[index + 1].range { captures[name] = String(text[range]) }
        }
        return true
    }

    /// `{{NAME}}` in the strings of a request replaced by remembered values.
    public static func substitute(_ value: JSONValue, _ captures: [String: String]) -> JSONValue {
        value.mappingStrings { text in
            var out = text
            for (name, captured) in captures { out = out.replacingOccurrences(of: "{{" + name + "}}", with: captured) }
            return out
        }
    }

    private static func escape(_ text: Substring) -> String {
        var out = ""
        for character in text {
            if "\\^$.|?*+()[]{}/-".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
