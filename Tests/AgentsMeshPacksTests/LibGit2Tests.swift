import AgentsMeshGit
import Testing

/// The libgit2 system-library module links and reports a plausible version.
@Suite struct LibGit2Tests {
    @Test func libgit2ReportsItsVersion() {
        let parts = LibGit2.version.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count == 3)
        #expect(parts[0] >= 1)
    }
}
