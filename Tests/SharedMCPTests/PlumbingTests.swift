import Foundation
import SharedCore
import Testing

@testable import SharedMCP

@Suite struct InputSchemaTests {
    static let schema = InputSchema.object(
        [
            ("name", .string("The name", maxLength: 64, pattern: "[A-Za-z0-9_-]+")),
            ("mode", .oneOf(["replace", "append"])),
            ("limit", .integer(minimum: 1, maximum: 50)),
            ("dry_run", .boolean()),
            ("args", .array(.string(), maxItems: 2)),
            ("env", .map(.string(maxLength: 3))),
            ("frontmatter", .anyObject(maxProperties: nil, description: nil)),
            ("files", .anyOf([.string(), .array(.string())], description: nil)),
        ], required: ["name"])

    @Test func publishesDraft07WithNoUnknownProperties() {
        let json = Self.schema.json
        #expect(json["type"] == "object")
        #expect(json["additionalProperties"] == false)
        #expect(json["required"] == ["name"])
        #expect(
            json["properties"]?["name"] == [
                "type": "string", "description": "The name", "maxLength": 64, "pattern": "^(?:[A-Za-z0-9_-]+)$",
            ])
        #expect(json["properties"]?["mode"]?["enum"] == ["replace", "append"])
        #expect(json["properties"]?["env"]?["additionalProperties"] == ["type": "string", "maxLength": 3])
        #expect(json["properties"]?["files"]?["anyOf"]?.arrayValue?.count == 2)
    }

    @Test func acceptsWhatFits() {
        let value: JSONValue = [
            "name": "ok_1", "mode": "append", "limit": 50, "dry_run": true, "args": ["a", "b"], "env": ["K": "v"],
            "frontmatter": ["x": [1, 2]], "files": ["a", "b"],
        ]
        #expect(Self.schema.issues(value).isEmpty)
        #expect(Self.schema.issues(["name": "n", "files": "one"]).isEmpty)
    }

    @Test func listsEveryIssueWithItsPath() {
        let value: JSONValue = [
            "mode": "merge", "limit": 0, "dry_run": "yes", "args": ["a", 2, "c"], "env": ["K": "long"], "x": 1,
            "files": 3,
        ]
        let issues = Self.schema.issues(value).map { "\($0.path) \($0.message)" }
        #expect(
            issues == [
                "name is required", "mode must be one of replace, append", "limit must be at least 1", "dry_run must be a boolean",
                "args must hold at most 2 items", "args[1] must be a string", "env.K must be at most 3 characters",
                "x is not a known property", "files does not match any allowed form",
            ])
        #expect(Self.schema.issues(["name": "bad name!"]).map(\.message) == ["must match [A-Za-z0-9_-]+"])
        #expect(Self.schema.issues("text").map(\.path) == ["(arguments)"])
    }
}

@Suite struct DispatcherTests {
    static let server = MCPServerDefinition(
        name: "test", version: "1.2.3",
        tools: [
            MCPTool("echo", "Echoes", input: .object([("text", .string())], required: ["text"]), hints: .read) { arguments in
                .object(arguments)
            },
            MCPTool("fail", "Fails", input: .object([("code", .string())]), hints: .write) { (arguments) throws(ToolError) in
                throw ToolError(
                    arguments["code"]?.stringValue ?? "NOT_FOUND", "cannot read /home/me/project/x.md",
                    details: ["path": "/home/me/project/x.md"])
            },
        ],
        resources: [
            MCPResource("test://items", name: "items", description: "All", tool: "echo"),
            MCPResource("test://items/{text}", name: "item", description: "One", tool: "echo"),
            MCPResource("test://files/{name}/files/{path}", name: "file", description: "A file", tool: "echo"),
        ],
        publicCodes: ["NOT_FOUND", "VALIDATION_FAILED", "IO_ERROR"], codeMap: ["FETCH_FAILED": "IO_ERROR"],
        scrub: { $0.replacingOccurrences(of: "/home/me/project/", with: "") })

    @Test func callsAndValidates() async {
        let ok = await MCPDispatcher.call(Self.server, name: "echo", arguments: ["text": "hi"])
        #expect(ok == MCPOutcome(value: ["text": "hi"], isError: false))
        let bad = await MCPDispatcher.call(Self.server, name: "echo", arguments: ["text": "hi", "x": 1])
        #expect(bad.isError)
        #expect(bad.value["code"] == "VALIDATION_FAILED")
        #expect(bad.value["details"]?["issues"] == [["path": "x", "message": "is not a known property"]])
    }

    @Test func errorsCarryPublicCodesAndNoAbsolutePaths() async {
        let notFound = await MCPDispatcher.call(Self.server, name: "fail", arguments: [:])
        #expect(notFound.value == ["code": "NOT_FOUND", "message": "cannot read x.md", "details": ["path": "x.md"]])
        let fetch = await MCPDispatcher.call(Self.server, name: "fail", arguments: ["code": "FETCH_FAILED"])
        #expect(fetch.value["code"] == "IO_ERROR")
        let other = await MCPDispatcher.call(Self.server, name: "fail", arguments: ["code": "SOURCE_REFUSED"])
        #expect(other.value["code"] == "VALIDATION_FAILED")
        #expect(other.value["details"]?["reason"] == "SOURCE_REFUSED")
    }

    @Test func resourcesMapToTheirTools() async {
        #expect(await MCPDispatcher.read(Self.server, uri: "test://items/a%20b")?.value == ["text": "a b"])
        #expect(await MCPDispatcher.read(Self.server, uri: "test://items/a/b") == nil)
        #expect(
            Self.server.resources[2].arguments(for: "test://files/s/files/docs/a.md") == ["name": "s", "path": "docs/a.md"])
        #expect(await MCPDispatcher.read(Self.server, uri: "test://nothing") == nil)
    }
}

@Suite struct PlaceholderTests {
    @Test func recordedValuesAreAbstracted() {
        let value: JSONValue = [
            "version": "1.2.3",
            "text": .string("{\"at\": \"2026-12-07T10:00:00.123Z\", \"hash\": \"sha256:\(String(repeating: "a", count: 64))\"}"),
        ]
        #expect(
            Placeholders.abstract(value, version: "1.2.3") == [
                "version": "{{version}}", "text": "{\"at\": \"{{iso}}\", \"hash\": \"{{sha256}}\"}",
            ])
    }

    @Test func expectedPatternsMatchAndCapture() {
        var captures: [String: String] = [:]
        let expected: JSONValue = ["id": "{{capture:lesson}}", "at": "{{iso}}", "v": "{{version}}", "n": 3]
        let actual: JSONValue = ["id": "build-x", "at": "2026-12-07T10:00:00Z", "v": "0.1.0", "n": 3]
        #expect(Placeholders.matches(expected, actual, captures: &captures, version: "0.1.0") == nil)
        #expect(captures == ["lesson": "build-x"])
        #expect(Placeholders.substitute(["id": "{{lesson}}"], captures) == ["id": "build-x"])
        #expect(Placeholders.matches(["id": "{{lesson}}"], ["id": "other"], captures: &captures, version: "0.1.0") == "$.id")
        #expect(
            Placeholders.matches(["a": 1], ["a": 1, "b": 2], captures: &captures, version: "0.1.0")
                == "$ (keys expected but missing: [], present but not expected: [\"b\"])")
    }
}

@Suite struct SchemaFormatTests {
    static let schema = InputSchema.object(
        [
            ("id", .uuid("An id.")), ("origins", .array(.url(), minItems: 1, maxItems: 2)),
            ("hidden", InputSchema.boolean().defaulting(to: false)), ("note", .nullable(.string(maxLength: 3))),
        ], required: ["id"])

    @Test func publishesFormatsDefaultsNullAndMinItems() {
        let json = Self.schema.json
        #expect(json["properties"]?["id"] == ["type": "string", "description": "An id.", "format": "uuid"])
        #expect(json["properties"]?["origins"]?["minItems"] == 1)
        #expect(json["properties"]?["origins"]?["items"] == ["type": "string", "format": "uri"])
        #expect(json["properties"]?["hidden"] == ["type": "boolean", "default": false])
        #expect(json["properties"]?["note"] == ["anyOf": [["type": "string", "maxLength": 3], ["type": "null"]]])
    }

    @Test func checksFormatsAndCounts() {
        #expect(Self.schema.issues(["id": "0B7C9A52-6F0E-4D8B-9B57-3A1E2C4D5F60", "note": .null, "hidden": true]).isEmpty)
        let issues = Self.schema.issues(["id": "0b7c9a52-6f0e-4d8b-9b57", "origins": [], "note": "long"]).map { "\($0.path) \($0.message)" }
        #expect(issues == ["id must be a UUID", "origins must hold at least 1 item", "note must be at most 3 characters"])
        let urls = Self.schema.issues(["id": "0b7c9a52-6f0e-4d8b-9b57-3a1e2c4d5f60", "origins": ["https://a.example", "a.example"]])
        #expect(urls.map(\.path) == ["origins[1]"])
        #expect(Self.schema.issues(["id": "x", "hidden": "no"]).map(\.path) == ["id", "hidden"])
    }

    @Test func textToolsAndTheirArgumentErrors() async {
        let server = MCPServerDefinition(
            name: "t", version: "1",
            tools: [
                MCPTool("say", "Says", input: .object([("n", .integer(minimum: 1))], required: ["n"]), hints: .read) { arguments in
                    MCPOutcome(text: "said \(arguments["n"]?.intValue ?? 0)", isError: false)
                }
            ], resources: [], publicCodes: [],
            invalidArguments: { tool, issues in MCPOutcome(text: "bad \(tool): \(issues.map(\.path))", isError: true) })
        let said = await MCPDispatcher.call(server, name: "say", arguments: ["n": 2])
        #expect(said == MCPOutcome(text: "said 2", isError: false))
        #expect(said.value == "said 2")
        let refused = await MCPDispatcher.call(server, name: "say", arguments: ["n": 0])
        #expect(refused == MCPOutcome(text: "bad say: [\"n\"]", isError: true))
    }

    @Test func aCaptureSeenTwiceInOneStringMustRepeat() {
        var captures: [String: String] = [:]
        #expect(Placeholders.matches("a {{capture:x}} b {{x}}", "a 12 b 12", captures: &captures, version: "1") == nil)
        #expect(captures["x"] == "12")
        var fresh: [String: String] = [:]
        #expect(Placeholders.matches("a {{capture:x}} b {{x}}", "a 12 b 13", captures: &fresh, version: "1") == "$")
    }
}
