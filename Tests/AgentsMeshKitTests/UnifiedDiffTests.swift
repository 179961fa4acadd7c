import TestSupport
import Testing

@testable import AgentsMeshKit

/// Expected strings below were produced by GNU diffutils 3.8: `diff -U<n> --label a/x --label b/x old new`.
@Suite struct UnifiedDiffTests {
    private func numbered(_ count: Int, _ prefix: String = "line") -> String {
        (1...count).map { "\(prefix)\($0)\n" }.joined()
    }

    private func diff(_ old: String, _ new: String, context: Int = 3) -> String {
        UnifiedDiff.diff(old: old, new: new, oldPath: "a/x", newPath: "b/x", context: context)
    }

    @Test func equalTextsProduceEmptyString() {
        #expect(diff("a\nb\n", "a\nb\n") == "")
        #expect(diff("a\nb", "a\nb") == "")
        #expect(diff("", "") == "")
    }

    @Test func createFromEmpty() {
        let result = UnifiedDiff.diff(old: "", new: "one\ntwo\n", oldPath: "/dev/null", newPath: "b/f.txt")
        #expect(result == "--- /dev/null\n+++ b/f.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n")
    }

    @Test func deleteToEmpty() {
        let result = UnifiedDiff.diff(old: "one\ntwo\n", new: "", oldPath: "a/f.txt", newPath: "/dev/null")
        #expect(result == "--- a/f.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n")
    }

    @Test func oneLineChangeInTheMiddle() {
        let old = numbered(10)
        let new = old.replacingFirst("line5\n", with: "LINE5\n")
        #expect(
            diff(old, new) == """
                --- a/x
                +++ b/x
                @@ -2,7 +2,7 @@
                 line2
                 line3
                 line4
                -line5
                +LINE5
                 line6
                 line7
                 line8

                """)
    }

    @Test func changesFarApartGiveTwoHunks() {
        let old = numbered(20)
        let new = old.replacingFirst("line2\n", with: "LINE2\n").replacingFirst("line18\n", with: "LINE18\n")
        #expect(
            diff(old, new) == """
                --- a/x
                +++ b/x
                @@ -1,5 +1,5 @@
                 line1
                -line2
                +LINE2
                 line3
                 line4
                 line5
                @@ -15,6 +15,6 @@
                 line15
                 line16
                 line17
                -line18
                +LINE18
                 line19
                 line20

                """)
    }

    @Test func changesSixLinesApartShareOneHunk() {
        let old = numbered(20)
        let new = old.replacingFirst("line3\n", with: "LINE3\n").replacingFirst("line10\n", with: "LINE10\n")
        #expect(
            diff(old, new) == """
                --- a/x
                +++ b/x
                @@ -1,13 +1,13 @@
                 line1
                 line2
                -line3
                +LINE3
                 line4
                 line5
                 line6
                 line7
                 line8
                 line9
                -line10
                +LINE10
                 line11
                 line12
                 line13

                """)
    }

    @Test func changesSevenLinesApartAreSplit() {
        let old = numbered(20)
        let new = old.replacingFirst("line3\n", with: "LINE3\n").replacingFirst("line11\n", with: "LINE11\n")
        #expect(
            diff(old, new) == """
                --- a/x
                +++ b/x
                @@ -1,6 +1,6 @@
                 line1
                 line2
                -line3
                +LINE3
                 line4
                 line5
                 line6
                @@ -8,7 +8,7 @@
                 line8
                 line9
                 line10
                -line11
                +LINE11
                 line12
                 line13
                 line14

                """)
    }

    @Test func missingNewlineOnOldSide() {
        #expect(
            diff("a\nb\nc", "a\nb\nc\n")
                == "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+c\n")
    }

    @Test func missingNewlineOnNewSide() {
        #expect(
            diff("a\nb\nc\n", "a\nb\nc")
                == "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n b\n-c\n+c\n\\ No newline at end of file\n")
    }

    @Test func missingNewlineOnBothSides() {
        #expect(
            diff("a\nb", "a\nc") == """
                --- a/x
                +++ b/x
                @@ -1,2 +1,2 @@
                 a
                -b
                \\ No newline at end of file
                +c
                \\ No newline at end of file

                """)
    }

    @Test func missingNewlineOnSharedContextLine() {
        #expect(
            diff("a\nb\nc\nd", "x\nb\nc\nd")
                == "--- a/x\n+++ b/x\n@@ -1,4 +1,4 @@\n-a\n+x\n b\n c\n d\n\\ No newline at end of file\n")
    }

    @Test func zeroContextUsesGNURanges() {
        let old = numbered(10)
        #expect(
            diff(old, old.replacingFirst("line5\n", with: "LINE5\n"), context: 0)
                == "--- a/x\n+++ b/x\n@@ -5 +5 @@\n-line5\n+LINE5\n")
        #expect(
            diff(old, old.replacingFirst("line2\n", with: "line2\nnew\n"), context: 0)
                == "--- a/x\n+++ b/x\n@@ -2,0 +3 @@\n+new\n")
        #expect(
            diff(old, old.replacingFirst("line2\n", with: ""), context: 0)
                == "--- a/x\n+++ b/x\n@@ -2 +1,0 @@\n-line2\n")
    }

    @Test func extremeContextValues() {
        let old = "l1\nl2\nl3\nl4\nl5\n"
        let new = "l1\nl2\nL3\nl4\nl5\n"
        #expect(diff(old, new, context: .max) == "--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n l1\n l2\n-l3\n+L3\n l4\n l5\n")
        // Negative context is treated as zero.
        #expect(diff(old, new, context: -4) == "--- a/x\n+++ b/x\n@@ -3 +3 @@\n-l3\n+L3\n")
    }

    @Test func edgesOfTheFile() {
        let six = numbered(6)
        #expect(diff(six, "zero\n" + six) == "--- a/x\n+++ b/x\n@@ -1,3 +1,4 @@\n+zero\n line1\n line2\n line3\n")
        #expect(diff(six, numbered(5)) == "--- a/x\n+++ b/x\n@@ -3,4 +3,3 @@\n line3\n line4\n line5\n-line6\n")
        #expect(diff("\n", "\n\n") == "--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n \n+\n")
        #expect(diff("a\nb\n", "c\nd\ne\n") == "--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n-a\n-b\n+c\n+d\n+e\n")
    }

    @Test func carriageReturnsStayInsideLines() {
        #expect(
            diff("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n")
                == "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n")
    }

    @Test func linesCompareBytesNotCanonicalEquivalence() {
        // "é" precomposed vs. "e" + combining acute: equal as Swift Strings, different bytes.
        let result = diff("caf\u{E9}\n", "cafe\u{301}\n")
        #expect(result == "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-caf\u{E9}\n+cafe\u{301}\n")
    }

    @Test func fiveThousandLinesWithAFewEdits() {
        let old = (1...5000).map { "line \($0)" }
        var new = old
        new[99] = "changed 100"
        new.remove(at: 1999)
        new.insert(contentsOf: ["inserted A", "inserted B"], at: 3999)
        new[new.count - 1] = "changed 5000"
        let result = UnifiedDiff.diff(
            old: old.joined(separator: "\n") + "\n", new: new.joined(separator: "\n") + "\n",
            oldPath: "a/big", newPath: "b/big"
        )
        let headers = result.split(separator: "\n").filter { $0.hasPrefix("@@") }
        #expect(
            headers == [
                "@@ -97,7 +97,7 @@", "@@ -1997,7 +1997,6 @@", "@@ -3998,6 +3997,8 @@", "@@ -4997,4 +4998,4 @@",
            ])
        #expect(
            result == """
                --- a/big
                +++ b/big
                @@ -97,7 +97,7 @@
                 line 97
                 line 98
                 line 99
                -line 100
                +changed 100
                 line 101
                 line 102
                 line 103
                @@ -1997,7 +1997,6 @@
                 line 1997
                 line 1998
                 line 1999
                -line 2000
                 line 2001
                 line 2002
                 line 2003
                @@ -3998,6 +3997,8 @@
                 line 3998
                 line 3999
                 line 4000
                +inserted A
                +inserted B
                 line 4001
                 line 4002
                 line 4003
                @@ -4997,4 +4998,4 @@
                 line 4997
                 line 4998
                 line 4999
                -line 5000
                +changed 5000

                """)
    }

    @Test func tenThousandLinesRoundTrip() {
        let old = (1...10_000).map { "row \($0 % 97) \($0)\n" }
        var new = old
        for index in stride(from: 10, to: 10_000, by: 1000) { new[index] = "edited \(index)\n" }
        new.removeSubrange(5000..<5040)
        new.insert("tail\n", at: new.count)
        let oldText = old.joined()
        let newText = new.joined()
        let result = diff(oldText, newText)
        // The edit at index 5010 falls inside the removed run, so GNU diff reports 11 hunks.
        #expect(
            result.split(separator: "\n").filter { $0.hasPrefix("@@") } == [
                "@@ -8,7 +8,7 @@", "@@ -1008,7 +1008,7 @@", "@@ -2008,7 +2008,7 @@", "@@ -3008,7 +3008,7 @@",
                "@@ -4008,7 +4008,7 @@", "@@ -4998,46 +4998,6 @@", "@@ -6008,7 +5968,7 @@", "@@ -7008,7 +6968,7 @@",
                "@@ -8008,7 +7968,7 @@", "@@ -9008,7 +8968,7 @@", "@@ -9998,3 +9958,4 @@",
            ])
        #expect(apply(result, to: oldText) == newText)
    }

    @Test func completelyDifferentLargeFilesAreOneHunk() {
        let old = (1...3000).map { "old \($0)\n" }.joined()
        let new = (1...3000).map { "new \($0)\n" }.joined()
        let result = diff(old, new)
        #expect(result.hasPrefix("--- a/x\n+++ b/x\n@@ -1,3000 +1,3000 @@\n-old 1\n"))
        #expect(apply(result, to: old) == new)
    }

    @Test func matchingIsALongestCommonSubsequence() {
        var random = SplitMix(seed: 7)
        for round in 0..<300 {
            let alphabet = 1 + round % 6
            let a = (0..<random.below(30)).map { _ in random.below(alphabet) }
            let b = (0..<random.below(30)).map { _ in random.below(alphabet) }
            let expected = lcsLength(a, b)
            for budget in [UnifiedDiff.defaultTraceBudget, 0, 8] {
                let (oldMatched, newMatched) = UnifiedDiff.matchLines(a, b, traceBudget: budget)
                let oldKept = a.indices.filter { oldMatched[$0] }.map { a[$0] }
                let newKept = b.indices.filter { newMatched[$0] }.map { b[$0] }
                #expect(oldKept == newKept)
                #expect(oldKept.count == expected)
            }
        }
    }

    @Test func randomEditsRoundTripWithAndWithoutSplitting() {
        var random = SplitMix(seed: 2024)
        let words = ["alpha", "beta", "gamma", "", "}", "delta"]
        for _ in 0..<200 {
            var lines = (0..<random.below(60)).map { _ in words[random.below(words.count)] }
            let old = lines.joined(separator: "\n") + (random.below(3) == 0 ? "" : "\n")
            for _ in 0..<random.below(10) {
                switch random.below(3) {
                case 0 where !lines.isEmpty: lines.remove(at: random.below(lines.count))
                case 1: lines.insert(words[random.below(words.count)] + "!", at: random.below(lines.count + 1))
                default: if !lines.isEmpty { lines[random.below(lines.count)] = words[random.below(words.count)] }
                }
            }
            let new = lines.joined(separator: "\n") + (random.below(3) == 0 ? "" : "\n")
            let context = random.below(5)
            for budget in [UnifiedDiff.defaultTraceBudget, 0] {
                let result = UnifiedDiff.diff(
                    old: old, new: new, oldPath: "a/x", newPath: "b/x", context: context, traceBudget: budget
                )
                #expect(apply(result, to: old) == new)
            }
        }
    }

    // MARK: - Helpers

    private func lcsLength(_ a: [Int], _ b: [Int]) -> Int {
        var row = [Int](repeating: 0, count: b.count + 1)
        for x in a {
            var diagonal = 0
            for (j, y) in b.enumerated() {
                let above = row[j + 1]
                row[j + 1] = x == y ? diagonal + 1 : max(row[j], above)
                diagonal = above
            }
        }
        return row[b.count]
    }

    /// Minimal patch applier: trusts hunk headers for positions and checks context/removed lines.
    private func apply(_ patch: String, to old: String) -> String? {
        if patch.isEmpty { return old }
        let source = splitKeepingNewlines(old)
        var output: [String] = []
        var cursor = 0
        var lines = splitKeepingNewlines(patch).dropFirst(2)[...]
        while let header = lines.popFirst() {
            guard header.hasPrefix("@@ -") else { return nil }
            let oldRange = header.dropFirst(4).prefix { $0 != " " }
            let startText = oldRange.prefix { $0 != "," }
            guard var start = Int(startText) else { return nil }
            if oldRange.hasSuffix(",0") == false { start -= 1 }
            guard start >= cursor, start <= source.count else { return nil }
            output += source[cursor..<start]
            cursor = start
            while let line = lines.first, !line.hasPrefix("@@") {
                lines.removeFirst()
                var body = String(line.dropFirst())
                if lines.first?.hasPrefix("\\ No newline at end of file") == true {
                    lines.removeFirst()
                    body = String(decoding: body.utf8.dropLast(), as: UTF8.self)
                }
                switch line.first {
                case " ", "-":
                    guard cursor < source.count, source[cursor] == body else { return nil }
                    cursor += 1
                    if line.first == " " { output.append(body) }
                case "+": output.append(body)
                default: return nil
                }
            }
        }
        output += source[cursor...]
        return output.joined()
    }

    private func splitKeepingNewlines(_ text: String) -> [String] {
        var result: [String] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            current.append(byte)
            if byte == UInt8(ascii: "\n") {
                result.append(String(decoding: current, as: UTF8.self))
                current.removeAll()
            }
        }
        if !current.isEmpty { result.append(String(decoding: current, as: UTF8.self)) }
        return result
    }
}

extension String {
    /// Replaces the first whole line equal to `target` (both include their "\n").
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        lines.removeLast()  // the empty piece after the final "\n"
        guard let index = lines.firstIndex(of: target) else { return self }
        lines[index] = replacement
        return lines.joined()
    }
}
