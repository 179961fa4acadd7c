import MeshesCore
import SharedCore
import Testing

/// A bad ingest body and the error it must produce.
struct BadIngestCase: Sendable, CustomTestStringConvertible {
    let body: JSONValue
    let code: String
    let field: String?
    let message: String?
    var testDescription: String { "\(code): \(JSONEmitter.compact(body).prefix(90))" }

    init(_ body: JSONValue, _ code: String, field: String? = nil, message: String? = nil) {
        self.body = body
        self.code = code
        self.field = field
        self.message = message
    }
}

private let ws = JSONValue.string(testWorkspaceID)
private let okPayload: JSONValue = ["email": "ada@example.com"]

@Suite("IngestValidator")
struct IngestValidatorTests {
    @Test func minimalBodyIsNormalised() throws {
        let item = try IngestValidator.validate(["workspace": ws, "event": "user.signup", "payload": okPayload])
        #expect(item == IngestItem(workspace: testWorkspaceID, event: "user.signup", payload: ["email": "ada@example.com"]))
        #expect(item.record.resource == "global")
        #expect(item.record.resourceID == nil)
    }

    @Test func fullBodyKeepsResourceAndIgnoresUnknownKeys() throws {
        let body = try jsonBody(
            #"{"workspace":"3F2A6C1E-8B4D-4E6F-9A1B-2C3D4E5F6A7B","event":"user.signup","type":"event","resource":"plan","resource_id":"pro","payload":{"email":"ada@example.com","plan":"pro"},"extra":{"x":1}}"#
        )
        let item = try IngestValidator.validate(body)
        #expect(item.workspace == testWorkspaceID)
        #expect(item.record.resource == "plan")
        #expect(item.record.resourceID == "pro")
        #expect(item.record.payload.keys == ["email", "plan"])
    }

    @Test func nullOptionalsReadAsAbsent() throws {
        let item = try IngestValidator.validate(
            ["workspace": nil, "event": "e", "payload": okPayload, "resource": nil, "resource_id": nil, "type": nil])
        #expect(item.workspace == nil)
        #expect(item.record.resource == "global")
        #expect(item.record.resourceID == nil)
    }

    @Test(arguments: [
        JSONValue.object(["zero": 0]), ["no": false], ["email": "", "name": "Ada"], ["nested": ["a": nil]],
        ["list": [nil]], ["email": nil, "id": "u1"],
    ])
    func payloadsWithOneNonEmptyValueAreAccepted(payload: JSONValue) throws {
        let item = try IngestValidator.validate(["event": "e", "payload": payload])
        #expect(JSONValue.object(item.record.payload) == payload)
    }

    @Test func eventAtTheLengthLimitIsAccepted() throws {
        let event = String(repeating: "e", count: 128)
        #expect(try IngestValidator.validate(["event": .string(event), "payload": okPayload]).record.event == event)
    }

    @Test func eventIsKeptAsSent() throws {
        #expect(try IngestValidator.validate(["event": " user.signup", "payload": okPayload]).record.event == " user.signup")
    }

    @Test func resourceAtTheLengthLimitWithEveryAllowedCharacter() throws {
        let resource = "Az09._:-" + String(repeating: "x", count: 56)
        let item = try IngestValidator.validate(["event": "e", "payload": okPayload, "resource": .string(resource), "resource_id": "a:b"])
        #expect(item.record.resource == resource)
        #expect(item.record.resourceID == "a:b")
    }

    static let badBodies: [BadIngestCase] = [
        BadIngestCase(["event", "payload"], "invalid_request", message: "request body must be a JSON object"),
        BadIngestCase(["workspace": "nope", "event": "e", "payload": okPayload], "invalid_request", field: "workspace"),
        BadIngestCase(["workspace": 5, "event": "e", "payload": okPayload], "invalid_request", field: "workspace"),
        BadIngestCase(["payload": okPayload], "invalid_event", field: "event", message: "event is required"),
        BadIngestCase(["event": 5, "payload": okPayload], "invalid_event", message: "event must be a string"),
        BadIngestCase(["event": "   ", "payload": okPayload], "invalid_event", message: "event must not be blank"),
        BadIngestCase(["event": "", "payload": okPayload], "invalid_event", message: "event must not be blank"),
        BadIngestCase(
            ["event": .string(String(repeating: "e", count: 129)), "payload": okPayload], "invalid_event",
            message: "event must be at most 128 characters"),
        BadIngestCase(
            ["event": "user\nsignup", "payload": okPayload], "invalid_event", message: "event must not contain control characters"),
        BadIngestCase(["event": "user\u{07}", "payload": okPayload], "invalid_event"),
        BadIngestCase(["event": "user\u{7F}", "payload": okPayload], "invalid_event"),
        BadIngestCase(["event": "user\u{85}", "payload": okPayload], "invalid_event"),
        BadIngestCase(["event": "e"], "invalid_payload", field: "payload", message: "payload is required"),
        BadIngestCase(["event": "e", "payload": nil], "invalid_payload", message: "payload is required"),
        BadIngestCase(["event": "e", "payload": [["email": "a@b.co"]]], "invalid_payload", message: "payload must be a JSON object"),
        BadIngestCase(["event": "e", "payload": "x"], "invalid_payload", message: "payload must be a JSON object"),
        BadIngestCase(["event": "e", "payload": [:]], "invalid_payload", message: IngestValidator.emptyPayloadMessage),
        BadIngestCase(
            ["event": "e", "payload": ["a": nil, "b": "", "c": "  \t", "d": [], "e": [:]]], "invalid_payload",
            message: "payload must contain at least one non-empty value"),
        BadIngestCase(
            ["event": "e", "payload": ["email": "not-an-email"]], "invalid_payload", field: "payload.email",
            message: "payload.email must be a valid email address"),
        BadIngestCase(["event": "e", "payload": ["email": "ada@localhost"]], "invalid_payload", field: "payload.email"),
        BadIngestCase(["event": "e", "payload": ["email": "a b@example.com"]], "invalid_payload", field: "payload.email"),
        BadIngestCase(["event": "e", "payload": ["email": 42]], "invalid_payload", field: "payload.email"),
        BadIngestCase(["event": "e", "payload": okPayload, "resource": ""], "invalid_request", field: "resource"),
        BadIngestCase(["event": "e", "payload": okPayload, "resource": "has space"], "invalid_request", field: "resource"),
        BadIngestCase(["event": "e", "payload": okPayload, "resource": "plän"], "invalid_request", field: "resource"),
        BadIngestCase(
            ["event": "e", "payload": okPayload, "resource": .string(String(repeating: "r", count: 65))], "invalid_request",
            field: "resource"),
        BadIngestCase(["event": "e", "payload": okPayload, "resource": 7], "invalid_request", field: "resource"),
        BadIngestCase(["event": "e", "payload": okPayload, "resource_id": "a/b"], "invalid_request", field: "resource_id"),
        BadIngestCase(["event": "e", "payload": okPayload, "type": "rule"], "invalid_request", field: "type"),
        // Table order: event before payload, workspace before event.
        BadIngestCase(["event": "", "payload": [:]], "invalid_event"),
        BadIngestCase(["workspace": "x", "event": ""], "invalid_request", field: "workspace"),
        BadIngestCase(["event": "e", "payload": [:], "resource": "bad resource"], "invalid_payload"),
    ]

    @Test(arguments: badBodies)
    func badBodiesAreRejectedWithTheirCode(_ bad: BadIngestCase) {
        expectValidationError(400, bad.code, message: bad.message, field: bad.field) { () throws(APIError) in
            try IngestValidator.validate(bad.body)
        }
    }

    @Test func c3EmptyEmailPayloadIsInvalidPayloadWithTheExactMessage() throws {
        let body = try jsonBody(#"{"workspace":"\#(testWorkspaceID)","event":"user.signup","payload":{"email":""}}"#)
        let error = expectValidationError(400, "invalid_payload") { () throws(APIError) in try IngestValidator.validate(body) }
        #expect(error?.message == "payload must contain at least one non-empty value")
    }

    /// `{"data":"<n x>"}` is n + 11 bytes of compact JSON.
    private func payloadOfSize(_ bytes: Int) -> JSONValue {
        ["data": .string(String(repeating: "x", count: bytes - 11))]
    }

    @Test func payloadOfExactly256KiBIsAccepted() throws {
        let payload = payloadOfSize(262_144)
        #expect(JSONEmitter.compact(payload).utf8.count == 262_144)
        _ = try IngestValidator.validate(["event": "e", "payload": payload])
    }

    @Test func payloadOneByteOver256KiBIsRejected() {
        expectValidationError(400, "invalid_payload", message: "payload must be at most 256 KiB when serialised") {
            () throws(APIError) in try IngestValidator.validate(["event": "e", "payload": payloadOfSize(262_145)])
        }
    }

    @Test func payloadSizeCountsUTF8BytesOfEscapedJSON() {
        // 87,382 "é" are 174,764 bytes; with quotes escaped as \" a second key pushes it over.
        let payload: JSONValue = [
            "a": .string(String(repeating: "é", count: 87_382)), "b": .string(String(repeating: "\"", count: 44_000)),
        ]
        #expect(JSONEmitter.compact(payload).utf8.count > 262_144)
        expectValidationError(400, "invalid_payload") { () throws(APIError) in
            try IngestValidator.validate(["event": "e", "payload": payload])
        }
    }
}

@Suite("IngestValidator bulk and workspace")
struct IngestBulkTests {
    @Test func c3MixedBatchKeepsOrderAndRejectsOnlyTheEmptyPayload() throws {
        let valid: JSONValue = ["workspace": ws, "event": "user.signup", "payload": okPayload]
        let invalid: JSONValue = ["workspace": ws, "event": "user.signup", "payload": ["email": ""]]
        let results = try IngestValidator.validateBulk([valid, invalid, valid])
        #expect(results.count == 3)
        #expect((try? results[0].get())?.record.event == "user.signup")
        #expect((try? results[2].get()) != nil)
        guard case .failure(let error) = results[1] else {
            Issue.record("item 1 should be rejected")
            return
        }
        #expect(error.code == "invalid_payload")
        #expect(error.message == "payload must contain at least one non-empty value")
    }

    static let wholeRequestCases: [(JSONValue, String)] = [
        ([], "request body must contain at least one event"),
        (.array(Array(repeating: ["event": "e", "payload": okPayload], count: 101)), "request body must contain at most 100 events"),
        (["event": "e", "payload": okPayload], "request body must be a JSON array of events"),
    ]

    @Test(arguments: wholeRequestCases)
    func wholeBulkRequestErrors(body: JSONValue, message: String) {
        expectValidationError(400, "invalid_request", message: message) { () throws(APIError) in
            try IngestValidator.validateBulk(body)
        }
    }

    @Test func nonObjectItemIsRejectedOnItsOwn() throws {
        let results = try IngestValidator.validateBulk([["event": "e", "payload": okPayload], 5])
        #expect((try? results[0].get()) != nil)
        guard case .failure(let error) = results[1] else {
            Issue.record("item 1 should be rejected")
            return
        }
        #expect(error == APIError(status: 400, code: "invalid_request", message: "each event must be a JSON object"))
    }

    @Test func hundredItemsAreAccepted() throws {
        let results = try IngestValidator.validateBulk(.array(Array(repeating: ["event": "e", "payload": okPayload], count: 100)))
        #expect(results.count == 100)
    }

    @Test func machineKeyNeedsWorkspace() throws {
        let item = try IngestValidator.validate(["event": "e", "payload": okPayload])
        expectValidationError(400, "invalid_request", message: "workspace is required", field: "workspace") {
            () throws(APIError) in try IngestValidator.resolveWorkspace(of: item, publishableKeyWorkspace: nil)
        }
        let named = try IngestValidator.validate(["workspace": ws, "event": "e", "payload": okPayload])
        #expect(try IngestValidator.resolveWorkspace(of: named, publishableKeyWorkspace: nil) == testWorkspaceID)
    }

    @Test func publishableKeyDefaultsAndMustMatch() throws {
        let bare = try IngestValidator.validate(["event": "e", "payload": okPayload])
        #expect(try IngestValidator.resolveWorkspace(of: bare, publishableKeyWorkspace: testWorkspaceID.uppercased()) == testWorkspaceID)
        let same = try IngestValidator.validate(["workspace": ws, "event": "e", "payload": okPayload])
        #expect(try IngestValidator.resolveWorkspace(of: same, publishableKeyWorkspace: testWorkspaceID) == testWorkspaceID)
        expectValidationError(403, "forbidden") { () throws(APIError) in
            try IngestValidator.resolveWorkspace(of: same, publishableKeyWorkspace: testConnectionID)
        }
    }
}
