import AgentsMeshKit
import SharedCore
import TestSupport
import Testing

@testable import AgentsMeshProjectors

/// The byte-level rebase (and its last-segment pre-filter and memo) must match the Character-level
/// reference implementation exactly.
@Suite struct LinkRebaserFastPathTests {
    static let known: Set<String> = [
        ".agentsmesh/rules/_root.md", ".agentsmesh/rules/ts.md", ".agentsmesh/skills/a/SKILL.md", ".agentsmesh/skills/a/t.ts",
        ".agentsmesh/skills/a", ".agentsmesh/rules", ".agentsmesh/skills",
    ]

    static func map(_ path: String) -> String? {
        if path == ".agentsmesh/rules/_root.md" { return "CLAUDE.md" }
        if path.hasPrefix(".agentsmesh/rules/") { return ".cursor/rules/" + path.dropFirst(18) + "c" }
        if path.hasPrefix(".agentsmesh/skills/") { return ".claude/skills/" + path.dropFirst(19) }
        if path == ".agentsmesh/rules" { return ".cursor/rules" }
        return nil
    }

    static let plain = LinkRebaser(projectRoot: "/proj", exists: { known.contains($0) }, map: { map($0) })
    static let filtered = LinkRebaser(
        projectRoot: "/proj", exists: { known.contains($0) }, map: { map($0) },
        lastSegments: Set(known.map { String($0.split(separator: "/").last!) }))

    static let pieces = [
        "See", " ", " ", "\t", "\n", "\n", ".agentsmesh/rules/ts.md", "../rules/ts.md", "./t.ts", "t.ts", "SKILL.md", "ts.md",
        "[x](.agentsmesh/rules/_root.md#a)", "(.agentsmesh/skills/a/)", "@.agentsmesh/rules/ts.md:12", "\"/proj/.agentsmesh/rules/ts.md\"",
        "/proj/.agentsmesh/skills/a", "..\\rules\\ts.md", "`", "``", "```", "~~~", "    ", "end.", "a,", "b;", "c:", "d!", "e?",
        "https://x.y/z", "mailto:a@b.c", "//host/x", "git@h:x", "é", "日本", "e\u{301}", "`\u{301}", ".\u{301}", "#", ":7",
        "rules", "skills/a", "..", ".", "/", "\r\n", "](", "*", "'", "<", ">", "x.md:", "a/", "//",
    ]

    @Test func byteLevelMatchesCharacterLevel() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...24, using: &generator) { text += Self.pieces.randomElement(using: &generator)! }
            let sources = [".agentsmesh/rules/_root.md", ".agentsmesh/skills/a/SKILL.md", ".agentsmesh/rules/sub/x.md"]
            let outputs = ["CLAUDE.md", ".claude/skills/a/SKILL.md", ".cursor/rules/x.mdc"]
            let from = sources[round % 3]
            let to = outputs[(round / 3) % 3]
            let expected = Self.plain.rebaseCharacters(text, sourceFile: from, outputFile: to)
            #expect(Self.plain.rebase(text, from: from, to: to) == expected, "text: \(text.debugDescription)")
            #expect(Self.filtered.rebase(text, from: from, to: to) == expected, "text: \(text.debugDescription)")
        }
    }

    @Test func fencesAndCodeSpans() {
        let text =
            "a .agentsmesh/rules/ts.md\n  ```js\n.agentsmesh/rules/ts.md\n ```\n`x` .agentsmesh/rules/ts.md ``y`z``\n~~~~\n./t.ts\n~~~~ \nend"
        let expected = Self.plain.rebaseCharacters(text, sourceFile: ".agentsmesh/rules/_root.md", outputFile: "CLAUDE.md")
        #expect(Self.filtered.rebase(text, from: ".agentsmesh/rules/_root.md", to: "CLAUDE.md") == expected)
        #expect(expected.contains(".cursor/rules/ts.mdc"))
    }

    /// A rebaser whose scans are shared (as the projectors of one plan share them) gives what a fresh rebase
    /// gives: for the same text rebased for several outputs, and for its trimmed form (which reuses the
    /// untrimmed text's scan when only empty lines and trailing blanks were cut).
    @Test func sharedScansMatchFreshRebases() {
        var random = SplitMix(seed: 0x5CA9_5EED)
        let sources = [".agentsmesh/rules/_root.md", ".agentsmesh/skills/a/SKILL.md", ".agentsmesh/rules/sub/x.md"]
        let outputs = ["CLAUDE.md", ".claude/skills/a/SKILL.md", ".cursor/rules/x.mdc", "GEMINI.md"]
        let edges = ["", "\n", "\n\n", " ", "\t", "  \n", "\n  ", " \n\n\t"]
        var scans = ReferenceScans()
        var shared = Self.filtered
        shared.scans = scans
        var reused = 0
        for round in 0..<3000 {
            if round % 500 == 0 {
                reused += scans.trimmedReuses
                scans = ReferenceScans()
                shared.scans = scans
            }
            var core = ""
            for _ in 0..<random.below(24) { core += Self.pieces[random.below(Self.pieces.count)] }
            let text = edges[random.below(edges.count)] + core + edges[random.below(edges.count)]
            let from = sources[round % 3]
            for variant in [text, text.trimmedWhitespace(), text] {
                for to in outputs where random.below(2) == 0 || to == "GEMINI.md" {
                    let expected = Self.plain.rebaseCharacters(variant, sourceFile: from, outputFile: to)
                    #expect(shared.rebase(variant, from: from, to: to) == expected, "text: \(variant.debugDescription) for \(to)")
                }
            }
        }
        reused += scans.trimmedReuses
        #expect(reused > 500)
    }
}
