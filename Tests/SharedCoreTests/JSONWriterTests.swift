import Testing

@testable import SharedCore

/// The direct writer gives the emitter's bytes.
@Suite struct JSONWriterTests {
    func written(_ write: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter(capacity: 4)
        write(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func timestampsMatchTheClocksText() {
        var samples: [Int64] = [0, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 1_767_225_600_123, 253_402_300_799_999]
        var value: Int64 = 7
        for _ in 0..<2000 {
            value = (value &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407) & 0x7FFF_FFFF_FFFF
            samples.append(value % 253_402_300_800_000)
        }
        for milliseconds in samples {
            let expected = "\"" + Clock.iso(seconds: Int(milliseconds / 1000), milliseconds: Int(milliseconds % 1000)) + "\""
            #expect(written { $0.timestamp(milliseconds) } == expected, "\(milliseconds)")
        }
        // Out of the four-digit years: the clock's text, whatever it is.
        for milliseconds: Int64 in [-1, -86_400_001, 253_402_300_800_000] {
            let expected = JSONEmitter.quote(Clock.iso(seconds: Int(milliseconds / 1000), milliseconds: Int(milliseconds % 1000)))
            #expect(written { $0.timestamp(milliseconds) } == expected)
        }
        // The same instant twice (the cached text) and then another one.
        #expect(
            written { w in
                w.beginArray()
                w.timestamp(1000)
                w.timestamp(1000)
                w.timestamp(2000)
                w.endArray()
            } == #"["1970-01-01T00:00:01.000Z","1970-01-01T00:00:01.000Z","1970-01-01T00:00:02.000Z"]"#)
    }

    @Test func membersAndValuesMatchTheEmitter() {
        let value: JSONValue = [
            "a": "x\"y\\z\n\u{01}/é", "b": .null, "c": 0, "d": 9, "e": 10, "f": -12_345_678_901, "g": [.double(1.5), true, false, [:], []],
        ]
        let text = written { w in
            w.beginObject()
            w.key("a")
            w.string("x\"y\\z\n\u{01}/é")
            w.key("b")
            w.string(nil)
            w.key("c")
            w.int(0)
            w.key("d")
            w.int(9)
            w.key("e")
            w.int(10)
            w.key("f")
            w.int(-12_345_678_901)
            w.key("g")
            w.value([.double(1.5), true, false, [:], []])
            w.endObject()
        }
        #expect(text == JSONEmitter.compact(value))
        #expect(JSONWriter.value { $0.int(3) } == .int(3))
        #expect(
            written { w in
                w.beginArray()
                w.beginObject()
                w.endObject()
                w.null()
                w.beginArray()
                w.endArray()
                w.endArray()
            } == "[{},null,[]]")
    }

    /// The word-at-a-time scans find exactly what a byte loop finds, at every position and for every byte value
    /// (escapes, control characters, bytes with the high bit set, text shorter and longer than a word).
    @Test func wordScansAgreeWithAByteLoop() {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var cases: [[UInt8]] = [[], Array("plain-ascii-uuid-0123456789abcdef".utf8)]
        for length in 0..<40 {
            for special: UInt8 in [0x00, 0x1F, 0x20, 0x21, 0x22, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xFF] {
                for position in stride(from: 0, to: length, by: max(1, length / 5)) {
                    var bytes = [UInt8](repeating: 0x61, count: length)
                    bytes[position] = special
                    cases.append(bytes)
                }
            }
        }
        for _ in 0..<3000 {
            cases.append((0..<Int(next() % 48)).map { _ in UInt8(truncatingIfNeeded: next() % 7 == 0 ? next() : 0x41 + next() % 60) })
        }
        for bytes in cases {
            let escape = bytes.firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } ?? bytes.count
            bytes.withUnsafeBufferPointer { buffer in
                #expect(ByteScan.firstNeedingEscape(buffer) == escape, "\(bytes)")
                #expect(ByteScan.isASCII(buffer) == bytes.allSatisfy { $0 < 0x80 }, "\(bytes)")
                // Bytes written as a column are written as the String they decode to.
                var fromBytes = JSONWriter()
                fromBytes.string(utf8: buffer)
                var fromString = JSONWriter()
                fromString.string(String(decoding: bytes, as: UTF8.self))
                #expect(fromBytes.bytes == fromString.bytes, "\(bytes)")
            }
        }
    }
}
