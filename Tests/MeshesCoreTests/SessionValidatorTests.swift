import MeshesCore
import SharedCore
import Testing

private func sessionBody(_ extra: JSONObject = [:]) -> JSONValue {
    var body: JSONObject = ["workspace_id": .string(testWorkspaceID)]
    for (key, value) in extra { body[key] = value }
    return .object(body)
}

private func validate(_ extra: JSONObject) throws(APIError) -> SessionInput {
    try SessionValidator.validateCreate(sessionBody(extra))
}

@Suite("SessionValidator")
struct SessionValidatorTests {
    @Test func defaults() throws {
        let session = try validate([:])
        #expect(
            session
                == SessionInput(
                    workspaceID: testWorkspaceID, role: .member, sessionType: .workspace, externalUserID: nil, ttlSeconds: 1800,
                    launchTTLSeconds: 30, launchPage: .dashboard, resource: nil, resourceID: nil, allowedOrigins: [], scopes: []))
    }

    @Test func everyFieldSet() throws {
        let session = try validate([
            "role": "owner", "session_type": "resource", "external_user_id": "user-42", "ttl_seconds": 3600,
            "launch_ttl_seconds": 15, "launch_page": "events", "resource": "plan", "resource_id": "pro",
            "allowed_origins": ["https://app.example.com"], "scopes": ["events.payload:read"],
        ])
        #expect(session.role == .owner)
        #expect(session.sessionType == .resource)
        #expect(session.externalUserID == "user-42")
        #expect(session.ttlSeconds == 3600)
        #expect(session.launchTTLSeconds == 15)
        #expect(session.launchPage == .events)
        #expect(session.resource == "plan")
        #expect(session.resourceID == "pro")
        #expect(session.allowedOrigins == ["https://app.example.com"])
        #expect(session.scopes == ["events.payload:read"])
    }

    @Test func rolesAreOrdered() {
        #expect(SessionInput.Role.member < .admin)
        #expect(SessionInput.Role.admin < .owner)
        #expect(!(SessionInput.Role.owner < .member))
    }

    @Test func resourceSessionsNeedBothFields() throws {
        expectValidationError(400, "invalid_request", message: "resource sessions need both resource and resource_id", field: "resource_id")
        {
            () throws(APIError) in try validate(["session_type": "resource", "resource": "plan"])
        }
        expectValidationError(400, "invalid_request", field: "resource") { () throws(APIError) in
            try validate(["session_type": "resource", "resource_id": "pro"])
        }
        expectValidationError(400, "invalid_request", field: "resource") { () throws(APIError) in
            try validate(["session_type": "resource", "resource": "a b", "resource_id": "pro"])
        }
    }

    @Test(arguments: [
        ("resource", "connections", false), ("resource", "rules", true), ("resource", "events", true), ("resource", "dashboard", true),
        ("dashboard", "dashboard", true), ("dashboard", "events", false), ("dashboard", "connections", false),
        ("dashboard", "rules", false), ("workspace", "connections", true), ("workspace", "rules", true),
    ])
    func launchPageCombinations(kind: String, page: String, allowed: Bool) throws {
        let extra: JSONObject = [
            "session_type": .string(kind), "launch_page": .string(page), "resource": "plan", "resource_id": "pro",
        ]
        if allowed {
            let session = expectValid { () throws(APIError) in try validate(extra) }
            #expect(session?.launchPage.rawValue == page)
            #expect((session?.resource != nil) == (kind == "resource"))
        } else {
            expectValidationError(400, "invalid_request", field: "launch_page") { () throws(APIError) in try validate(extra) }
        }
    }

    static let badFields: [(String, JSONValue)] = [
        ("workspace_id", nil), ("workspace_id", "ws"), ("role", "superuser"), ("role", 1), ("session_type", "org"),
        ("launch_page", "settings"), ("ttl_seconds", 299), ("ttl_seconds", 3601), ("ttl_seconds", "1800"),
        ("ttl_seconds", .double(1800.5)), ("launch_ttl_seconds", 14), ("launch_ttl_seconds", 61),
        ("external_user_id", .string(String(repeating: "u", count: 256))), ("external_user_id", 7),
        ("allowed_origins", "https://a.com"), ("scopes", "events.payload:read"),
    ]

    @Test(arguments: badFields)
    func badFieldsAre400(key: String, value: JSONValue) {
        var body: JSONObject = ["workspace_id": .string(testWorkspaceID)]
        body[key] = value
        if value.isNull { body[key] = nil }
        expectValidationError(400, "invalid_request", field: key) { () throws(APIError) in
            try SessionValidator.validateCreate(.object(body))
        }
    }

    @Test func rangeBoundsAreAccepted() throws {
        #expect(try validate(["ttl_seconds": 300, "launch_ttl_seconds": 60]).ttlSeconds == 300)
        #expect(try validate(["external_user_id": .string(String(repeating: "u", count: 255))]).externalUserID?.count == 255)
    }

    @Test func originsAreNormalisedAndLimited() throws {
        let session = try validate([
            "allowed_origins": [
                "https://App.Example.com/", "http://localhost:3000", "https://app.example.com:443", "https://app.example.com:8443",
            ]
        ])
        #expect(session.allowedOrigins == ["https://app.example.com", "http://localhost:3000", "https://app.example.com:8443"])
        let ten = JSONValue.array((0..<10).map { .string("https://a\($0).example.com") })
        #expect(try validate(["allowed_origins": ten]).allowedOrigins.count == 10)
        let eleven = JSONValue.array((0..<11).map { .string("https://a\($0).example.com") })
        expectValidationError(400, "invalid_request", message: "allowed_origins must have at most 10 entries") { () throws(APIError) in
            try validate(["allowed_origins": eleven])
        }
        for bad: JSONValue in ["https://a.com/path", "ftp://a.com", "a.com", "https://a.com?x=1", "https://u@a.com", 5, "https://"] {
            expectValidationError(400, "invalid_request", field: "allowed_origins[1]") { () throws(APIError) in
                try validate(["allowed_origins": ["https://ok.example.com", bad]])
            }
        }
    }

    @Test func scopesAcceptOnlyPayloadRead() throws {
        #expect(try validate(["scopes": []]).scopes == [])
        #expect(try validate(["scopes": ["events.payload:read", "events.payload:read"]]).scopes == ["events.payload:read"])
        let twenty = JSONValue.array(Array(repeating: "events.payload:read", count: 20))
        #expect(try validate(["scopes": twenty]).scopes == ["events.payload:read"])
        expectValidationError(400, "invalid_request", message: "scopes must have at most 20 entries") { () throws(APIError) in
            try validate(["scopes": .array(Array(repeating: "events.payload:read", count: 21))])
        }
        expectValidationError(400, "invalid_request", message: "scopes[0] must be \"events.payload:read\"", field: "scopes[0]") {
            () throws(APIError) in try validate(["scopes": ["events:write"]])
        }
    }
}
