import Testing

@testable import SharedCore

// MARK: - Helpers

/// Parses `text` and returns the failure, or nil (recording an issue) when it unexpectedly parses.
private func jsonFailure(_ text: String, maxDepth: Int = 256) -> JSONParser.Failure? {
    do {
        let value = try JSONParser.parse(text, maxDepth: maxDepth)
        Issue.record("expected a parse failure for \(text.debugDescription), got \(value)")
        return nil
    } catch {
        return error
    }
}

/// Same as `jsonFailure` for raw bytes.
private func jsonFailure(bytes: [UInt8]) -> JSONParser.Failure? {
    do {
        let value = try JSONParser.parse(bytes: bytes)
        Issue.record("expected a parse failure for \(bytes), got \(value)")
        return nil
    } catch {
        return error
    }
}

/// A malformed document and the exact position/message the parser reports.
struct JSONErrorCase: Sendable, CustomTestStringConvertible {
    let input: String
    let line: Int
    let column: Int
    let message: String
    var testDescription: String { input.debugDescription }
}

// MARK: - Parser

@Suite("JSONParser")
struct JSONParserTests {
    @Test func keepsObjectKeyOrderAtEveryLevel() throws {
        let value = try JSONParser.parse(#"{"zeta":1,"alpha":{"y":true,"b":false,"m":null},"mid":[{"k2":1,"k1":2}]}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["zeta", "alpha", "mid"])
        #expect(object["alpha"]?.objectValue?.keys == ["y", "b", "m"])
        #expect(object["mid"]?.arrayValue?.first?.objectValue?.keys == ["k2", "k1"])
    }

    @Test func duplicateKeyLastValueWins() throws {
        let object = try #require(try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#).objectValue)
        #expect(object.count == 2)
        #expect(object["a"] == .int(3))
        #expect(object["b"] == .int(2))
    }

    @Test(arguments: [
        ("0", JSONValue.int(0)),
        ("-0", .int(0)),
        ("42", .int(42)),
        ("-12", .int(-12)),
        ("9223372036854775807", .int(Int.max)),
        ("-9223372036854775808", .int(Int.min)),
        ("1.0", .double(1.0)),
        ("1.5", .double(1.5)),
        ("-0.25", .double(-0.25)),
        ("1e2", .double(100)),
        ("1E+2", .double(100)),
        ("1.5e-3", .double(0.0015)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
    ])
    func distinguishesIntegersFromDoubles(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func integerIsNotADouble() throws {
        let value = try JSONParser.parse("[1, 1.0]")
        #expect(value == .array([.int(1), .double(1.0)]))
        #expect(value != .array([.int(1), .int(1)]))
    }

    @Test func literals() throws {
        #expect(try JSONParser.parse("[true,false,null]") == .array([.bool(true), .bool(false), .null]))
    }

    @Test func simpleEscapes() throws {
        let value = try JSONParser.parse(#""q\"b\\s\/b\bf\fn\nr\rt\tA\u0041e\u00e9z\u0000""#)
        #expect(value == .string("q\"b\\s/b\u{08}f\u{0C}n\nr\rt\tAAe\u{E9}z\u{0}"))
    }

    @Test(arguments: [
        (#""\ud83d\ude00""#, "\u{1F600}"),
        (#""\uD83D\uDE00""#, "\u{1F600}"),
        (#""x\uD834\uDD1Ey""#, "x\u{1D11E}y"),
        (#""\uDBFF\uDFFF""#, "\u{10FFFF}"),
        (#""\u20AC""#, "\u{20AC}"),
    ])
    func surrogatePairsAndBMPEscapes(text: String, expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }

    @Test func rawUTF8PassesThrough() throws {
        #expect(try JSONParser.parse(#"{"clé":"héllo 😀 日本"}"#) == .object(["clé": "héllo 😀 日本"]))
    }

    @Test func surroundingWhitespaceIsAllowed() throws {
        #expect(try JSONParser.parse(" \t\r\n [ 1 , 2 ] \n\t ") == .array([.int(1), .int(2)]))
    }

    static let errorCases: [JSONErrorCase] = [
        .init(input: #"{"a":}"#, line: 1, column: 6, message: "unexpected character '}'"),
        .init(input: #"{"a":1,}"#, line: 1, column: 8, message: "expected a string key"),
        .init(input: #"{"a" 1}"#, line: 1, column: 6, message: "expected ':'"),
        .init(input: #"{"a":1"#, line: 1, column: 7, message: "unterminated object"),
        .init(input: #"{"a":1 "b":2}"#, line: 1, column: 8, message: "expected ',' or '}'"),
        .init(input: "[1,2", line: 1, column: 5, message: "unterminated array"),
        .init(input: "[1 2]", line: 1, column: 4, message: "expected ',' or ']'"),
        .init(input: "{\n  \"a\": tru\n}", line: 2, column: 8, message: "invalid literal"),
        .init(input: "nul", line: 1, column: 1, message: "invalid literal"),
        .init(input: "'a'", line: 1, column: 1, message: "unexpected character '''"),
        .init(input: "", line: 1, column: 1, message: "unexpected end of input"),
        .init(input: "  \n ", line: 2, column: 2, message: "unexpected end of input"),
        .init(input: #""abc"#, line: 1, column: 5, message: "unterminated string"),
        .init(input: "\"a\tb\"", line: 1, column: 3, message: "control character in string"),
        .init(input: #""a\qb""#, line: 1, column: 5, message: "invalid escape"),
        .init(input: #""\u12G4""#, line: 1, column: 6, message: "invalid \\u escape"),
        .init(input: #""\u12"#, line: 1, column: 4, message: "truncated \\u escape"),
        .init(input: #""\ud800""#, line: 1, column: 8, message: "unpaired surrogate"),
        .init(input: #""\ud800\u0041""#, line: 1, column: 14, message: "unpaired surrogate"),
        .init(input: #""\udc00""#, line: 1, column: 8, message: "unpaired surrogate"),
        .init(input: "01", line: 1, column: 2, message: "unexpected trailing characters"),
        .init(input: "-", line: 1, column: 2, message: "invalid number"),
        .init(input: "1.", line: 1, column: 3, message: "invalid number"),
        .init(input: "1e+", line: 1, column: 4, message: "invalid number"),
        .init(input: "+1", line: 1, column: 1, message: "unexpected character '+'"),
        .init(input: "[1]\n\n  x", line: 3, column: 3, message: "unexpected trailing characters"),
        // Columns count characters, not UTF-8 bytes.
        .init(input: #"{"é😀":x}"#, line: 1, column: 7, message: "unexpected character 'x'"),
    ]

    @Test(arguments: errorCases)
    func reportsLineColumnAndMessage(_ testCase: JSONErrorCase) {
        let failure = jsonFailure(testCase.input)
        #expect(failure?.line == testCase.line)
        #expect(failure?.column == testCase.column)
        #expect(failure?.message == testCase.message)
    }

    @Test func invalidUTF8InsideStringIsRejected() {
        let failure = jsonFailure(bytes: [0x22, 0x61, 0xFF, 0x62, 0x22])
        #expect(failure?.message == "invalid UTF-8 in string")
        #expect(failure?.line == 1)
    }

    @Test func depthLimitAcceptsDefaultDepth() throws {
        // 256 nested arrays around a scalar: the scalar sits at depth 256 == maxDepth.
        let text = String(repeating: "[", count: 256) + "1" + String(repeating: "]", count: 256)
        var value = try JSONParser.parse(text)
        var levels = 0
        while case .array(let items) = value {
            levels += 1
            value = items[0]
        }
        #expect(levels == 256)
        #expect(value == .int(1))
    }

    @Test func depthLimitRejectsDeeperNesting() {
        let text = String(repeating: "[", count: 257) + "1" + String(repeating: "]", count: 257)
        let failure = jsonFailure(text)
        #expect(failure?.message == "nesting deeper than 256 levels")
        #expect(failure?.line == 1)
        #expect(failure?.column == 258)
    }

    @Test func veryDeepInputFailsInsteadOfCrashing() {
        let text = String(repeating: "{\"a\":", count: 100_000)
        let failure = jsonFailure(text)
        #expect(failure?.message == "nesting deeper than 256 levels")
    }

    @Test func customDepthLimit() throws {
        #expect(try JSONParser.parse("[[1]]", maxDepth: 2) == .array([.array([.int(1)])]))
        #expect(jsonFailure(#"{"a":{"b":{"c":1}}}"#, maxDepth: 2)?.message == "nesting deeper than 2 levels")
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8)
        #expect(try JSONParser.parse(bytes: bytes) == .object(["a": 1]))
        #expect(try JSONParser.parse("\u{FEFF}[1]") == .array([1]))
    }

    @Test func byteOrderMarkOnlyAllowedAtStart() {
        let failure = jsonFailure("[1]\u{FEFF}")
        #expect(failure?.message == "unexpected trailing characters")
        #expect(failure?.column == 4)
    }
}

// MARK: - Emitter

@Suite("JSONEmitter")
struct JSONEmitterTests {
    static var sample: JSONValue {
        var object = JSONObject()
        object["name"] = "x"
        object["count"] = 3
        object["ratio"] = .double(1.5)
        object["whole"] = .double(2.0)
        object["flag"] = true
        object["off"] = false
        object["none"] = JSONValue.null
        object["empty"] = .object(JSONObject())
        object["list"] = .array([])
        object["items"] = [1, "two", ["k": "v"], [false], [:], []]
        object["url"] = "https://example.com/a/b"
        object["text"] = "héllo 😀 日本"
        object["ctl"] = "a\nb\tc\u{01}d\re\u{08}f\u{0C}g\"h\\i\u{1F}j\u{7F}k"
        return .object(object)
    }

    @Test func prettyExactOutput() {
        let expected = """
            {
              "name": "x",
              "count": 3,
              "ratio": 1.5,
              "whole": 2,
              "flag": true,
              "off": false,
              "none": null,
              "empty": {},
              "list": [],
              "items": [
                1,
                "two",
                {
                  "k": "v"
                },
                [
                  false
                ],
                {},
                []
              ],
              "url": "https://example.com/a/b",
              "text": "héllo 😀 日本",
              "ctl": "a\\nb\\tc\\u0001d\\re\\bf\\fg\\"h\\\\i\\u001fj\u{7F}k"
            }
            """
        let output = JSONEmitter.pretty(Self.sample)
        #expect(output == expected)
        #expect(!output.hasSuffix("\n"))
    }

    @Test func compactExactOutput() {
        let expected =
            #"{"name":"x","count":3,"ratio":1.5,"whole":2,"flag":true,"off":false,"none":null,"empty":{},"list":[],"#
            + #""items":[1,"two",{"k":"v"},[false],{},[]],"url":"https://example.com/a/b","text":"héllo 😀 日本","#
            + #""ctl":"a\nb\tc\u0001d\re\bf\fg\"h\\i\u001fj"# + "\u{7F}k\"}"
        #expect(JSONEmitter.compact(Self.sample) == expected)
    }

    @Test func prettyKeepsInsertionOrder() {
        var object = JSONObject()
        object["z"] = 1
        object["a"] = 2
        object["m"] = 3
        #expect(JSONEmitter.pretty(.object(object)) == "{\n  \"z\": 1,\n  \"a\": 2,\n  \"m\": 3\n}")
    }

    @Test(arguments: [
        (JSONValue.object(JSONObject()), "{}"),
        (.array([]), "[]"),
        (.null, "null"),
        (.bool(true), "true"),
        (.int(-7), "-7"),
        (.string("a/b"), "\"a/b\""),
        (.array([.array([])]), "[\n  []\n]"),
        (.object(["k": .object(["n": .array([1])])]), "{\n  \"k\": {\n    \"n\": [\n      1\n    ]\n  }\n}"),
    ])
    func prettyScalarsAndNesting(value: JSONValue, expected: String) {
        #expect(JSONEmitter.pretty(value) == expected)
    }

    @Test func keysAreEscapedLikeValues() {
        let value: JSONValue = .object(["a\"b\\c\n": 1])
        #expect(JSONEmitter.pretty(value) == "{\n  \"a\\\"b\\\\c\\n\": 1\n}")
        #expect(JSONEmitter.compact(value) == "{\"a\\\"b\\\\c\\n\":1}")
    }

    @Test(arguments: [
        (0.0, "0"),
        (-0.0, "0"),
        (2.0, "2"),
        (-3.0, "-3"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        (-0.25, "-0.25"),
        (123456.789, "123456.789"),
        (999_999_999_999_999.0, "999999999999999"),
        (1e20, "1e+20"),
        (Double.infinity, "null"),
        (Double.nan, "null"),
    ])
    func doubleFormatting(value: Double, expected: String) {
        #expect(JSONEmitter.pretty(.double(value)) == expected)
    }

    /// §3.2 "integers without fraction": an integral double in [1e15, 2^53] is printed by Swift's
    /// `description` with a trailing `.0`.
    @Test func integralDoubleAtOrAbove1e15HasNoFraction() {
        do {
            #expect(JSONEmitter.pretty(.double(1e15)) == "1000000000000000")
        }
    }

    @Test(arguments: [
        ("\u{00}", "\"\\u0000\""),
        ("\u{1B}", "\"\\u001b\""),
        ("\u{0B}", "\"\\u000b\""),
        ("\n\r\t\u{08}\u{0C}", "\"\\n\\r\\t\\b\\f\""),
        ("/", "\"/\""),
        ("\u{2028}é", "\"\u{2028}é\""),
    ])
    func quoteEscapes(input: String, expected: String) {
        #expect(JSONEmitter.quote(input) == expected)
    }

    @Test func prettyOutputRoundTripsThroughParser() throws {
        var object = JSONObject()
        object["b"] = [1, -2, .double(0.5), "s/\u{01}\u{1F600}", JSONValue.null, ["x": [:]]]
        object["a"] = ["nested": ["deep": [true, false]]]
        let value = JSONValue.object(object)
        #expect(try JSONParser.parse(JSONEmitter.pretty(value)) == value)
        #expect(try JSONParser.parse(JSONEmitter.compact(value)) == value)
    }
}

// MARK: - JSONObject

@Suite("JSONObject")
struct JSONObjectTests {
    @Test func orderingOperations() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["b"] = 10  // existing key keeps its position
        object["c"] = 3
        #expect(object.keys == ["b", "a", "c"])
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        object.insertFirst("z", 0)
        #expect(object.keys == ["z", "b", "c"])
        object.insertFirst("c", 30)  // existing key: value replaced, order unchanged
        #expect(object.keys == ["z", "b", "c"])
        #expect(object["c"] == .int(30))
        #expect(object.map(\.key) == ["z", "b", "c"])
    }

    @Test func nestedPathSetAndGet() {
        var object = JSONObject()
        object["x"] = "scalar"
        object.set(path: ["x", "y", "z"], 1)
        #expect(JSONEmitter.compact(.object(object)) == #"{"x":{"y":{"z":1}}}"#)
        #expect(object.value(at: ["x", "y", "z"]) == .int(1))
        #expect(object.value(at: ["x", "missing"]) == nil)
        #expect(object.value(at: []) == nil)
    }

    @Test func sortedDeepUsesByteOrder() {
        let value: JSONValue = ["b": ["z": 1, "Z": 2, "é": 3, "a": 4], "B": [["y": 1, "x": 2]], "a": 0]
        #expect(JSONEmitter.compact(value.sortedDeep()) == #"{"B":[{"x":2,"y":1}],"a":0,"b":{"Z":2,"a":4,"z":1,"é":3}}"#)
    }

    @Test func equalityIncludesOrder() {
        let one: JSONObject = ["a": 1, "b": 2]
        let two: JSONObject = ["b": 2, "a": 1]
        #expect(one != two)
        #expect(one == ["a": 1, "b": 2])
    }
}
