import Testing

@testable import AgentsMeshKit
@testable import SharedCore

/// Parses expecting a `ToolError`, or records an issue when parsing succeeds.
private func frontmatterError(_ text: String, path: String = "rules/x.md") -> ToolError? {
    do {
        let document = try Frontmatter.parse(text, path: path)
        Issue.record("expected a ToolError for \(text.debugDescription), got \(document)")
        return nil
    } catch {
        return error
    }
}

/// The single issue object of a `syntax` error's details.
private func issue(of error: ToolError?) -> JSONValue? {
    error?.details?["issues"]?.arrayValue?.first
}

@Suite("Frontmatter.parse")
struct FrontmatterParseTests {
    @Test func parsesMappingAndKeepsBodyVerbatim() throws {
        let text = "---\ndescription: Hi there\nglobs:\n  - \"*.ts\"\n  - src/**\nalwaysApply: false\n---\n\n# Body\n\ntext\n"
        let document = try Frontmatter.parse(text, path: "rules/x.md")
        #expect(document.hasFrontmatter)
        #expect(document.frontmatter.keys == ["description", "globs", "alwaysApply"])
        #expect(document.frontmatter["description"] == .string("Hi there"))
        #expect(document.frontmatter["globs"] == .array(["*.ts", "src/**"]))
        #expect(document.frontmatter["alwaysApply"] == .bool(false))
        #expect(document.body == "\n# Body\n\ntext\n")
    }

    @Test func noFrontmatterWhenFirstLineIsNotExactlyThreeDashes() throws {
        for text in [
            "# Title\n---\na: 1\n---\n", "--- \na: 1\n---\nbody", " ---\na: 1\n---\n", "----\na: 1\n----\n", "\n---\na: 1\n---\n", "",
            "---x\n---\n",
        ] {
            let document = try Frontmatter.parse(text, path: "x.md")
            #expect(!document.hasFrontmatter, "\(text.debugDescription)")
            #expect(document.frontmatter.isEmpty, "\(text.debugDescription)")
            #expect(document.body == text, "\(text.debugDescription)")
        }
    }

    @Test func crlfIsNormalised() throws {
        let document = try Frontmatter.parse("---\r\na: 1\r\nb: two\r\n---\r\n\r\nline1\r\nline2\r\n", path: "x.md")
        #expect(document.hasFrontmatter)
        #expect(document.frontmatter == ["a": 1, "b": "two"])
        #expect(document.body == "\nline1\nline2\n")
    }

    @Test func crlfIsNormalisedWithoutFrontmatter() throws {
        let document = try Frontmatter.parse("a\r\nb\r\n", path: "x.md")
        #expect(!document.hasFrontmatter)
        #expect(document.body == "a\nb\n")
    }

    @Test func closingFenceEndsTheBlockAndLaterFencesBelongToTheBody() throws {
        let document = try Frontmatter.parse("---\na: 1\n---\nbody\n---\nmore", path: "x.md")
        #expect(document.frontmatter == ["a": 1])
        #expect(document.body == "body\n---\nmore")
    }

    @Test func bodyIsEmptyWhenFileEndsAtTheClosingFence() throws {
        let document = try Frontmatter.parse("---\na: 1\n---", path: "x.md")
        #expect(document.frontmatter == ["a": 1])
        #expect(document.body == "")
        let withNewline = try Frontmatter.parse("---\na: 1\n---\n", path: "x.md")
        #expect(withNewline.body == "")
    }

    @Test(arguments: [
        "---\n---\nbody", "---\n\n---\nbody", "---\n# only a comment\n---\nbody", "---\n~\n---\nbody", "---\nnull\n---\nbody",
    ])
    func emptyOrNullBlockIsAnEmptyMapping(text: String) throws {
        let document = try Frontmatter.parse(text, path: "x.md")
        #expect(document.hasFrontmatter)
        #expect(document.frontmatter.isEmpty)
        #expect(document.body == "body")
    }

    @Test func yamlTypesFollowTheParser() throws {
        let document = try Frontmatter.parse("---\nmaxTurns: 3\non: yes\nquoted: \"12\"\nnothing:\n---\n", path: "x.md")
        #expect(document.frontmatter["maxTurns"] == .int(3))
        #expect(document.frontmatter["on"] == .string("yes"))
        #expect(document.frontmatter["quoted"] == .string("12"))
        #expect(document.frontmatter["nothing"] == .null)
        #expect(document.frontmatter.keys == ["maxTurns", "on", "quoted", "nothing"])
    }

    @Test(arguments: [
        "---\na: 1\nbody without fence\n", "---\n", "---", "---\na: 1\n--- \nbody", "---\na: 1\n ---\nbody", "---\r\na: 1\r\n",
    ])
    func missingClosingFenceIsValidationFailed(text: String) {
        let error = frontmatterError(text)
        #expect(error?.code == "VALIDATION_FAILED")
        #expect(error?.message == "rules/x.md:1:1: frontmatter has no closing '---' line")
        #expect(
            issue(of: error) == .object(["path": "rules/x.md", "line": 1, "column": 1, "message": "frontmatter has no closing '---' line"]))
    }

    @Test(arguments: ["---\n- a\n- b\n---\nbody", "---\njust text\n---\n", "---\n42\n---\n", "---\n[1, 2]\n---\n"])
    func nonMappingBlockIsValidationFailed(text: String) {
        let error = frontmatterError(text, path: "agents/a.md")
        #expect(error?.code == "VALIDATION_FAILED")
        #expect(error?.message == "agents/a.md:2:1: frontmatter must be a mapping")
        #expect(issue(of: error)?["line"] == .int(2))
    }

    @Test func malformedYAMLIsValidationFailedWithFileLine() {
        // YAML line 2 col 4 is file line 3 (the opening fence is line 1).
        let error = frontmatterError("---\na: 1\n  b: 2\n---\nbody", path: "commands/c.md")
        #expect(error?.code == "VALIDATION_FAILED")
        #expect(error?.message == "commands/c.md:3:4: mapping values are not allowed in this context")
        #expect(
            issue(of: error)
                == .object([
                    "path": "commands/c.md", "line": 3, "column": 4,
                    "message": "mapping values are not allowed in this context",
                ]))
    }

    @Test func malformedYAMLWithCRLFReportsTheSameLine() {
        let error = frontmatterError("---\r\nok: 1\r\nb: [1, 2\r\nc: 3\r\n---\r\n")
        #expect(error?.code == "VALIDATION_FAILED")
        #expect(issue(of: error)?["line"] == .int(4))
        #expect(issue(of: error)?["column"] == .int(2))
    }
}

@Suite("Frontmatter.serialize")
struct FrontmatterSerializeTests {
    @Test func exactDocument() {
        let frontmatter: JSONObject = ["description": "Hi", "globs": ["*.ts", "src/**"], "alwaysApply": false]
        let output = Frontmatter.serialize(frontmatter, body: "\n\n# Body\n\ntext\n\n")
        #expect(output == "---\ndescription: Hi\nglobs:\n  - \"*.ts\"\n  - src/**\nalwaysApply: false\n---\n\n# Body\n\ntext")
    }

    @Test func emptyValuesAreOmittedButBooleansAndZeroAreKept() {
        var frontmatter = JSONObject()
        frontmatter["a"] = ""
        frontmatter["b"] = []
        frontmatter["c"] = .object(JSONObject())
        frontmatter["d"] = JSONValue.null
        frontmatter["e"] = false
        frontmatter["f"] = 0
        frontmatter["g"] = "x"
        frontmatter["h"] = true
        #expect(Frontmatter.serialize(frontmatter, body: "body") == "---\ne: false\nf: 0\ng: x\nh: true\n---\n\nbody")
    }

    @Test func noFenceWhenEveryKeyIsOmitted() {
        var frontmatter = JSONObject()
        frontmatter["a"] = ""
        frontmatter["b"] = []
        frontmatter["c"] = JSONValue.null
        #expect(Frontmatter.serialize(frontmatter, body: "  \n text \n\n") == "text")
        #expect(Frontmatter.serialize(JSONObject(), body: "\t# Title\n\nbody\n") == "# Title\n\nbody")
        #expect(Frontmatter.serialize(JSONObject(), body: " \n\n") == "")
    }

    @Test func emptyBodyStillEndsWithBlankLine() {
        #expect(Frontmatter.serialize(["name": "a"], body: "") == "---\nname: a\n---\n\n")
        #expect(Frontmatter.serialize(["name": "a"], body: "\n \n") == "---\nname: a\n---\n\n")
    }

    @Test func nestedAndMultilineValues() {
        let frontmatter: JSONObject = [
            "description": "Line one\nLine two",
            "hooks": ["PreToolUse": [["matcher": "Bash", "command": "echo hi"]]],
        ]
        let expected = """
            ---
            description: |-
              Line one
              Line two
            hooks:
              PreToolUse:
                - matcher: Bash
                  command: echo hi
            ---

            Body
            """
        #expect(Frontmatter.serialize(frontmatter, body: "Body\n") == expected)
    }

    @Test func nestedEmptyValuesAreNotOmitted() {
        // Omission applies to top-level keys only.
        let frontmatter: JSONObject = ["outer": ["inner": "", "list": []]]
        #expect(Frontmatter.serialize(frontmatter, body: "b") == "---\nouter:\n  inner: \"\"\n  list: []\n---\n\nb")
    }

    @Test func serializeThenParseRoundTrips() throws {
        let frontmatter: JSONObject = [
            "name": "reviewer",
            "description": "Reviews: code # carefully",
            "tools": ["Read", "Grep", "*"],
            "maxTurns": 3,
            "notes": "a\nb\n",
            "background": false,
        ]
        let text = Frontmatter.serialize(frontmatter, body: "\n## Role\n\nDo things.\n")
        let document = try Frontmatter.parse(text, path: "agents/reviewer.md")
        #expect(document.hasFrontmatter)
        #expect(document.frontmatter == frontmatter)
        #expect(document.body == "\n## Role\n\nDo things.")
        #expect(document.body.trimmedWhitespace() == "## Role\n\nDo things.")
    }

    /// §2.3: the block is the YAML between the fences, line breaks included. A `|` literal (§3.2: used
    /// for strings ending in exactly one "\n") as the last key must keep that final "\n".
    @Test func literalBlockAsLastKeyKeepsItsFinalNewline() throws {
        let frontmatter: JSONObject = ["name": "a", "notes": "line1\nline2\n"]
        let text = Frontmatter.serialize(frontmatter, body: "Body")
        #expect(text == "---\nname: a\nnotes: |\n  line1\n  line2\n---\n\nBody")
        let document = try Frontmatter.parse(text, path: "rules/r.md")
        do {
            #expect(document.frontmatter["notes"] == .string("line1\nline2\n"))
        }
    }

    @Test func trimmedWhitespaceAndReplacingCRLF() {
        #expect(" \t\n a b \r\n\u{00A0}".trimmedWhitespace() == "a b")
        #expect("   ".trimmedWhitespace() == "")
        #expect("a\r\nb\rc\n".replacingCRLF() == "a\nb\nc\n")
    }
}
