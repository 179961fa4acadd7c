import Canonical
import MeshKit

/// Pieces shared by the three projectors.
enum ProjectionSupport {
    /// Groups flat entries by matcher (first appearance order) into the nested Claude/Gemini shape.
    static func nestedHooks(
        _ entries: [HookEntry], matcher transform: (String?) -> String? = { $0 }, timeoutScale: Int = 1
    ) -> [JSONValue] {
        var groups: [(matcher: String?, hooks: [JSONValue])] = []
        for entry in entries {
            let matcher = transform(entry.matcher)
            var hook = JSONObject()
            hook["type"] = .string(entry.type)
            if entry.type == "prompt" {
                if let prompt = entry.prompt { hook["prompt"] = .string(prompt) }
            } else if let command = entry.command {
                hook["command"] = .string(command)
            }
            if let timeout = entry.timeout { hook["timeout"] = .int(timeout * timeoutScale) }
            if let index = groups.firstIndex(where: { $0.matcher == matcher }) {
                groups[index].hooks.append(.object(hook))
            } else {
                groups.append((matcher, [.object(hook)]))
            }
        }
        return groups.map { group in
            var object = JSONObject()
            if let matcher = group.matcher { object["matcher"] = .string(matcher) }
            object["hooks"] = .array(group.hooks)
            return .object(object)
        }
    }

    /// Flattens nested `{matcher, hooks: [...]}` groups (or flat entries) back to canonical entries.
    static func flatEntries(_ value: JSONValue?, matcher transform: (String?) -> String? = { $0 }, timeoutScale: Int = 1) -> [HookEntry] {
        var out: [HookEntry] = []
        for item in value?.arrayValue ?? [] {
            guard let group = item.objectValue else { continue }
            let matcher = transform(group["matcher"]?.stringValue)
            let hooks = group["hooks"]?.arrayValue ?? [item]
            for hook in hooks {
                guard let h = hook.objectValue else { continue }
                let command = h["command"]?.stringValue
                let prompt = h["prompt"]?.stringValue
                let type = h["type"]?.stringValue ?? (prompt != nil && command == nil ? "prompt" : "command")
                let timeout = h["timeout"]?.intValue.map { timeoutScale > 1 ? $0 / timeoutScale : $0 }
                out.append(HookEntry(matcher: matcher, type: type, command: command, prompt: prompt, timeout: timeout))
            }
        }
        return out
    }

    /// `## Heading\n\n` + body unless the body is empty or already has that heading line.
    static func prefixed(_ body: String, heading: String) -> String {
        let trimmed = body.trimmedWhitespace()
        if trimmed.isEmpty { return trimmed }
        if containsLine(trimmed, heading) { return trimmed }
        return heading + "\n\n" + trimmed
    }

    /// Whether one of `text`'s lines (split on `Character` "\n") equals `line`. Bytes are compared when both
    /// are ASCII and `text` has no CR (then a line is exactly the bytes between LFs and `==` is byte
    /// equality); otherwise the `Character`-level split decides.
    static func containsLine(_ text: String, _ line: String) -> Bool {
        if line.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D && $0 != 0x0A }) {
            var text = text
            let fast: Bool? = text.withUTF8 { u in
                if u.contains(0x0D) || u.contains(where: { $0 >= 0x80 }) { return nil }
                var target = line
                return target.withUTF8 { t in
                    var start = 0
                    for i in 0...u.count where i == u.count || u[i] == 0x0A {
                        if i - start == t.count, t.indices.allSatisfy({ u[start + $0] == t[$0] }) { return true }
                        start = i + 1
                    }
                    return false
                }
            }
            if let fast { return fast }
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).contains { $0 == line }
    }

    /// Removes a leading `## Heading\n\n` that generation added.
    static func unprefixed(_ body: String, heading: String) -> String {
        let trimmed = body.trimmedWhitespace()
        guard trimmed.hasPrefix(heading + "\n\n") else { return trimmed == heading ? "" : trimmed }
        return String(trimmed.dropFirst(heading.count + 2)).trimmedWhitespace()
    }

    /// Ignore text with LF endings and exactly one trailing newline.
    static func ignoreText(_ ignore: IgnoreFile) -> String {
        ignore.text.replacingCRLF().trimmingTrailingNewlines() + "\n"
    }

    /// A canonical frontmatter object with keys in the order given (empties dropped at emission).
    static func frontmatter(_ pairs: [(String, JSONValue)]) -> JSONObject {
        var object = JSONObject()
        for (key, value) in pairs { object[key] = value }
        return object
    }

    /// Skill supporting files copied under `folder`.
    static func skillFiles(_ skill: Skill, folder: String, target: String) -> [OutputFile] {
        skill.files.map { OutputFile(path: "\(folder)/\(skill.name)/\($0.path)", target: target, content: .bytes($0.bytes)) }
    }

    /// The mcpServers owned key (`nil` when mcp.json is missing).
    static func mcpOwned(_ servers: JSONObject?) -> OwnedKey? {
        servers.map { OwnedKey(["mcpServers"], .object($0)) }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while s.last == "\n" || s.last == "\r" { s.removeLast() }
        return String(s)
    }
}
