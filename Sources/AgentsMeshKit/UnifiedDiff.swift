// Hand-written: GNU `diff -u` output byte for byte; no kept library writes unified diffs.
/// Line-based unified diffs in the format of GNU `diff -u` and `git diff`.
///
/// Lines are compared byte for byte (not by Unicode canonical equivalence), and a final line
/// without a terminating newline never equals the same text with one, exactly like GNU diff.
package enum UnifiedDiff {
    /// Unified diff of two texts with 3 lines of context using the Myers O(ND) algorithm.
    /// `oldPath`/`newPath` are header names: pass "a/<path>" and "b/<path>", or "/dev/null" for create/delete.
    /// Returns "" when the texts are equal.
    package static func diff(old: String, new: String, oldPath: String, newPath: String, context: Int = 3) -> String {
        diff(old: old, new: new, oldPath: oldPath, newPath: newPath, context: context, traceBudget: defaultTraceBudget)
    }

    /// Largest number of `V` entries kept for trace backtracking before switching to the midpoint split.
    static let defaultTraceBudget = 4_000_000

    /// Same as the public entry point, with a tunable trace budget so tests can force the split path.
    static func diff(
        old: String, new: String, oldPath: String, newPath: String, context: Int, traceBudget: Int
    ) -> String {
        if old.utf8.elementsEqual(new.utf8) { return "" }
        let oldText = Array(old.utf8)
        let newText = Array(new.utf8)
        let oldLines = lineRanges(oldText)
        let newLines = lineRanges(newText)

        // Intern every distinct line (terminator included) as a small Int so the search compares Ints.
        var ids: [ArraySlice<UInt8>: Int] = [:]
        func intern(_ line: ArraySlice<UInt8>) -> Int {
            if let id = ids[line] { return id }
            let id = ids.count
            ids[line] = id
            return id
        }
        let a = oldLines.map { intern(oldText[$0]) }
        let b = newLines.map { intern(newText[$0]) }

        let (oldMatched, newMatched) = matchLines(a, b, traceBudget: traceBudget)
        let blocks = changeBlocks(oldMatched: oldMatched, newMatched: newMatched)
        if blocks.isEmpty { return "" }

        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: "--- \(oldPath)\n+++ \(newPath)\n".utf8)
        let renderer = HunkRenderer(
            oldText: oldText, newText: newText, oldLines: oldLines, newLines: newLines,
            context: max(0, context)
        )
        renderer.render(blocks, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Lines

    /// Byte ranges of each line, each including its "\n" when present; an empty text has no lines.
    static func lineRanges(_ text: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, byte) in text.enumerated() where byte == UInt8(ascii: "\n") {
            ranges.append(start..<(index + 1))
            start = index + 1
        }
        if start < text.count { ranges.append(start..<text.count) }
        return ranges
    }

    // MARK: - Matching

    /// Marks the lines of `a` and `b` that belong to one longest common subsequence.
    ///
    /// Common prefix and suffix are matched directly, lines that occur only on one side are set
    /// aside (they can never match), and the rest goes through the Myers search.
    static func matchLines(_ a: [Int], _ b: [Int], traceBudget: Int) -> (old: [Bool], new: [Bool]) {
        var oldMatched = [Bool](repeating: false, count: a.count)
        var newMatched = [Bool](repeating: false, count: b.count)

        var low = 0
        while low < a.count && low < b.count && a[low] == b[low] {
            oldMatched[low] = true
            newMatched[low] = true
            low += 1
        }
        var oldHigh = a.count
        var newHigh = b.count
        while oldHigh > low && newHigh > low && a[oldHigh - 1] == b[newHigh - 1] {
            oldHigh -= 1
            newHigh -= 1
            oldMatched[oldHigh] = true
            newMatched[newHigh] = true
        }

        let idCount = max(a.max() ?? -1, b.max() ?? -1) + 1
        var inOld = [Bool](repeating: false, count: idCount)
        var inNew = inOld
        for index in low..<oldHigh { inOld[a[index]] = true }
        for index in low..<newHigh { inNew[b[index]] = true }
        let oldIndices = (low..<oldHigh).filter { inNew[a[$0]] }
        let newIndices = (low..<newHigh).filter { inOld[b[$0]] }
        if oldIndices.isEmpty || newIndices.isEmpty { return (oldMatched, newMatched) }

        let shortA = oldIndices.map { a[$0] }
        let shortB = newIndices.map { b[$0] }
        var shortAMatched = [Bool](repeating: false, count: shortA.count)
        var shortBMatched = [Bool](repeating: false, count: shortB.count)
        shortA.withUnsafeBufferPointer { aBuffer in
            shortB.withUnsafeBufferPointer { bBuffer in
                shortAMatched.withUnsafeMutableBufferPointer { aMarks in
                    shortBMatched.withUnsafeMutableBufferPointer { bMarks in
                        let search = MyersSearch(
                            a: aBuffer, b: bBuffer, aMatched: aMarks, bMatched: bMarks,
                            traceBudget: max(traceBudget, 3)
                        )
                        search.solve(aLow: 0, aHigh: shortA.count, bLow: 0, bHigh: shortB.count)
                    }
                }
            }
        }
        for (position, matched) in shortAMatched.enumerated() where matched {
            oldMatched[oldIndices[position]] = true
        }
        for (position, matched) in shortBMatched.enumerated() where matched {
            newMatched[newIndices[position]] = true
        }
        return (oldMatched, newMatched)
    }

    /// A maximal run of unmatched lines: `old` lines removed and `new` lines inserted at one spot.
    struct Block: Equatable {
        var old: Range<Int>
        var new: Range<Int>
    }

    /// Groups unmatched lines into blocks separated by at least one matched line.
    static func changeBlocks(oldMatched: [Bool], newMatched: [Bool]) -> [Block] {
        var blocks: [Block] = []
        var i = 0
        var j = 0
        while i < oldMatched.count || j < newMatched.count {
            if i < oldMatched.count && j < newMatched.count && oldMatched[i] && newMatched[j] {
                i += 1
                j += 1
                continue
            }
            let oldStart = i
            let newStart = j
            while i < oldMatched.count && !oldMatched[i] { i += 1 }
            while j < newMatched.count && !newMatched[j] { j += 1 }
            blocks.append(Block(old: oldStart..<i, new: newStart..<j))
        }
        return blocks
    }
}

// MARK: - Myers search

/// Myers' greedy O(ND) shortest-edit-script search over interned lines.
///
/// Each subproblem first runs the greedy forward search keeping every round's furthest-reaching
/// `V` row (the trace) and backtracks through it. When the trace would outgrow `traceBudget`
/// entries, the subproblem is instead cut at a point halfway along an optimal path (found with
/// two forward passes in linear space) and both halves are solved recursively.
///
/// The buffers are borrowed for the duration of one `solve` call (see `UnifiedDiff.matchLines`);
/// working on raw buffers keeps the inner loops free of reference counting in debug builds.
private struct MyersSearch {
    let a: UnsafeBufferPointer<Int>
    let b: UnsafeBufferPointer<Int>
    let aMatched: UnsafeMutableBufferPointer<Bool>
    let bMatched: UnsafeMutableBufferPointer<Bool>
    /// At least 3, so a one-edit problem always fits and every split makes progress.
    let traceBudget: Int

    func solve(aLow: Int, aHigh: Int, bLow: Int, bHigh: Int) {
        var aLow = aLow
        var bLow = bLow
        var aHigh = aHigh
        var bHigh = bHigh
        while aLow < aHigh && bLow < bHigh && a[aLow] == b[bLow] {
            aMatched[aLow] = true
            bMatched[bLow] = true
            aLow += 1
            bLow += 1
        }
        while aLow < aHigh && bLow < bHigh && a[aHigh - 1] == b[bHigh - 1] {
            aHigh -= 1
            bHigh -= 1
            aMatched[aHigh] = true
            bMatched[bHigh] = true
        }
        if aLow == aHigh || bLow == bHigh { return }
        if solveWithTrace(aLow: aLow, aHigh: aHigh, bLow: bLow, bHigh: bHigh) { return }
        let (x, y) = midpoint(aLow: aLow, aHigh: aHigh, bLow: bLow, bHigh: bHigh)
        solve(aLow: aLow, aHigh: aLow + x, bLow: bLow, bHigh: bLow + y)
        solve(aLow: aLow + x, aHigh: aHigh, bLow: bLow + y, bHigh: bHigh)
    }

    /// Greedy search with a stored trace; returns false (having marked nothing) if over budget.
    ///
    /// Round `d` stores the furthest x reached on diagonals k = -d, -d+2, ..., d in `d + 1`
    /// consecutive entries starting at d(d+1)/2; diagonal k sits at index (k + d) / 2.
    private func solveWithTrace(aLow: Int, aHigh: Int, bLow: Int, bHigh: Int) -> Bool {
        let n = aHigh - aLow
        let m = bHigh - bLow
        var trace: [Int] = []
        var finalRound = -1
        rounds: for d in 0...(n + m) {
            let rowStart = trace.count
            if rowStart + d + 1 > traceBudget { return false }
            let previousRow = rowStart - d
            var k = -d
            while k <= d {
                var x = 0
                if d > 0 {
                    let index = previousRow + (k + d) / 2
                    // Entry `index` is diagonal k+1 of the previous round, `index - 1` is k-1.
                    if k == -d || (k != d && trace[index - 1] < trace[index]) {
                        x = trace[index]
                    } else {
                        x = trace[index - 1] + 1
                    }
                }
                // Follow the diagonal of equal lines (inlined: this is the hot loop).
                var y = x - k
                while x < n && y < m && a[aLow + x] == b[bLow + y] {
                    x += 1
                    y += 1
                }
                trace.append(x)
                if k == n - m && x >= n {
                    finalRound = d
                    break rounds
                }
                k += 2
            }
        }

        var x = n
        var y = m
        var d = finalRound
        while d > 0 {
            let k = x - y
            let index = (d - 1) * d / 2 + (k + d) / 2
            let cameDown = k == -d || (k != d && trace[index - 1] < trace[index])
            let previousK = cameDown ? k + 1 : k - 1
            let previousX = cameDown ? trace[index] : trace[index - 1]
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                x -= 1
                y -= 1
                aMatched[aLow + x] = true
                bMatched[bLow + y] = true
            }
            x = previousX
            y = previousY
            d -= 1
        }
        while x > 0 && y > 0 {
            x -= 1
            y -= 1
            aMatched[aLow + x] = true
            bMatched[bLow + y] = true
        }
        return true
    }

    /// A local point (x, y) on an optimal edit path that splits its edits into two nonempty halves.
    ///
    /// The first pass finds the edit distance D; the second records where each furthest-reaching
    /// path stood at the end of round D/2 and carries that point along to the final diagonal.
    private func midpoint(aLow: Int, aHigh: Int, bLow: Int, bHigh: Int) -> (Int, Int) {
        let n = aHigh - aLow
        let m = bHigh - bLow
        let total = forwardPass(aLow: aLow, n: n, bLow: bLow, m: m, recordRound: nil)
        let middle = forwardPass(aLow: aLow, n: n, bLow: bLow, m: m, recordRound: total.rounds / 2)
        return (middle.x, middle.y)
    }

    /// Linear-space greedy pass; returns the edit distance and the carried point (if recording).
    private func forwardPass(
        aLow: Int, n: Int, bLow: Int, m: Int, recordRound: Int?
    ) -> (rounds: Int, x: Int, y: Int) {
        let offset = n + m + 1
        var furthest = [Int](repeating: 0, count: 2 * offset + 1)
        var markX = furthest
        var markY = furthest
        for d in 0...(n + m) {
            var k = -d
            while k <= d {
                var x = 0
                var previousK = k
                if d > 0 {
                    if k == -d || (k != d && furthest[offset + k - 1] < furthest[offset + k + 1]) {
                        previousK = k + 1
                        x = furthest[offset + previousK]
                    } else {
                        previousK = k - 1
                        x = furthest[offset + previousK] + 1
                    }
                }
                // Follow the diagonal of equal lines (inlined: this is the hot loop).
                var y = x - k
                while x < n && y < m && a[aLow + x] == b[bLow + y] {
                    x += 1
                    y += 1
                }
                furthest[offset + k] = x
                if let recordRound {
                    if d == recordRound {
                        markX[offset + k] = x
                        markY[offset + k] = x - k
                    } else if d > recordRound {
                        markX[offset + k] = markX[offset + previousK]
                        markY[offset + k] = markY[offset + previousK]
                    }
                }
                if k == n - m && x >= n {
                    return (d, markX[offset + k], markY[offset + k])
                }
                k += 2
            }
        }
        return (n + m, n, m)
    }
}

// MARK: - Rendering

/// Writes hunks for change blocks, merging blocks whose gap is at most twice the context.
private struct HunkRenderer {
    let oldText: [UInt8]
    let newText: [UInt8]
    let oldLines: [Range<Int>]
    let newLines: [Range<Int>]
    let context: Int

    func render(_ blocks: [UnifiedDiff.Block], into out: inout [UInt8]) {
        var group: [UnifiedDiff.Block] = []
        for block in blocks {
            if let last = group.last, block.old.lowerBound - last.old.upperBound - context > context {
                renderHunk(group, into: &out)
                group.removeAll(keepingCapacity: true)
            }
            group.append(block)
        }
        renderHunk(group, into: &out)
    }

    private func renderHunk(_ group: [UnifiedDiff.Block], into out: inout [UInt8]) {
        guard let first = group.first, let last = group.last else { return }
        // Lines before the first block and after the last are equal on both sides, so the
        // leading and trailing context have the same length in the old and new text.
        let lead = min(context, first.old.lowerBound)
        let trail = min(context, oldLines.count - last.old.upperBound)
        let oldStart = first.old.lowerBound - lead
        let newStart = first.new.lowerBound - lead
        let oldCount = last.old.upperBound + trail - oldStart
        let newCount = last.new.upperBound + trail - newStart
        out.append(contentsOf: "@@ -\(Self.range(oldStart, oldCount)) +\(Self.range(newStart, newCount)) @@\n".utf8)

        var position = oldStart
        for block in group {
            for index in position..<block.old.lowerBound { emit(" ", oldText[oldLines[index]], into: &out) }
            for index in block.old { emit("-", oldText[oldLines[index]], into: &out) }
            for index in block.new { emit("+", newText[newLines[index]], into: &out) }
            position = block.old.upperBound
        }
        for index in position..<(last.old.upperBound + trail) { emit(" ", oldText[oldLines[index]], into: &out) }
    }

    /// GNU range notation: "l" for one line, "l,s" otherwise, where an empty range names the line before it.
    private static func range(_ start: Int, _ count: Int) -> String {
        switch count {
        case 0: "\(start),0"
        case 1: "\(start + 1)"
        default: "\(start + 1),\(count)"
        }
    }

    private func emit(_ prefix: Unicode.Scalar, _ line: ArraySlice<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: prefix))
        out.append(contentsOf: line)
        if line.last != UInt8(ascii: "\n") {
            out.append(contentsOf: "\n\\ No newline at end of file\n".utf8)
        }
    }
}
