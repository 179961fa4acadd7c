import Foundation
import SharedCore
import TestSupport
import Testing

@testable import AgentsMeshProjectors

/// The fast checks used on the rebasing hot path agree with the straightforward code they short-cut.
@Suite struct PathFastPathTests {
    static let rebaser = LinkRebaser(projectRoot: "/p", exists: { _ in false }, map: { _ in nil })

    @Test(arguments: [
        "", ".", "..", "a", "a/b", "./a", "a/./b", "a/../b", "../a", "a/..", "a//b", "/a", "a/", ".a/b", "a/..b", "a/.../b",
        ".agentsmesh/rules/r-1.md", "x/../../y",
    ])
    func normalizeMatchesTheSegmentWalk(path: String) {
        #expect(Self.rebaser.normalize(path) == Self.rebaser.normalizeSegments(path))
        // The check is conservative: a path it accepts is certainly unchanged by the walk.
        if LinkRebaser.isNormal(path) { #expect(Self.rebaser.normalizeSegments(path) == path) }
    }

    @Test func normalizeMatchesOnRandomPaths() {
        var random = Seeded(3)
        let pieces = ["a", "b", ".", "..", "/", "...", ".x", "-"]
        for _ in 0..<20_000 {
            let path = (0..<Int(random.next() % 9)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            #expect(Self.rebaser.normalize(path) == Self.rebaser.normalizeSegments(path), "\(path)")
        }
    }

    @Test func containsBytesMatchesFoundationOnASCII() {
        var random = Seeded(9)
        let alphabet = Array("ab:/\\#. ".utf8)
        for _ in 0..<20_000 {
            let hay = String(decoding: (0..<Int(random.next() % 10)).map { _ in alphabet[Int(random.next() % 8)] }, as: UTF8.self)
            let needle = String(decoding: (0..<Int(1 + random.next() % 3)).map { _ in alphabet[Int(random.next() % 8)] }, as: UTF8.self)
            #expect(hay.containsBytes(needle) == hay.contains(needle), "\(hay) / \(needle)")
            #expect(hay.dropFirst().containsBytes(needle) == hay.dropFirst().contains(needle), "\(hay) / \(needle)")
        }
        #expect("abc".containsBytes(""))
    }

    @Test func containsLineMatchesTheCharacterSplit() {
        var random = Seeded(21)
        let pieces = ["## H", "\n", "\r\n", "x", " ", "é", "#", "H"]
        for _ in 0..<20_000 {
            let text = (0..<Int(random.next() % 8)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            for heading in ["## H", "x", "", "é"] {
                let reference = text.split(separator: "\n", omittingEmptySubsequences: false).contains { $0 == heading }
                #expect(ProjectionSupport.containsLine(text, heading) == reference, "\(text.debugDescription) / \(heading)")
            }
        }
    }

    @Test func replacingBytesMatchesFoundationOnASCII() {
        var random = Seeded(33)
        let alphabet = Array("\"\\$ab{}".utf8)
        for _ in 0..<20_000 {
            let text = String(decoding: (0..<Int(random.next() % 12)).map { _ in alphabet[Int(random.next() % 7)] }, as: UTF8.self)
            for (target, replacement) in [("\\", "\\\\"), ("\"\"\"", "\"\"\\\""), ("$a", "{{b}}"), ("{{", "$")] {
                #expect(
                    text.replacingBytes(target, with: replacement) == text.replacingOccurrences(of: target, with: replacement), "\(text)")
            }
        }
    }

    @Test func asciiSegmentWalksMatchTheCharacterWalks() {
        var random = Seeded(77)
        let pieces = ["a", "b", ".", "..", "/", "//", "...", ".x", "rules", "r-1.md"]
        func path() -> String { (0..<Int(random.next() % 7)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined() }
        for _ in 0..<20_000 {
            let one = path()
            let two = path()
            #expect(LinkRebaser.normalizeASCII(one) == Self.rebaser.normalizeCharacters(one), "\(one)")
            #expect(
                LinkRebaser.relativePathASCII(from: one, to: two) == Self.rebaser.relativePathCharacters(from: one, to: two),
                "\(one) -> \(two)")
        }
        #expect(LinkRebaser.normalizeASCII("é/../x") == nil)
        #expect(Self.rebaser.normalizeSegments("é/../x") == "x")
    }
}
