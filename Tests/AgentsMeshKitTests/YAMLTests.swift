import Testing

@testable import AgentsMeshKit
@testable import SharedCore

// MARK: - Helpers

/// `k: <scalar>` for one string value.
private func emitValue(_ value: JSONValue) -> String {
    YAMLEmitter.emit(["k": value])
}

/// Parses YAML, returning the failure or nil (recording an issue) when it unexpectedly parses.
private func yamlFailure(_ text: String) -> YAML.Failure? {
    do {
        let value = try YAML.parse(text)
        Issue.record("expected a YAML failure for \(text.debugDescription), got \(String(describing: value))")
        return nil
    } catch {
        return error
    }
}

/// Parses a YAML mapping, requiring success.
private func yamlObject(_ text: String) throws -> JSONObject {
    let value = try YAML.parse(text)
    return try #require(value?.objectValue)
}

// MARK: - Emitter: scalar quoting (§3.2)

@Suite("YAMLEmitter scalars")
struct YAMLEmitterScalarTests {
    /// Strings that §3.2 allows as plain scalars.
    @Test(arguments: [
        "hello",
        "hello world",
        "a:b",  // ':' not followed by a space
        "a#b",  // '#' not preceded by a space
        "a-b",
        "a?b",
        "path/to/file.md",
        "src/**/*.ts",
        "Use `npm test`",
        "it's",
        "say \"hi\"",
        "a\\b",
        "héllo",
        "日本語",
        ".",
        "1.2.3",
        "0x",
        "0xG1",
        "0o8",
        "0o",
        "1e",
        "e3",
        "v1",
        "1a",
        "yesno",
        "nully",
        "tru",
        "~x",
        "x~",
        "Bash(npm run test:*)",
        "http://example.com:8080/x",
    ])
    func plainScalars(input: String) {
        #expect(YAMLEmitter.isPlainSafe(input))
        #expect(YAMLEmitter.scalar(input) == input)
        #expect(emitValue(.string(input)) == "k: " + input)
    }

    /// Strings that §3.2 forces into double quotes, with their exact quoted form.
    @Test(arguments: [
        // empty, leading/trailing space
        ("", #""""#),
        (" lead", #"" lead""#),
        ("trail ", #""trail ""#),
        (" ", #"" ""#),
        // indicator first characters
        ("-foo", #""-foo""#),
        ("- item", #""- item""#),
        ("-", #""-""#),
        ("?x", #""?x""#),
        (":x", #"":x""#),
        (",x", #"",x""#),
        ("[x", #""[x""#),
        ("]x", #""]x""#),
        ("{x", #""{x""#),
        ("}x", #""}x""#),
        ("#x", ##""#x""##),
        ("&x", #""&x""#),
        ("*.ts", #""*.ts""#),
        ("**/*.ts", #""**/*.ts""#),
        ("!x", #""!x""#),
        ("|x", #""|x""#),
        (">x", #"">x""#),
        ("'x'", #""'x'""#),
        ("\"x\"", #""\"x\"""#),
        ("%x", #""%x""#),
        ("@x", #""@x""#),
        ("`x`", #""`x`""#),
        // ": " inside, " #" inside, trailing ':'
        ("a: b", #""a: b""#),
        ("note: see below", #""note: see below""#),
        ("a #b", #""a #b""#),
        ("value # comment", #""value # comment""#),
        ("key:", #""key:""#),
        ("a:b:", #""a:b:""#),
        // reserved words, case-insensitive
        ("true", #""true""#),
        ("True", #""True""#),
        ("TRUE", #""TRUE""#),
        ("false", #""false""#),
        ("FaLsE", #""FaLsE""#),
        ("yes", #""yes""#),
        ("Yes", #""Yes""#),
        ("YES", #""YES""#),
        ("no", #""no""#),
        ("No", #""No""#),
        ("on", #""on""#),
        ("ON", #""ON""#),
        ("off", #""off""#),
        ("Off", #""Off""#),
        ("y", #""y""#),
        ("Y", #""Y""#),
        ("n", #""n""#),
        ("N", #""N""#),
        ("null", #""null""#),
        ("Null", #""Null""#),
        ("NULL", #""NULL""#),
        ("~", #""~""#),
        // numeric-looking
        ("1", #""1""#),
        ("0", #""0""#),
        ("007", #""007""#),
        ("1.5", #""1.5""#),
        ("1.", #""1.""#),
        (".5", #"".5""#),
        ("-3", #""-3""#),
        ("+3", #""+3""#),
        ("+1.5", #""+1.5""#),
        ("1e3", #""1e3""#),
        ("1E3", #""1E3""#),
        ("1e-3", #""1e-3""#),
        ("2.5E+10", #""2.5E+10""#),
        ("0x1F", #""0x1F""#),
        ("0X1f", #""0X1f""#),
        ("-0x1F", #""-0x1F""#),
        ("0o7", #""0o7""#),
        ("0O17", #""0O17""#),
        (".inf", #"".inf""#),
        ("-.inf", #""-.inf""#),
        ("+.INF", #""+.INF""#),
        (".Inf", #"".Inf""#),
        (".nan", #"".nan""#),
        (".NaN", #"".NaN""#),
        (".NAN", #"".NAN""#),
        // control characters: \t and \n escapes, others \xNN
        ("a\tb", #""a\tb""#),
        ("\tlead", #""\tlead""#),
        ("a\u{01}b", #""a\x01b""#),
        ("a\rb", #""a\x0Db""#),
        ("a\u{1B}b", #""a\x1Bb""#),
        ("a\u{7F}b", #""a\x7Fb""#),
        // backslash and double quote escaped only when quoting
        ("-a\\b", #""-a\\b""#),
        ("-say \"hi\"", #""-say \"hi\"""#),
    ])
    func quotedScalars(input: String, expected: String) {
        #expect(!YAMLEmitter.isPlainSafe(input))
        #expect(YAMLEmitter.scalar(input) == expected)
        #expect(emitValue(.string(input)) == "k: " + expected)
    }

    @Test func keysFollowTheSameQuotingRules() {
        var object = JSONObject()
        object["on"] = 1
        object["a: b"] = 2
        object["plain-key"] = 3
        object["1"] = 4
        object["*"] = 5
        #expect(YAMLEmitter.emit(object) == "\"on\": 1\n\"a: b\": 2\nplain-key: 3\n\"1\": 4\n\"*\": 5")
    }
}

// MARK: - Emitter: multi-line strings

@Suite("YAMLEmitter multi-line strings")
struct YAMLEmitterMultilineTests {
    @Test(arguments: [
        ("a\nb", "k: |-\n  a\n  b"),
        ("a\nb\n", "k: |\n  a\n  b"),
        ("a\n\nb", "k: |-\n  a\n\n  b"),
        ("first: x\n# not a comment\n- not a list", "k: |-\n  first: x\n  # not a comment\n  - not a list"),
        ("a\n\tb", "k: |-\n  a\n  \tb"),
        ("\nabc", "k: |-\n\n  abc"),
        // §3.2: "|" only when ending in exactly one "\n"; otherwise "|-".
        ("a\n\n", "k: |-\n  a\n\n"),
    ])
    func literalBlocks(input: String, expected: String) {
        #expect(emitValue(.string(input)) == expected)
    }

    @Test(arguments: [
        (" a\nb", #"k: " a\nb""#),
        ("a\n b", #"k: "a\n b""#),
        ("a\n  \nb", #"k: "a\n  \nb""#),
        ("a\n b\n", #"k: "a\n b\n""#),
        ("x\n \"q\"\\", #"k: "x\n \"q\"\\""#),
    ])
    func lineStartingWithSpaceUsesDoubleQuotes(input: String, expected: String) {
        #expect(emitValue(.string(input)) == expected)
    }

    @Test func literalBlockIndentationFollowsTheKey() {
        let value: JSONValue = ["outer": ["inner": "a\nb"]]
        #expect(YAMLEmitter.emit(value.objectValue!) == "outer:\n  inner: |-\n    a\n    b")
    }

    @Test func literalBlockInsideSequence() {
        let value: JSONObject = ["list": ["a\nb\n", "c"]]
        #expect(YAMLEmitter.emit(value) == "list:\n  - |\n    a\n    b\n  - c")
    }

    @Test func literalBlockInsideSequenceOfMaps() {
        let value: JSONObject = ["hooks": [["command": "one\ntwo", "type": "cmd"]]]
        #expect(YAMLEmitter.emit(value) == "hooks:\n  - command: |-\n      one\n      two\n    type: cmd")
    }

    /// Parsed as a file would hold it: the emitted lines each followed by a line break.
    @Test(arguments: ["a\nb", "a\nb\n", "a\n\nb\n", "x: y\n- z\n# w", " lead\nb", "a\n b", "\nabc", "tab\n\tx"])
    func multilineRoundTrip(input: String) throws {
        let parsed = try yamlObject(emitValue(.string(input)) + "\n")
        #expect(parsed["k"] == .string(input))
    }

    /// A literal block cannot carry CR or other control characters: the emitted YAML must still parse.
    @Test(arguments: ["a\r\nb", "ok\r\nevil: true", "line1\n\u{01}x"])
    func multilineWithControlCharactersRoundTrips(input: String) throws {
        let yaml = emitValue(.string(input))
        do {
            let parsed = try yamlObject(yaml)
            #expect(parsed.keys == ["k"])  // "ok\r\nevil: true" must not inject a second key
            #expect(parsed["k"] == .string(input))
        }
    }
}

// MARK: - Emitter: structure

@Suite("YAMLEmitter structure")
struct YAMLEmitterStructureTests {
    @Test func scalarsOfEveryType() {
        var object = JSONObject()
        object["t"] = true
        object["f"] = false
        object["nil"] = JSONValue.null
        object["i"] = -3
        object["zero"] = 0
        object["big"] = .int(1_234_567_890_123)
        object["d"] = .double(1.5)
        object["w"] = .double(2.0)
        object["s"] = "text"
        #expect(
            YAMLEmitter.emit(object)
                == "t: true\nf: false\nnil: null\ni: -3\nzero: 0\nbig: 1234567890123\nd: 1.5\nw: 2\ns: text")
    }

    @Test func keyOrderIsPreservedAndNoTrailingNewline() {
        let object: JSONObject = ["zeta": 1, "alpha": 2, "mid": 3]
        let yaml = YAMLEmitter.emit(object)
        #expect(yaml == "zeta: 1\nalpha: 2\nmid: 3")
        #expect(!yaml.hasSuffix("\n"))
    }

    @Test func nestedMaps() {
        let object: JSONObject = ["a": ["b": ["c": 1, "d": "x"], "e": true], "f": 2]
        #expect(YAMLEmitter.emit(object) == "a:\n  b:\n    c: 1\n    d: x\n  e: true\nf: 2")
    }

    @Test func sequenceUnderKey() {
        let object: JSONObject = ["tags": ["x", "-y", "1", true, 2]]
        #expect(YAMLEmitter.emit(object) == "tags:\n  - x\n  - \"-y\"\n  - \"1\"\n  - true\n  - 2")
    }

    @Test func sequenceOfMaps() {
        let object: JSONObject = ["hooks": [["k": "v", "k2": "v2"], ["a": 1]]]
        #expect(YAMLEmitter.emit(object) == "hooks:\n  - k: v\n    k2: v2\n  - a: 1")
    }

    @Test func sequenceOfMapsWithNestedCollections() {
        let object: JSONObject = [
            "servers": [
                ["name": "a", "args": ["x", "y"], "env": ["K": "V"]],  // "y" is reserved
                ["first": ["m": 1], "last": []],
            ]
        ]
        let expected = """
            servers:
              - name: a
                args:
                  - x
                  - "y"
                env:
                  K: V
              - first:
                  m: 1
                last: []
            """
        #expect(YAMLEmitter.emit(object) == expected)
    }

    @Test func sequenceOfSequences() {
        let object: JSONObject = ["m": [["a", "b"], ["c"], []]]
        #expect(YAMLEmitter.emit(object) == "m:\n  - - a\n    - b\n  - - c\n  - []")
    }

    @Test func emptyCollections() {
        let object: JSONObject = ["e": .object(JSONObject()), "l": [], "in": [[:], []]]
        #expect(YAMLEmitter.emit(object) == "e: {}\nl: []\nin:\n  - {}\n  - []")
        #expect(YAMLEmitter.emit(JSONObject()) == "")
    }

    @Test func topLevelSequence() {
        #expect(YAMLEmitter.emit(sequence: ["a", ["k": 1, "j": 2], "no"]) == "- a\n- k: 1\n  j: 2\n- \"no\"")
        #expect(YAMLEmitter.emit(sequence: []) == "")
    }

    @Test func structuredDocumentRoundTrips() throws {
        let object: JSONObject = [
            "name": "reviewer",
            "description": "Reviews: code # carefully",
            "tools": ["Read", "Bash(git diff:*)", "*"],
            "maxTurns": 5,
            "enabled": false,
            "nothing": nil,
            "ratio": .double(0.75),
            "hooks": [["matcher": "Edit|Write", "hooks": [["type": "command", "command": "npm test"]]]],
            "body": "line one\nline two\n",
            "reserved": ["yes", "No", "~", "null", "1e3", "0x1F", ".nan"],
            "empty": [:],
        ]
        let yaml = YAMLEmitter.emit(object)
        #expect(try YAML.parse(yaml) == .object(object))
    }
}

// MARK: - Emitter ↔ parser round trip of plain scalars

@Suite("YAML plain-scalar round trip")
struct YAMLPlainRoundTripTests {
    /// Strings §3.2 writes plain must read back as the same string.
    @Test(arguments: ["hello", "a:b", "a#b", "1.2.3", "0x", "0o8", "1e", "yesno", "2024-01-01", "<<", "=", "v1.0"])
    func plainStringsReadBackAsStrings(input: String) throws {
        #expect(try yamlObject(emitValue(.string(input)))["k"] == .string(input))
    }

    /// §3.2's number test is the YAML 1.2 core one, so these are written plain; the parser uses YAML 1.1
    /// int/float rules (underscores, `0b`, sexagesimal) and turns them into numbers.
    @Test(arguments: ["1_000", "0b101", "1:30", "0x1_F", "1.5_0"])
    func yaml11NumbersWrittenPlainReadBackAsStrings(input: String) throws {
        let yaml = emitValue(.string(input))
        #expect(yaml == "k: " + input)
        do {
            let parsed = try yamlObject(yaml)
            #expect(parsed["k"] == .string(input))
        }
    }
}

// MARK: - Parser

@Suite("YAML.parse")
struct YAMLParseTests {
    @Test func booleansAreOnlyTrueAndFalse() throws {
        let object = try yamlObject(
            "a: true\nb: false\nc: True\nd: FALSE\ne: yes\nf: no\ng: on\nh: off\ni: y\nj: n\nk: Yes\nl: ON")
        #expect(object["a"] == .bool(true))
        #expect(object["b"] == .bool(false))
        #expect(object["c"] == .bool(true))
        #expect(object["d"] == .bool(false))
        #expect(object["e"] == .string("yes"))
        #expect(object["f"] == .string("no"))
        #expect(object["g"] == .string("on"))
        #expect(object["h"] == .string("off"))
        #expect(object["i"] == .string("y"))
        #expect(object["j"] == .string("n"))
        #expect(object["k"] == .string("Yes"))
        #expect(object["l"] == .string("ON"))
    }

    @Test func integers() throws {
        let object = try yamlObject("a: 1\nb: -3\nc: 0\nd: +7\ne: 0x1F\nf: 1234567890123")
        #expect(object["a"] == .int(1))
        #expect(object["b"] == .int(-3))
        #expect(object["c"] == .int(0))
        #expect(object["d"] == .int(7))
        #expect(object["e"] == .int(31))
        #expect(object["f"] == .int(1_234_567_890_123))
    }

    @Test func floats() throws {
        let object = try yamlObject("a: 1.5\nb: 1e3\nc: -0.25\nd: .inf\ne: -.inf\nf: .nan\ng: .5")
        #expect(object["a"] == .double(1.5))
        #expect(object["b"] == .double(1000))
        #expect(object["c"] == .double(-0.25))
        #expect(object["d"] == .double(.infinity))
        #expect(object["e"] == .double(-.infinity))
        guard case .double(let nan)? = object["f"] else {
            Issue.record("expected .nan to be a double, got \(String(describing: object["f"]))")
            return
        }
        #expect(nan.isNaN)
        #expect(object["g"] == .double(0.5))
    }

    @Test func nulls() throws {
        let object = try yamlObject("a: null\nb: ~\nc:\nd: NULL\ne: Null")
        #expect(object.keys == ["a", "b", "c", "d", "e"])
        for key in object.keys { #expect(object[key] == .null, "key \(key)") }
    }

    @Test func quotedAndBlockScalarsStayStrings() throws {
        let object = try yamlObject(
            "a: \"1\"\nb: 'true'\nc: \"null\"\nd: '~'\ne: \"1.5\"\nf: |\n  42\ng: >-\n  x\n  y\nh: \"\"\ni: 'it''s'\nj: \"tab\\tx\"")
        #expect(object["a"] == .string("1"))
        #expect(object["b"] == .string("true"))
        #expect(object["c"] == .string("null"))
        #expect(object["d"] == .string("~"))
        #expect(object["e"] == .string("1.5"))
        #expect(object["f"] == .string("42\n"))
        #expect(object["g"] == .string("x y"))
        #expect(object["h"] == .string(""))
        #expect(object["i"] == .string("it's"))
        #expect(object["j"] == .string("tab\tx"))
    }

    @Test func plainStringsAndTimestampsStayStrings() throws {
        let object = try yamlObject("a: hello world\nb: 2024-01-01\nc: 0o8\nd: v1")
        #expect(object["a"] == .string("hello world"))
        #expect(object["b"] == .string("2024-01-01"))
        #expect(object["c"] == .string("0o8"))
        #expect(object["d"] == .string("v1"))
    }

    @Test func keepsMappingOrderAndStructure() throws {
        let value = try YAML.parse("zeta: 1\nalpha:\n  y: [1, two]\n  b: {q: r}\nlist:\n  - k: v\n    k2: v2\n  - plain\n1: numeric key")
        let object = try #require(value?.objectValue)
        #expect(object.keys == ["zeta", "alpha", "list", "1"])
        #expect(object["alpha"]?.objectValue?.keys == ["y", "b"])
        #expect(object["alpha"]?["y"] == .array([.int(1), .string("two")]))
        #expect(object["alpha"]?["b"] == .object(["q": "r"]))
        #expect(object["list"] == .array([.object(["k": "v", "k2": "v2"]), .string("plain")]))
        #expect(object["1"] == .string("numeric key"))
    }

    @Test func emptyAndCommentOnlyDocumentsAreNil() throws {
        #expect(try YAML.parse("") == nil)
        #expect(try YAML.parse("# just a comment\n") == nil)
        #expect(try YAML.parse("~") == .null)
        #expect(try YAML.parse("- a\n- 1") == .array([.string("a"), .int(1)]))
        #expect(try YAML.parse("scalar") == .string("scalar"))
    }

    @Test func errorsCarryLineAndColumn() {
        let unclosed = yamlFailure("a: 1\nb: [1, 2\nc: 3")
        #expect(unclosed?.line == 3)
        #expect(unclosed?.column == 2)
        #expect(unclosed?.message == "while parsing a flow sequence did not find expected ',' or ']'")

        let badIndent = yamlFailure("a: 1\n  b: 2")
        #expect(badIndent?.line == 2)
        #expect(badIndent?.column == 4)
        #expect(badIndent?.message == "mapping values are not allowed in this context")

        let inline = yamlFailure("a: b: c")
        #expect(inline?.line == 1)
        #expect(inline?.column == 5)

        let quote = yamlFailure("a: 1\nb: \"unterminated\nc: 3")
        #expect(quote?.line == 3)
        #expect(quote?.message == "while scanning a quoted scalar found unexpected end of stream")

        let mixed = yamlFailure("- a\nb: 1")
        #expect(mixed?.line == 2)
        #expect(mixed?.column == 1)
    }

    @Test func nonScalarKeysAreRejected() {
        let failure = yamlFailure("? [a]\n: 1")
        #expect(failure?.message == "mapping keys must be scalars")
        #expect(failure?.line == 1)
    }

    @Test func nestingDepthIsLimited() throws {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(yamlFailure(deep)?.message == "nesting too deep")
        let shallow = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(try YAML.parse(shallow) != nil)
    }
}
