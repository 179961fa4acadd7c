import AgentsMeshProjectors
import FoundationEssentials
import Testing

@Suite struct MarkdownMergeTests {
    @Test func fencesBlankLinesAndShellCommentsSurvive() {
        let existing = "# Build\n\n```bash\n# install deps\nnpm ci\n\nnpm test\n```\n\nKeep it green."
        let imported = "# Build\n\n```bash\n# install deps\nnpm ci\n\nnpm test\n```\n\nShip small."
        #expect(
            MarkdownMerge.merge(existing: existing, imported: imported)
                == "# Build\n\n```bash\n# install deps\nnpm ci\n\nnpm test\n```\n\nKeep it green.\n\nShip small.")
    }

    @Test func aNewBlockLandsAtTheEndOfTheSectionItFollows() {
        let existing = "# A\n\none\n\n# B\n\ntwo"
        let imported = "# A\n\nthree\n\n# B\n\ntwo"
        #expect(MarkdownMerge.merge(existing: existing, imported: imported) == "# A\n\none\n\nthree\n\n# B\n\ntwo")
    }

    @Test func identicalBlocksAreNotRepeatedButRepeatsInsideOneFileAreKept() {
        let existing = "# Notes\n\nx"
        let imported = "# Notes\n\nx\n\n---\n\ny\n\n---\n\nz"
        #expect(MarkdownMerge.merge(existing: existing, imported: imported) == imported)
        let other = "## Notes\n\na\n\n## Notes\n\nb"
        #expect(MarkdownMerge.merge(existing: "start", imported: other) == "start\n\n## Notes\n\na\n\n## Notes\n\nb")
    }

    @Test func subsetsAndSupersets() {
        #expect(MarkdownMerge.merge(existing: "# R\n\na\n\nb", imported: "b") == "# R\n\na\n\nb")
        #expect(MarkdownMerge.merge(existing: "# R\na", imported: "# R\na\nb") == "# R\na\nb")
        #expect(MarkdownMerge.merge(existing: "", imported: "x") == "x")
        #expect(MarkdownMerge.merge(existing: "x", imported: "") == "x")
    }

    @Test func anUnclosedFenceRunsToTheEnd() {
        let merged = MarkdownMerge.merge(existing: "intro", imported: "```\n# not a heading\n\ncode")
        #expect(merged == "intro\n\n```\n# not a heading\n\ncode")
    }

    @Test func everyNonBlankLineOfBothSidesIsKept() {
        let a = "# T\n\n- one\n- two\n\n```sh\n# c\n```\n\n## S\n\npara"
        let b = "# T\n\n- one\n- three\n\n## S\n\npara\n\n```sh\n# d\n```"
        let merged = MarkdownMerge.merge(existing: a, imported: b)
        let lines = Set(merged.split(separator: "\n").map(String.init))
        for line in (a + "\n" + b).split(separator: "\n") { #expect(lines.contains(String(line)), "\(line)") }
        #expect(merged.components(separatedBy: "```").count - 1 == 4)
    }
}
