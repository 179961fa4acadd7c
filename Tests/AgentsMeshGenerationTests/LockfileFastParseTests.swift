import Foundation
import TestSupport
import Testing

@testable import AgentsMeshGeneration

/// The line-by-line lock reader must agree with the YAML reader, and step aside for anything unusual.
@Suite struct LockfileFastParseTests {
    static func sample() -> Lockfile {
        var lock = Lockfile()
        lock.generatedAt = "2026-05-16T10:00:00.000Z"
        lock.generatedBy = "alice"
        lock.libVersion = "0.1.0"
        lock.checksums = [
            "rules/_root.md": "sha256:" + String(repeating: "ab", count: 32), "mcp.json": "sha256:" + String(repeating: "01", count: 32),
        ]
        lock.extends = ["base": "local:sha256:" + String(repeating: "c", count: 64)]
        lock.packs = [:]
        lock.outputs = [
            ".claude/rules/x-1.md": "sha256:" + String(repeating: "9", count: 64),
            "CLAUDE.md": "sha256:" + String(repeating: "e", count: 64),
        ]
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

    /// The byte scanner (texts without CR) and the `Substring` line reader agree on every mutation of a
    /// real lock: same lock, or both give up.
    @Test func byteScannerMatchesTheLineReader() {
        let base = Self.sample().serialized()
        let lines = base.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var random = Seeded(17)
        let insertions = ["", " ", "  ", "#", "-", ":", "outputs:", "checksums:", "  a: sha256:00", "  é: sha256:0", "x: 1", "\t"]
        var fastHits = 0
        for _ in 0..<3_000 {
            var mutated = lines
            for _ in 0..<Int(1 + random.next() % 3) {
                let at = Int(random.next() % UInt64(mutated.count))
                switch random.next() % 3 {
                case 0: mutated.insert(insertions[Int(random.next() % UInt64(insertions.count))], at: at)
                case 1: mutated.remove(at: at)
                default: mutated[at] += insertions[Int(random.next() % UInt64(insertions.count))]
                }
                if mutated.isEmpty { mutated = [""] }
            }
            let text = mutated.joined(separator: "\n")
            let fast = Lockfile.parseFast(text)
            #expect(fast == Lockfile.parseFastLines(text), "\(text)")
            if fast != nil { fastHits += 1 }
        }
        #expect(fastHits > 100)
    }
}
