import MeshesCore
import SharedCore
import Testing

private func ruleBody(_ extra: JSONObject = [:], metadata: JSONValue = ["action": "send_webhook"]) -> JSONValue {
    var body: JSONObject = [
        "workspace": .string(testWorkspaceID), "connection": .string(testConnectionID), "event": "user.signup", "metadata": metadata,
    ]
    for (key, value) in extra { body[key] = value }
    return .object(body)
}

/// §6.4's actions table, written out independently of `IntegrationType.actions`.
let specActionTable: [String: [String]] = [
    "activecampaign": ["add_to_list", "remove_from_list", "add_tag", "remove_tag", "sync_contact"],
    "aweber": ["add_to_list", "remove_from_list"],
    "customer_io": ["track_event"],
    "discord": ["send_message"],
    "hubspot": ["add_to_list", "remove_from_list", "update_property"],
    "intercom": ["add_tag", "remove_tag"],
    "mailchimp": ["add_to_list", "remove_from_list"],
    "mailerlite": ["add_to_group", "remove_from_group"],
    "pipedrive": ["sync_person", "update_person_field", "add_label_to_person", "remove_label_from_person"],
    "resend": ["add_to_segment", "remove_from_segment", "send_email_template"],
    "salesforce": ["add_to_campaign", "remove_from_campaign", "update_property"],
    "sendgrid": ["send_email_template", "send_email"],
    "slack": ["send_message"],
    "webhook": ["send_webhook"],
    "zoom": ["add_meeting_registrant", "add_webinar_registrant"],
]

@Suite("RuleValidator")
struct RuleValidatorTests {
    @Test func minimalRuleGetsDefaults() throws {
        let rule = try RuleValidator.validateCreate(ruleBody())
        #expect(rule.workspace == testWorkspaceID)
        #expect(rule.connection == testConnectionID)
        #expect(rule.event == "user.signup")
        #expect(rule.action == "send_webhook")
        #expect(rule.metadataID == nil)
        #expect(rule.resource == nil)
        #expect(rule.resourceID == nil)
        #expect(rule.active)
        #expect(rule.hidden == false)
    }

    @Test func fullRuleKeepsEveryStringKey() throws {
        let rule = try RuleValidator.validateCreate(
            ruleBody(
                ["resource": "plan", "resource_id": "pro", "active": false, "hidden": true],
                metadata: ["action": "send_message", "id": "C123", "template": "Hi {{email}}", "custom": "x"]))
        #expect(rule.metadata.keys == ["action", "id", "template", "custom"])
        #expect(rule.metadataID == "C123")
        #expect(rule.resource == "plan")
        #expect(rule.resourceID == "pro")
        #expect(rule.active == false)
        #expect(rule.hidden)
    }

    static let badBodies: [(JSONValue, String, String?)] = [
        (ruleBody(metadata: ["action": "send_webhook", "id": 5]), "metadata.id", "metadata.id must be a string"),
        (ruleBody(metadata: ["action": "send_webhook", "data": ["a": "b"]]), "metadata.data", nil),
        (ruleBody(metadata: ["action": "send_webhook", "value": nil]), "metadata.value", nil),
        (ruleBody(metadata: ["action": 1]), "metadata.action", nil),
        (ruleBody(metadata: ["id": "x"]), "metadata.action", "metadata.action is required"),
        (ruleBody(metadata: ["action": ""]), "metadata.action", nil),
        (ruleBody(metadata: "send_webhook"), "metadata", "metadata must be an object"),
        (ruleBody(["event": ""]), "event", "event must be 1 to 128 characters"),
        (ruleBody(["event": .string(String(repeating: "e", count: 129))]), "event", nil),
        (ruleBody(["event": 1]), "event", nil),
        (ruleBody(["resource": "a b"]), "resource", nil),
        (ruleBody(["resource_id": .string(String(repeating: "r", count: 65))]), "resource_id", nil),
        (ruleBody(["connection": "conn-1"]), "connection", "connection must be a UUID"),
        (ruleBody(["workspace": nil]), "workspace", "workspace is required"),
        (ruleBody(["active": "true"]), "active", nil),
        (ruleBody(["hidden": 0]), "hidden", nil),
    ]

    @Test(arguments: badBodies)
    func badBodiesAre400(body: JSONValue, field: String, message: String?) {
        expectValidationError(400, "invalid_request", message: message, field: field) { () throws(APIError) in
            try RuleValidator.validateCreate(body)
        }
    }

    @Test func eventOf128IsAccepted() throws {
        let event = String(repeating: "e", count: 128)
        #expect(try RuleValidator.validateCreate(ruleBody(["event": .string(event)])).event == event)
    }

    @Test func actionListsMatchTheSpecTable() {
        #expect(IntegrationType.allCases.count == 15)
        for type in IntegrationType.allCases {
            #expect(type.actions == specActionTable[type.rawValue], "\(type)")
        }
    }

    @Test(arguments: IntegrationType.allCases)
    func everyListedActionIsAcceptedAndOthersAreUnknown(type: IntegrationType) {
        let own = specActionTable[type.rawValue] ?? []
        for action in own {
            _ = expectValid { () throws(APIError) in try RuleValidator.checkAction(action, for: type) }
        }
        let foreign = Set(specActionTable.values.joined()).subtracting(own).sorted()
        #expect(!foreign.isEmpty)
        for action in foreign + ["SEND_WEBHOOK", "unknown"] {
            expectValidationError(422, "unknown_action", field: "metadata.action") { () throws(APIError) in
                try RuleValidator.checkAction(action, for: type)
            }
        }
    }

    @Test func unknownActionMessageNamesTheChoices() {
        expectValidationError(
            422, "unknown_action",
            message: "action \"send_webhook\" is not available for slack connections; expected one of: send_message"
        ) { () throws(APIError) in try RuleValidator.checkAction("send_webhook", for: .slack) }
    }
}
