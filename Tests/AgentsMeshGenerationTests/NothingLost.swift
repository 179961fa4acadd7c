import AgentsMeshKit
import Foundation
import SharedCore

/// The "nothing lost" property of issue 11, checked on a project after `init --yes`: what a user wrote in the
/// tools' files is still in the project (in `.agentsmesh/` or in the generated files).
enum NothingLost {
    /// Files whose lines are instructions.
    static func isInstructionFile(_ path: String) -> Bool {
        path.hasSuffix(".md") || path.hasSuffix(".mdc") || path.hasSuffix(".toml") || path == ".cursorrules"
    }

    /// Every text file below `root` (links not followed), relative path → text.
    static func texts(_ root: String) -> [String: String] {
        var out: [String: String] = [:]
        for path in FileSystem.walkFiles(root) {
            guard let bytes = try? FileSystem.read(root + "/" + path, displayPath: path) else { continue }
            out[path] = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        }
        return out
    }

    /// The words of a frontmatter line's value (what must survive however the line is re-formatted).
    static func valueWords(_ line: Substring) -> [String] {
        guard let colon = line.firstIndex(of: ":") else { return [] }
        let value = line[line.index(after: colon)...]
        return value.split(whereSeparator: { " ,[]\"'".contains($0) }).map(String.init).filter { $0.count >= 3 }
    }

    /// The generated files a tool reads: a file of `.claude/` must survive in what Claude Code gets, not only in
    /// `.agentsmesh/` (root files are read by every tool, so any output counts for them).
    static func scope(of path: String, in after: [String: String]) -> String {
        let tools: [(folder: String, root: String)] = [(".claude/", "CLAUDE.md"), (".cursor/", "AGENTS.md"), (".gemini/", "GEMINI.md")]
        guard let tool = tools.first(where: { path.hasPrefix($0.folder) }) else {
            return after.filter { !$0.key.hasPrefix(".agentsmesh/") || $0.key.hasPrefix(".agentsmesh/rules/_root") }.values.joined(
                separator: "\n")
        }
        return after.filter { $0.key.hasPrefix(tool.folder) || $0.key == tool.root }.values.joined(separator: "\n")
    }

    /// What the original instruction files, hooks and MCP servers have that the project lost.
    static func losses(original: String, project: String) throws -> [String] {
        let before = texts(original)
        let after = texts(project)
        var losses: [String] = []
        var scopes: [String: (all: String, lines: Set<String>)] = [:]
        for (path, text) in before.sorted(by: { $0.key < $1.key }) where isInstructionFile(path) {
            let key = [".claude/", ".cursor/", ".gemini/"].first { path.hasPrefix($0) } ?? ""
            if scopes[key] == nil {
                let all = scope(of: path, in: after)
                scopes[key] = (all, Set(all.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }))
            }
            let (all, lines) = scopes[key] ?? ("", [])
            var inFrontmatter = text.hasPrefix("---\n")
            for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if index == 0 && inFrontmatter { continue }
                if inFrontmatter {
                    if line == "---" {
                        inFrontmatter = false
                        continue
                    }
                    // Cursor ignores the globs of an always-apply rule, and so does its generated form; they stay
                    // in .agentsmesh/ for the tools that use them.
                    let unusedGlobs = path.hasSuffix(".mdc") && line.hasPrefix("globs:") && text.contains("\nalwaysApply: true")
                    for word in valueWords(raw) where !all.contains(word) {
                        if unusedGlobs, after.contains(where: { $0.key.hasPrefix(".agentsmesh/rules/") && $0.value.contains(word) }) {
                            continue
                        }
                        losses.append("\(path): frontmatter value '\(word)'")
                    }
                    continue
                }
                if line.isEmpty || lines.contains(line) { continue }
                // TOML: a `key = "value"` line keeps its value; the prompt's own lines are checked as lines.
                if path.hasSuffix(".toml"), line == "prompt = \"\"\"" || line == "\"\"\"" { continue }
                if path.hasSuffix(".toml"), let eq = line.firstIndex(of: "="),
                    all.contains(
                        line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                            in: CharacterSet(charactersIn: "\"")))
                {
                    continue
                }
                // An include of another root file is followed: its name stays as plain text.
                if line.contains("@"), lines.contains(line.replacingOccurrences(of: "@", with: "")) { continue }
                // Gemini's placeholder is the canonical `$ARGUMENTS` in `.agentsmesh/`.
                if line.contains("{{args}}"), lines.contains(line.replacingOccurrences(of: "{{args}}", with: "$ARGUMENTS")) { continue }
                losses.append("\(path): \(line)")
            }
        }
        // Hooks and MCP servers stay configured for the tool that had them.
        for (file, key) in [(".claude/settings.json", "hooks"), (".gemini/settings.json", "hooks"), (".cursor/hooks.json", "hooks")] {
            guard let old = before[file], let new = after[file] else {
                if before[file] != nil { losses.append("\(file) is gone") }
                continue
            }
            let oldCommands = commands(try JSONParser.parse(old)[key])
            let newCommands = commands(try JSONParser.parse(new)[key])
            for command in oldCommands where !newCommands.contains(command) { losses.append("\(file): hook '\(command)'") }
            let oldKeys = try JSONParser.parse(old).objectValue?.keys ?? []
            let newKeys = Set(try JSONParser.parse(new).objectValue?.keys ?? [])
            for top in oldKeys where !newKeys.contains(top) { losses.append("\(file): key '\(top)'") }
        }
        for file in [".mcp.json", ".cursor/mcp.json", ".gemini/settings.json"] {
            guard let old = before[file] else { continue }
            let names = try JSONParser.parse(old)["mcpServers"]?.objectValue?.keys ?? []
            let kept = Set(try after[file].map { try JSONParser.parse($0)["mcpServers"]?.objectValue?.keys ?? [] } ?? [])
            for name in names where !kept.contains(name) { losses.append("\(file): MCP server '\(name)'") }
        }
        return losses
    }

    static func commands(_ value: JSONValue?) -> Set<String> {
        var out: Set<String> = []
        func visit(_ value: JSONValue) {
            switch value {
            case .object(let object):
                for (key, inner) in object {
                    if key == "command", let command = inner.stringValue { out.insert(command) } else { visit(inner) }
                }
            case .array(let items): items.forEach(visit)
            default: break
            }
        }
        if let value { visit(value) }
        return out
    }
}
