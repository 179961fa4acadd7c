/// A set of Unicode scalars as sorted, disjoint ranges, with an ASCII bitmap for the common case.
struct ScalarSet: Sendable, Equatable {
    private(set) var ranges: [ClosedRange<UInt32>]
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    static let maxScalar: UInt32 = 0x10FFFF

    init(_ ranges: [ClosedRange<UInt32>]) {
        self.ranges = ScalarSet.normalize(ranges)
        for range in self.ranges where range.lowerBound < 128 {
            for value in range.lowerBound...min(range.upperBound, 127) {
                if value < 64 { low |= 1 << UInt64(value) } else { high |= 1 << UInt64(value - 64) }
            }
        }
    }

    /// `\d`.
    static let digits = ScalarSet([0x30...0x39])
    /// `\w`: ASCII letters, digits and `_`.
    static let word = ScalarSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    /// `\s`: space, tab, newline, vertical tab, form feed, carriage return.
    static let space = ScalarSet([0x09...0x0D, 0x20...0x20])

    func contains(_ value: UInt32) -> Bool {
        if value < 64 { return low & (1 << UInt64(value)) != 0 }
        if value < 128 { return high & (1 << UInt64(value - 64)) != 0 }
        var lower = 0
        var upper = ranges.count - 1
        while lower <= upper {
            let middle = (lower + upper) / 2
            let range = ranges[middle]
            if value < range.lowerBound {
                upper = middle - 1
            } else if value > range.upperBound {
                lower = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    /// Every scalar not in the set.
    var inverted: ScalarSet {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { out.append(next...(range.lowerBound - 1)) }
            if range.upperBound == ScalarSet.maxScalar { return ScalarSet(out) }
            next = range.upperBound + 1
        }
        out.append(next...ScalarSet.maxScalar)
        return ScalarSet(out)
    }

    /// The union with another set.
    func union(_ other: ScalarSet) -> ScalarSet { ScalarSet(ranges + other.ranges) }

    /// The set without the given scalar.
    func removing(_ value: UInt32) -> ScalarSet {
        ScalarSet(
            ranges.flatMap { range -> [ClosedRange<UInt32>] in
                guard range.contains(value) else { return [range] }
                var parts: [ClosedRange<UInt32>] = []
                if range.lowerBound < value { parts.append(range.lowerBound...(value - 1)) }
                if range.upperBound > value { parts.append((value + 1)...range.upperBound) }
                return parts
            })
    }

    private static func normalize(_ input: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let sorted = input.sorted { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<UInt32>] = []
        for range in sorted {
            if let last = out.last, range.lowerBound <= last.upperBound &+ 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                out.append(range)
            }
        }
        return out
    }

    static func == (lhs: ScalarSet, rhs: ScalarSet) -> Bool { lhs.ranges == rhs.ranges }
}
