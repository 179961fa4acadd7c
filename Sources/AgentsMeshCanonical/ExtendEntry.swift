internal import AgentsMeshKit
public import SharedCore

/// One `extends:` entry of `agentsmesh.yaml` (§2.1): a canonical source merged under the project.
public struct ExtendEntry: Sendable, Equatable {
    public var name: String
    /// The source as written (any §5.1 form; may hold credentials, never print it unmasked).
    public var source: String
    /// The requested ref, when given apart from the source.
    public var version: String?
    /// Native-format hint: read the source with this target's importer.
    public var target: String?
    /// Read the (sub-)folder as a flat folder of this kind.
    public var asKind: String?
    /// Features taken from the source; nil = all.
    public var features: [Feature]?
    /// Sub-folder of the source.
    public var path: String?
    /// Per kind, the only names taken (`rules`, `commands`, `agents`, `skills`).
    public var pick: [String: [String]] = [:]
    /// Elevated kinds consented to for a non-local source (`hooks`, `permissions`, `mcp`).
    public var accept: [String] = []

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    static let kinds = ["rules", "commands", "agents", "skills"]
    static let elevated = ["hooks", "permissions", "mcp"]
    static let known: Set<String> = ["name", "source", "version", "target", "as", "features", "path", "pick", "accept"]

    /// The source with the version appended as its ref (`@v` for github/gitlab, `#v` for git URLs)
    /// when the source names no ref of its own.
    public var sourceWithRef: String {
        guard let version, !version.isEmpty else { return source }
        if source.hasPrefix("github:") || source.hasPrefix("gitlab:") {
            return source.contains("@") ? source : source + "@" + version
        }
        if source.hasPrefix("git+") || source.hasPrefix("file://") {
            return source.contains("#") ? source : source + "#" + version
        }
        return source
    }

    /// The entry as a YAML mapping, keys in the documented order.
    public var json: JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        object["source"] = .string(source)
        if let version { object["version"] = .string(version) }
        if let target { object["target"] = .string(target) }
        if let asKind { object["as"] = .string(asKind) }
        if let features { object["features"] = .strings(features.map(\.rawValue)) }
        if let path { object["path"] = .string(path) }
        if !pick.isEmpty {
            var picked = JSONObject()
            for kind in Self.kinds { if let names = pick[kind] { picked[kind] = .strings(names) } }
            object["pick"] = .object(picked)
        }
        if !accept.isEmpty { object["accept"] = .strings(accept) }
        return .object(object)
    }

    /// Validates the `extends` list of a config file; any problem is `VALIDATION_FAILED` naming the entry.
    /// `warn` receives unknown keys (kept, ignored).
    public static func parse(_ values: [JSONValue], path: String, warn: (String) -> Void = { _ in }) throws(ToolError) -> [ExtendEntry] {
        var entries: [ExtendEntry] = []
        for (index, value) in values.enumerated() {
            let at = "extends[\(index)]"
            func invalid(_ message: String) -> ToolError {
                ToolError(
                    ErrorCode.validationFailed, "\(path): \(at): \(message)",
                    details: ["issues": [["path": .string(path), "field": .string(at), "message": .string(message)]]])
            }
            guard let object = value.objectValue else { throw invalid("an extends entry must be a mapping with name and source") }
            func string(_ key: String) throws(ToolError) -> String? {
                guard let member = object[key], !member.isNull else { return nil }
                if let text = member.stringValue { return text }
                // `version: 2` is a ref too.
                if let number = member.intValue { return String(number) }
                throw invalid("`\(key)` must be a string")
            }
            guard let name = try string("name"), !name.isEmpty else { throw invalid("`name` is required") }
            if let problem = NameRules.problem(with: name) { throw invalid("name '\(name)': \(problem)") }
            guard let source = try string("source"), !source.trimmedWhitespace().isEmpty else {
                throw invalid("`source` is required")
            }
            var entry = ExtendEntry(name: name, source: source.trimmedWhitespace())
            entry.version = try string("version")
            if let target = try string("target") {
                guard TargetID.firstClass.contains(target) else {
                    throw invalid("`target` must be one of \(TargetID.firstClass.joined(separator: ", "))")
                }
                entry.target = target
            }
            if let asKind = try string("as") {
                guard kinds.contains(asKind) else { throw invalid("`as` must be rules, commands, agents or skills") }
                entry.asKind = asKind
            }
            if let features = object["features"], !features.isNull {
                guard let names = features.stringList else { throw invalid("`features` must be a list of feature names") }
                var list: [Feature] = []
                for name in names {
                    guard let feature = Feature(rawValue: name) else { throw invalid("unknown feature '\(name)'") }
                    if !list.contains(feature) { list.append(feature) }
                }
                entry.features = list
            }
            entry.path = try string("path")
            if let pick = object["pick"], !pick.isNull {
                guard let map = pick.objectValue else { throw invalid("`pick` must map rules/commands/agents/skills to lists of names") }
                for (kind, names) in map {
                    guard kinds.contains(kind) else { throw invalid("`pick.\(kind)`: pick takes rules, commands, agents or skills") }
                    guard let list = names.stringList else { throw invalid("`pick.\(kind)` must be a list of names") }
                    entry.pick[kind] = list
                }
            }
            if let accept = object["accept"], !accept.isNull {
                guard let list = accept.stringList, list.allSatisfy({ elevated.contains($0) }) else {
                    throw invalid("`accept` must be a list drawn from hooks, permissions, mcp")
                }
                entry.accept = elevated.filter { list.contains($0) }
            }
            for key in object.keys where !known.contains(key) { warn("\(path): \(at) (\(name)): unknown key '\(key)' ignored") }
            guard !entries.contains(where: { $0.name == name }) else {
                throw invalid("two extends entries are named '\(name)'")
            }
            entries.append(entry)
        }
        return entries
    }
}

/// In-place edits of the `extends:` block of `agentsmesh.yaml` (§2.1): every other line, and every other
/// entry with its comments, stays as written.
public enum ExtendsBlock {
    /// Appends `entry` to the block (creating the key when absent). Returns the new file text.
    public static func appending(_ entry: ExtendEntry, to text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let body = YAMLEmitter.emit(entry.json.objectValue ?? JSONObject()).split(separator: "\n", omittingEmptySubsequences: false)
        let item = body.enumerated().map { index, line in (index == 0 ? "  - " : "    ") + line }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("extends:") }) else {
            return (lines + ["extends:"] + item).joined(separator: "\n") + "\n"
        }
        let head = String(lines[start].dropFirst("extends:".count)).trimmedWhitespace()
        if !(head.isEmpty || head.hasPrefix("#")) {
            // A flow value (`extends: []`, `extends: [ … ]`): rewritten as a block with the old items first.
            let parsed = (try? YAML.parse(lines[start], path: ConfigLoader.projectFile))?["extends"]?.arrayValue ?? []
            var block = JSONObject()
            block["extends"] = .array(parsed + [entry.json])
            let replacement = YAMLEmitter.emit(block).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.replaceSubrange(start...start, with: replacement)
            return lines.joined(separator: "\n") + "\n"
        }
        var end = blockEnd(lines, start: start)
        // Items keep the indentation the user chose for the existing ones.
        if let first = lines[(start + 1)..<end].first(where: { $0.trimmedWhitespace().hasPrefix("- ") }) {
            let indent = String(first.prefix { $0 == " " })
            let reindented = item.map { indent + $0.dropFirst(2) }
            lines.insert(contentsOf: reindented, at: end)
            return lines.joined(separator: "\n") + "\n"
        }
        while end > start + 1, lines[end - 1].trimmedWhitespace().isEmpty { end -= 1 }
        lines.insert(contentsOf: item, at: end)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` without the entry named `name`; nil when no such entry is in the block.
    public static func removing(named name: String, from text: String) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trailingNewline = lines.last == ""
        if trailingNewline { lines.removeLast() }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("extends:") }) else { return nil }
        let head = String(lines[start].dropFirst("extends:".count)).trimmedWhitespace()
        if !(head.isEmpty || head.hasPrefix("#")) {
            guard let parsed = (try? YAML.parse(lines[start], path: ConfigLoader.projectFile))?["extends"]?.arrayValue,
                parsed.contains(where: { $0["name"]?.stringValue == name })
            else { return nil }
            var block = JSONObject()
            block["extends"] = .array(parsed.filter { $0["name"]?.stringValue != name })
            let replacement = YAMLEmitter.emit(block).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.replaceSubrange(start...start, with: replacement)
            return lines.joined(separator: "\n") + (trailingNewline ? "\n" : "")
        }
        let end = blockEnd(lines, start: start)
        // Item boundaries: lines whose first non-space characters are `- ` at the items' indentation.
        let itemStarts = ((start + 1)..<end).filter { lines[$0].trimmedWhitespace().hasPrefix("- ") }
        guard let indent = itemStarts.first.map({ lines[$0].prefix { $0 == " " }.count }) else { return nil }
        let starts = itemStarts.filter { lines[$0].prefix { $0 == " " }.count == indent }
        for (position, itemStart) in starts.enumerated() {
            var itemEnd = position + 1 < starts.count ? starts[position + 1] : end
            // Comment and blank lines just before the next item belong to it.
            while itemEnd > itemStart + 1 {
                let line = lines[itemEnd - 1].trimmedWhitespace()
                guard line.isEmpty || line.hasPrefix("#") else { break }
                itemEnd -= 1
            }
            let chunk = lines[itemStart..<itemEnd].map { String($0.dropFirst(indent)) }.joined(separator: "\n")
            guard let item = (try? YAML.parse(chunk, path: ConfigLoader.projectFile))?.arrayValue?.first,
                item["name"]?.stringValue == name
            else { continue }
            // Comment lines right above the entry describe it and go with it.
            var removeFrom = itemStart
            while removeFrom > start + 1, lines[removeFrom - 1].trimmedWhitespace().hasPrefix("#") { removeFrom -= 1 }
            lines.removeSubrange(removeFrom..<itemEnd)
            if !((start + 1)..<(end - (itemEnd - removeFrom))).contains(where: {
                lines[$0].trimmedWhitespace().hasPrefix("- ")
            }) {
                // The last entry went: the key stays, as an empty list.
                lines[start] = "extends: []" + (head.hasPrefix("#") ? " " + head : "")
            }
            return lines.joined(separator: "\n") + (trailingNewline ? "\n" : "")
        }
        return nil
    }

    /// The index just past the block of the top-level key at `start`.
    static func blockEnd(_ lines: [String], start: Int) -> Int {
        func indented(_ line: String) -> Bool { line.first == " " || line.first == "-" || line.first == "\t" }
        var end = start + 1
        var probe = start + 1
        while probe < lines.count {
            let line = lines[probe]
            if indented(line) {
                probe += 1
                end = probe
            } else if line.isEmpty || line.hasPrefix("#") {
                // Blank and comment lines belong to the block only when more of it follows.
                probe += 1
            } else {
                break
            }
        }
        return end
    }
}
