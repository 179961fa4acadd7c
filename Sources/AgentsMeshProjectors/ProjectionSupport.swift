internal import AgentsMeshCanonical
internal import AgentsMeshKit
internal import SharedCore

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
            for (key, value) in entry.extra where hook[key] == nil { hook[key] = value }
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
                out.append(HookEntry(h, matcher: matcher, timeoutScale: timeoutScale))
            }
        }
        return out
    }

    /// The hook entries one target receives, per native event in first-appearance order: canonical events
    /// mapped through `map` (nil = the target has no such event; reported through `dropped`) and this target's
    /// own `<target>:<event>` entries appended under their native name. Other targets' own events are skipped.
    static func eventsFor(
        _ hooks: Hooks, target: String, map: (String) -> String?, dropped: (String) -> Void
    ) -> [(native: String, parts: [(canonical: String?, entries: [HookEntry])])] {
        var out: [(native: String, parts: [(canonical: String?, entries: [HookEntry])])] = []
        func add(_ native: String, _ canonical: String?, _ entries: [HookEntry]) {
            if let index = out.firstIndex(where: { $0.native == native }) {
                out[index].parts.append((canonical, entries))
            } else {
                out.append((native, [(canonical, entries)]))
            }
        }
        for (event, entries) in hooks.events where !entries.isEmpty {
            if let own = HookEvent.targetSpecific(event) {
                if own.target == target { add(own.event, nil, entries) }
            } else if let native = map(event) {
                add(native, event, entries)
            } else {
                dropped(event)
            }
        }
        return out
    }

    /// Native hook events in file order → canonical `hooks.yaml` events: `canonical` maps a native event to its
    /// canonical one (nil = none); entries of unmapped events, and entries the other tools cannot run (a hook
    /// `type` other than `command` / `prompt`), go to the target-specific event `<target>:<native>` and
    /// are generated back for this target only.
    static func importHooks(
        _ native: JSONObject, target: String, canonical: (String) -> String?,
        matcher: (String, String?) -> String? = { $1 }, timeoutScale: Int = 1,
        warnings: inout [Diagnostic], path: String
    ) -> Hooks? {
        var hooks = Hooks()
        for (event, list) in native {
            // Entries of a target-specific event keep their native matcher and timeout unit.
            let raw = flatEntries(list)
            if let mapped = canonical(event) {
                let translated = flatEntries(list, matcher: { matcher(event, $0) }, timeoutScale: timeoutScale)
                let portable = translated.filter { ["command", "prompt"].contains($0.type) }
                if !portable.isEmpty { hooks.append(portable, to: mapped) }
                let own = raw.filter { !["command", "prompt"].contains($0.type) }
                if !own.isEmpty {
                    hooks.append(own, to: "\(target):\(event)")
                    warnings.append(
                        Diagnostic(
                            code: "HOOK_TARGET_SPECIFIC",
                            message:
                                "\(path): \(own.count) \(event) hook(s) of a type only \(target) runs kept as '\(target):\(event)' in hooks.yaml",
                            path: path))
                }
            } else if !raw.isEmpty {
                hooks.append(raw, to: "\(target):\(event)")
                warnings.append(
                    Diagnostic(
                        code: "HOOK_TARGET_SPECIFIC",
                        message:
                            "\(path): hook event '\(event)' has no counterpart in the other tools; kept as '\(target):\(event)' in hooks.yaml (generated for \(target) only)",
                        path: path))
            }
        }
        // An import never writes an empty hooks.yaml: that would mean "clear every tool's hooks".
        return hooks.events.isEmpty ? nil : hooks
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

    /// `frontmatter` plus the canonical file's other keys (`argument-hint`, `model`, `color`, …) after the
    /// known ones, in their order: keys a tool reads that agentsmesh does not interpret are carried, not dropped.
    static func withExtras(_ frontmatter: JSONObject, from canonical: JSONObject, excluding known: Set<String>) -> JSONObject {
        var out = frontmatter
        for (key, value) in canonical where out[key] == nil && !known.contains(key) { out[key] = value }
        return out
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

}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while s.last == "\n" || s.last == "\r" { s.removeLast() }
        return String(s)
    }
}
