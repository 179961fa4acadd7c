import Foundation
import SharedCore
import TestSupport
import Testing

@testable import AgentsMeshProjectors

/// `LinkRebaser.rewrite` as it was before it was split into a target-independent resolution (shared by the
/// targets of one plan) and a per-target mapping: frozen here as the oracle of the split form.
func referenceRewrite(_ r: LinkRebaser, _ raw: String, sourceFile: String, outputFile: String) -> String? {
    func mapped(_ rel: String) -> String? { r.exists(rel) ? r.map(rel) : nil }
    guard !raw.isEmpty else { return nil }
    if raw.hasPrefix("//") || raw.containsBytes("://") || raw.hasPrefix("git@") { return nil }
    // ASCII without ':' or '#' (most references): no scheme and no suffix to split off.
    let plain = raw.utf8.allSatisfy { $0 < 0x80 && $0 != 0x3A && $0 != 0x23 }
    if !plain, let colon = raw.firstIndex(of: ":"), raw[..<colon].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }),
        raw[..<colon].count > 1, !raw[raw.index(after: colon)...].allSatisfy(\.isNumber)
    {
        return nil  // scheme such as mailto: or vscode:
    }
    // Split a `:<line>` or `#anchor` suffix.
    var path = raw
    var suffix = ""
    if !plain, let hash = path.firstIndex(of: "#") {
        suffix = String(path[hash...])
        path = String(path[..<hash])
    }
    if !plain, let colon = path.lastIndex(of: ":"), path[path.index(after: colon)...].allSatisfy(\.isNumber),
        path.index(after: colon) < path.endIndex
    {
        suffix = String(path[colon...]) + suffix
        path = String(path[..<colon])
    }
    let normalizedInput = path.containsBytes("\\") ? path.replacingOccurrences(of: "\\", with: "/") : path
    let trailingSlash = normalizedInput.hasSuffix("/") && normalizedInput.count > 1
    let input = trailingSlash ? String(normalizedInput.dropLast()) : normalizedInput
    guard !input.isEmpty else { return nil }

    // Absolute in-project path → project-relative output.
    if input.hasPrefix("/") {
        guard input.hasPrefix(r.projectRoot + "/") else { return nil }
        let rel = String(input.dropFirst(r.projectRoot.count + 1))
        guard let mapped = mapped(rel) else { return nil }
        return mapped + (trailingSlash ? "/" : "") + suffix
    }
    // Project-relative reference (`.agentsmesh/…`, or a target path on import).
    if !input.hasPrefix("./") && !input.hasPrefix("../"), let mapped = mapped(r.normalize(input)) {
        return mapped + (trailingSlash ? "/" : "") + suffix
    }
    // Relative to the source file's folder → relative to the output file's folder.
    let resolved = r.normalize(r.dirname(sourceFile) + "/" + input)
    guard !resolved.hasPrefix("../"), let mapped = mapped(resolved) else { return nil }
    var relative = r.relativePath(from: r.dirname(outputFile), to: mapped)
    if input.hasPrefix("./") && !relative.hasPrefix("../") && !relative.hasPrefix("./") { relative = "./" + relative }
    return relative + (trailingSlash ? "/" : "") + suffix
}

@Suite struct RewriteOracleTests {
    static let known: Set<String> = [
        ".agentsmesh/rules/_root.md", ".agentsmesh/rules/ts.md", ".agentsmesh/rules/sub/x.md", ".agentsmesh/skills/a/SKILL.md",
        ".agentsmesh/skills/a/t.ts", ".agentsmesh/skills/a", ".agentsmesh/rules", ".agentsmesh/skills", ".agentsmesh/hooks.yaml",
        "rules/ts.md", "docs/guide.md", "docs",
    ]

    /// Maps some existing paths and not others (`hooks.yaml`, `docs/guide.md`), so that a project-relative
    /// candidate that exists but does not map falls through to the relative one.
    static func map(_ path: String) -> String? {
        if path == ".agentsmesh/rules/_root.md" { return "CLAUDE.md" }
        if path.hasPrefix(".agentsmesh/rules/") { return ".cursor/rules/" + path.dropFirst(18) + "c" }
        if path.hasPrefix(".agentsmesh/skills/") { return ".claude/skills/" + path.dropFirst(19) }
        if path == ".agentsmesh/rules" || path == "rules/ts.md" { return ".cursor/rules" }
        if path == "docs" { return "documentation" }
        return nil
    }

    static let heads = [
        "", ".agentsmesh/", "./", "../", "../../", "/proj/", "/proj/.agentsmesh/", "/other/", "rules/", "skills/a/", "sub/", "a/",
        "..\\", ".\\", "./../", "//", "https://", "mailto:", "git@", "vscode:", "c:", "docs/", ".agentsmesh/rules/./", "x/../",
    ]
    static let tails = [
        "rules/ts.md", "ts.md", "x.md", "_root.md", "SKILL.md", "t.ts", "a", "a/", "rules", "skills", "skills/a", "hooks.yaml",
        "guide.md", "docs", "", "sub/x.md", "rules/sub/x.md", "..", ".",
    ]
    static let ends = ["", "#anchor", ":12", ":12#a", "#", ":", ":x", "/", "/#a", "é"]

    @Test func theSplitRewriteMatchesTheFrozenOne() {
        let rebaser = LinkRebaser(projectRoot: "/proj", exists: { Self.known.contains($0) }, map: { Self.map($0) })
        let sources = [
            ".agentsmesh/rules/_root.md", ".agentsmesh/rules/sub/x.md", ".agentsmesh/skills/a/SKILL.md", "AGENTS.md", "docs/guide.md",
        ]
        let outputs = ["CLAUDE.md", ".cursor/rules/x.mdc", ".claude/skills/a/SKILL.md", "GEMINI.md", ".gemini/commands/a/b.toml"]
        var checked = 0
        var rewritten = 0
        for head in Self.heads {
            for tail in Self.tails {
                for end in Self.ends {
                    let raw = head + tail + end
                    for source in sources {
                        for output in outputs {
                            let expected = referenceRewrite(rebaser, raw, sourceFile: source, outputFile: output)
                            #expect(
                                rebaser.rewrite(raw, sourceFile: source, outputFile: output) == expected,
                                "\(raw) from \(source) to \(output)")
                            checked += 1
                            if expected != nil { rewritten += 1 }
                        }
                    }
                }
            }
        }
        #expect(checked == Self.heads.count * Self.tails.count * Self.ends.count * 25)
        #expect(rewritten > 2000)
    }
}
