import AgentsMeshProjectors
import Testing

@Suite struct LinkRebaserTests {
    static let known: Set<String> = [
        ".agentsmesh/rules/_root.md", ".agentsmesh/rules/ts.md", ".agentsmesh/skills/a/SKILL.md", ".agentsmesh/skills/a/t.ts",
        ".agentsmesh/skills/a",
    ]
    static let rebaser = LinkRebaser(
        projectRoot: "/proj", exists: { known.contains($0) },
        map: { path in
            if path == ".agentsmesh/rules/_root.md" { return "CLAUDE.md" }
            if path.hasPrefix(".agentsmesh/rules/") { return ".claude/rules/" + path.dropFirst(18) }
            if path.hasPrefix(".agentsmesh/skills/") { return ".claude/skills/" + path.dropFirst(19) }
            return nil
        })

    func rebase(_ text: String, from: String = ".agentsmesh/rules/_root.md", to: String = "CLAUDE.md") -> String {
        Self.rebaser.rebase(text, from: from, to: to)
    }

    @Test func projectRelativeReferences() {
        #expect(rebase("See .agentsmesh/skills/a/SKILL.md.") == "See .claude/skills/a/SKILL.md.")
        #expect(rebase("[ts](.agentsmesh/rules/ts.md#intro)") == "[ts](.claude/rules/ts.md#intro)")
        #expect(rebase("@.agentsmesh/rules/ts.md:12 and (.agentsmesh/skills/a/)") == "@.claude/rules/ts.md:12 and (.claude/skills/a/)")
        #expect(rebase("\"/proj/.agentsmesh/rules/ts.md\"") == "\".claude/rules/ts.md\"")
    }

    @Test func relativeReferencesFollowTheOutputFolder() {
        #expect(rebase("Use ./t.ts.", from: ".agentsmesh/skills/a/SKILL.md", to: ".claude/skills/a/SKILL.md") == "Use ./t.ts.")
        #expect(rebase("see ../rules/ts.md", from: ".agentsmesh/skills/SKILL.md", to: "docs/x.md") == "see ../.claude/rules/ts.md")
        #expect(rebase("see ..\\rules\\ts.md", from: ".agentsmesh/skills/SKILL.md", to: "x/y.md") == "see ../.claude/rules/ts.md")
    }

    @Test func codeUrlsAndUnknownPathsAreLeftAlone() {
        #expect(rebase("`.agentsmesh/rules/ts.md`") == "`.agentsmesh/rules/ts.md`")
        #expect(
            rebase("```\n.agentsmesh/rules/ts.md\n```\nafter .agentsmesh/rules/ts.md")
                == "```\n.agentsmesh/rules/ts.md\n```\nafter .claude/rules/ts.md")
        #expect(rebase("~~~\n.agentsmesh/rules/ts.md\n~~~") == "~~~\n.agentsmesh/rules/ts.md\n~~~")
        #expect(rebase("https://x.dev/.agentsmesh/rules/ts.md") == "https://x.dev/.agentsmesh/rules/ts.md")
        #expect(rebase(".agentsmesh/rules/missing.md scripts/run.sh") == ".agentsmesh/rules/missing.md scripts/run.sh")
    }
}
