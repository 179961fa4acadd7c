/// Canonical tool names ↔ Gemini CLI tool names (§3.10).
public enum GeminiToolMap {
    static let forward: [(String, [String])] = [
        ("Bash", ["run_shell_command"]), ("Edit", ["replace"]), ("MultiEdit", ["replace"]), ("Write", ["write_file"]),
        ("Read", ["read_file", "read_many_files"]), ("Grep", ["grep_search"]), ("Glob", ["glob"]),
        ("LS", ["list_directory"]), ("WebFetch", ["web_fetch"]), ("WebSearch", ["google_web_search"]),
        ("TodoWrite", ["write_todos"]),
    ]

    /// Gemini names for one canonical tool (unknown names kept).
    public static func gemini(_ canonical: String) -> [String] {
        forward.first { $0.0 == canonical }?.1 ?? [canonical]
    }

    /// Maps and de-duplicates a list, first appearance wins.
    public static func gemini(list: [String]) -> [String] {
        var out: [String] = []
        for name in list {
            for mapped in gemini(name) where !out.contains(mapped) { out.append(mapped) }
        }
        return out
    }

    /// Inverse map of a Gemini list: `read_file` + `read_many_files` → `Read`, `replace` → `Edit`.
    public static func canonical(list: [String]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < list.count {
            let name = list[index]
            var mapped: String
            switch name {
            case "read_file", "read_many_files": mapped = "Read"
            case "replace": mapped = "Edit"
            default: mapped = forward.first { $0.1 == [name] }?.0 ?? name
            }
            if name == "read_file" || name == "read_many_files" { mapped = "Read" }
            if !out.contains(mapped) { out.append(mapped) }
            index += 1
        }
        return out
    }

    /// Whether a string is a plain tool name.
    static func isToolName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// Hook matcher translation: `nil` = omit; `.untranslated` = passed through with a warning.
    public static func matcher(_ matcher: String?) -> (value: String?, translated: Bool) {
        guard let matcher, !matcher.isEmpty, matcher != "*" else { return (nil, true) }
        let names = matcher.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard names.allSatisfy(isToolName) else { return (matcher, false) }
        return ("^(?:" + gemini(list: names).joined(separator: "|") + ")$", true)
    }

    /// Inverse matcher translation for import.
    public static func canonicalMatcher(_ matcher: String?) -> String? {
        guard let matcher, !matcher.isEmpty else { return nil }
        // `^(?:a|b)$` is what generate writes; a bare `a|b` of tool names is what people write by hand.
        let wrapped = matcher.hasPrefix("^(?:") && matcher.hasSuffix(")$")
        let inner = wrapped ? String(matcher.dropFirst(4).dropLast(2)) : matcher
        let names = inner.split(separator: "|").map(String.init)
        guard names.allSatisfy(isToolName) else { return matcher }
        return canonical(list: names).joined(separator: "|")
    }
}
