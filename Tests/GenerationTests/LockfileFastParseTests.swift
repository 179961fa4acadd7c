import Foundation
@testable import Generation
import Testing

/// The line-by-line lock reader must agree with the YAML reader, and step aside for anything unusual.
@Suite struct LockfileFastParseTests {
    static func sample() -> Lockfile {
        var lock = Lockfile()
        lock.generatedAt = "2026-05-16T10:00:00.000Z"
        lock.generatedBy = "alice"
        lock.libVersion = "0.1.0"
        lock.checksums = ["rules/_root.md": "sha256:" + String(repeating: "ab", count: 32), "mcp.json": "sha256:" + String(repeating: "01", count: 32)]
        lock.extends = ["base": "local:sha256:" + String(repeating: "c", count: 64)]
        lock.packs = [:]
        lock.outputs = [".claude/rules/x-1.md": "sha256:" + String(repeating: "9", count: 64), "CLAUDE.md": "sha256:" + String(repeating: "e", count: 64)]
        lock.staleTargets = ["cursor"]
        return lock
    }

    @Test func fastPathMatchesYAML() throws {
        let text = Self.sample().serialized()
        let fast = try #require(Lockfile.parseFast(text))
        #expect(fast == (try Lockfile.parseYAML(text)))
        #expect(fast == Self.sample())
    }

    @Test func unusualLocksFallBackToYAML() throws {
        let base = Self.sample().serialized()
        let variants = [
            base.replacingOccurrences(of: "  mcp.json: sha256:", with: "  \"mcp.json\": sha256:"),
            base.replacingOccurrences(of: "extends:\n", with: "extends:\n\n"),
            base + "checksums: {}\n",
            base.replacingOccurrences(of: "  CLAUDE.md: sha256:e", with: "  CLAUDE.md: 0123"),
            base.replacingOccurrences(of: "outputs:\n", with: "outputs:\n  CLAUDE.md: sha256:aa\n"),
        ]
        for text in variants {
            #expect(Lockfile.parseFast(text) == nil, "\(text)")
            #expect((try? Lockfile.parse(text)) == (try? Lockfile.parseYAML(text)))
        }
    }
}
