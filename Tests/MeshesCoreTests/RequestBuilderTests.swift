import Foundation
import SharedCore
import Testing

@testable import MeshesCore

/// What each attempt sends (§6): exact bytes, headers in order, signatures (C2), templates and adapter calls.
@Suite struct RequestBuilderTests {
    static let c2Secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let c2ID = "0b7c9a52-6f0e-4d8b-9b57-3a1e2c4d5f60"
    static let t: Int64 = 1_767_225_605_000

    static func envelope(payload: JSONObject = ["email": "ada@example.com", "plan": "pro"], resourceID: String? = nil) -> DeliveryEnvelope {
        DeliveryEnvelope(
            eventID: "7d1f0c7e-2b1a-4c55-8f0e-9a4b3c2d1e0f", eventName: "user.signup", workspaceID: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
            resource: "global", resourceID: resourceID, eventCreatedAt: 1_767_225_600_123, payload: payload, ruleEventID: c2ID,
            ruleID: "rule-1", connectionID: "conn-1")
    }

    static func webhook(_ metadata: JSONObject, secrets: [String: String] = [:]) -> RequestBuilder.Settings {
        RequestBuilder.Settings(type: "webhook", metadata: metadata, secrets: secrets)
    }

    @Test func rawModeSignsTheC2VectorExactly() throws {
        for (algorithm, expected) in [
            ("sha256", "t=1767225605,v1=e0f97a8ecac49db7807d13c6da360c51e3feed19359ddaef681630af338e2cf2"),
            (
                "sha512",
                "t=1767225605,v1=39811bf1ac0e5f9e2a3ce3e5c307b78ecc1089569a3156b8e0f834f064f1cc78fd6be2c8b6755f16c63c9cee46d4d7ecff9ea577b5d0e2050b781050ad948cbf"
            ),
        ] {
            let settings = Self.webhook(
                ["url": "https://example.com/hook", "payload_mode": "raw", "hmac_algorithm": .string(algorithm)],
                secrets: ["signing_secret": Self.c2Secret])
            let request = try RequestBuilder.build(
                settings, rule: [:], envelope: Self.envelope(), attempt: 2, startedAt: Self.t, version: "0.1.0")
            #expect(String(decoding: request.body, as: UTF8.self) == #"{"email":"ada@example.com","plan":"pro"}"#)
            #expect(
                request.headers.map { "\($0.name): \($0.value)" } == [
                    "Content-Type: application/json", "User-Agent: Meshes-Engine/0.1.0",
                    "X-Meshes-Event-Id: 7d1f0c7e-2b1a-4c55-8f0e-9a4b3c2d1e0f", "X-Meshes-Event: user.signup",
                    "X-Meshes-Workspace: 9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", "X-Meshes-Resource: global",
                    "X-Meshes-Delivery-Id: \(Self.c2ID)", "X-Meshes-Attempt: 2", "X-Meshes-Created-At: 2026-01-01T00:00:00.123Z",
                    "webhook-id: \(Self.c2ID)", "webhook-timestamp: 1767225605",
                    "webhook-signature: v1,NWmahhIRzd4HCgEVDFNbcwJZXUi+5cls0l1xTLRhb48=", "X-Meshes-Signature: \(expected)",
                ])
            #expect(request.method == "POST")
        }
    }

    @Test func wrappedBodyHasTheDocumentedFieldOrderAndAResourceIdHeaderOnlyWhenSet() throws {
        let settings = Self.webhook(["url": "https://example.com/hook", "http_method": "PUT"])
        let request = try RequestBuilder.build(
            settings, rule: [:], envelope: Self.envelope(resourceID: "u-1"), attempt: 3, startedAt: Self.t + 250, version: "0.1.0")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"type":"event","id":"7d1f0c7e-2b1a-4c55-8f0e-9a4b3c2d1e0f","event":"user.signup","workspace":"9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a","resource":"global","resource_id":"u-1","created_at":"2026-01-01T00:00:00.123Z","delivery":{"id":"0b7c9a52-6f0e-4d8b-9b57-3a1e2c4d5f60","rule":"rule-1","connection":"conn-1","attempt":3,"timestamp":"2026-01-01T00:00:05.250Z"},"payload":{"email":"ada@example.com","plan":"pro"}}"#
        )
        #expect(request.method == "PUT")
        // No secret: no signature headers at all; wrapped mode sends no X-Meshes-* headers.
        #expect(request.headers.map(\.name) == ["Content-Type", "User-Agent"])
        let raw = try RequestBuilder.build(
            Self.webhook(["url": "https://example.com/hook", "payload_mode": "raw"]), rule: [:], envelope: Self.envelope(resourceID: "u-1"),
            attempt: 1, startedAt: Self.t, version: "0.1.0")
        #expect(raw.header("X-Meshes-Resource-Id") == "u-1")
        let global = try RequestBuilder.build(
            Self.webhook(["url": "https://example.com/hook", "payload_mode": "raw"]), rule: [:], envelope: Self.envelope(),
            attempt: 1, startedAt: Self.t, version: "0.1.0")
        #expect(global.header("X-Meshes-Resource-Id") == nil)
    }

    @Test func authSchemesAndCustomHeadersAndMissingCredentials() throws {
        let basic = try RequestBuilder.build(
            Self.webhook(
                ["url": "https://example.com/hook", "auth_scheme": "basic", "headers": ["X-Team": "growth"]],
                secrets: ["basic_username": "ada", "basic_password": "s3cret"]), rule: [:], envelope: Self.envelope(), attempt: 1,
            startedAt: Self.t, version: "0.1.0")
        #expect(basic.header("Authorization") == "Basic YWRhOnMzY3JldA==")
        #expect(basic.headers.suffix(2).map { "\($0.name): \($0.value)" } == ["Authorization: Basic YWRhOnMzY3JldA==", "X-Team: growth"])
        let custom = try RequestBuilder.build(
            Self.webhook(
                ["url": "https://example.com/hook", "auth_scheme": "custom_header", "custom_header_name": "X-Api-Key"],
                secrets: ["custom_header_value": "k-1"]), rule: [:], envelope: Self.envelope(), attempt: 1, startedAt: Self.t,
            version: "0.1.0")
        #expect(custom.header("x-api-key") == "k-1")
        #expect(throws: BuildFailure(.authFailed, "missing credentials: bearer_token")) {
            try RequestBuilder.build(
                Self.webhook(["url": "https://example.com/hook", "auth_scheme": "bearer"]), rule: [:], envelope: Self.envelope(),
                attempt: 1, startedAt: Self.t, version: "0.1.0")
        }
    }

    @Test func bothSecretsSignUntilThePreviousOneExpires() throws {
        let previous = "whsec_" + Base64.encode([UInt8](repeating: 7, count: 32))
        let metadata: JSONObject = [
            "url": "https://example.com/hook", "hmac_algorithm": "sha256", "previous_secret_expires_at": "2026-01-01T00:00:10Z",
        ]
        let secrets = ["signing_secret": Self.c2Secret, "previous_signing_secret": previous]
        let during = try RequestBuilder.build(
            Self.webhook(metadata, secrets: secrets), rule: [:], envelope: Self.envelope(), attempt: 1, startedAt: Self.t, version: "0.1.0")
        let after = try RequestBuilder.build(
            Self.webhook(metadata, secrets: secrets), rule: [:], envelope: Self.envelope(), attempt: 1, startedAt: Self.t + 10_000,
            version: "0.1.0")
        #expect(during.header("webhook-signature")?.split(separator: " ").count == 2)
        #expect(during.header("X-Meshes-Signature")?.components(separatedBy: ",v1=").count == 3)
        #expect(after.header("webhook-signature")?.split(separator: " ").count == 1)
        #expect(after.header("X-Meshes-Signature")?.components(separatedBy: ",v1=").count == 2)
    }

    @Test func slackAndDiscordRenderTemplatesFromThePayload() throws {
        let payload: JSONObject = ["name": "Ada <&> Co", "user": ["plan": "pro", "seats": 3], "tags": ["a", "b"]]
        let slack = try RequestBuilder.build(
            RequestBuilder.Settings(type: "slack", metadata: ["username": "meshes"], secrets: ["webhook_url": "https://hooks.slack.com/x"]),
            rule: ["template": "New {{ name }} on {{user.plan}} ({{user.seats}}) {{tags}} {{missing}}!", "id": "C1"],
            envelope: Self.envelope(payload: payload), attempt: 1, startedAt: Self.t, version: "0.1.0")
        #expect(slack.url == "https://hooks.slack.com/x")
        #expect(
            String(decoding: slack.body, as: UTF8.self)
                == #"{"text":"New Ada &lt;&amp;&gt; Co on pro (3) [\"a\",\"b\"] !","username":"meshes"}"#)
        let long = String(repeating: "x", count: 2100)
        let discord = try RequestBuilder.build(
            RequestBuilder.Settings(type: "discord", metadata: [:], secrets: ["webhook_url": "https://discord.com/api/webhooks/1"]),
            rule: ["template": .string("{{name}} " + long), "title": "Signup"], envelope: Self.envelope(payload: payload), attempt: 1,
            startedAt: Self.t, version: "0.1.0")
        let content = try #require(
            (try JSONParser.parse(bytes: discord.body))["content"]?.stringValue)
        #expect(content.count == 2000)
        #expect(content.hasPrefix("**Signup**\nAda <&> Co xxx"))
        #expect(throws: BuildFailure(.mappingError, "mapping error: template is empty")) {
            try RequestBuilder.build(
                RequestBuilder.Settings(type: "slack", metadata: [:], secrets: ["webhook_url": "https://hooks.slack.com/x"]),
                rule: ["template": ""], envelope: Self.envelope(), attempt: 1, startedAt: Self.t, version: "0.1.0")
        }
    }

    @Test func adapterCallsGoToTheBaseURLOrFailAsNotSupported() throws {
        #expect(throws: BuildFailure(.internalError, "integration_not_supported", final: true)) {
            try RequestBuilder.build(
                RequestBuilder.Settings(type: "mailchimp", metadata: [:], secrets: ["api_key": "k"]),
                rule: ["action": "add_to_list", "id": "L1"],
                envelope: Self.envelope(), attempt: 1, startedAt: Self.t, version: "0.1.0")
        }
        let request = try RequestBuilder.build(
            RequestBuilder.Settings(type: "mailchimp", metadata: ["base_url": "https://adapter.example.com/"], secrets: ["api_key": "k-9"]),
            rule: ["action": "add_to_list", "id": "L1"], envelope: Self.envelope(), attempt: 4, startedAt: Self.t, version: "0.1.0",
            fields: ["email": "ada@example.com"])
        #expect(request.url == "https://adapter.example.com/actions/add_to_list")
        #expect(request.header("Authorization") == "Bearer k-9")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"action":"add_to_list","params":{"id":"L1"},"fields":{"email":"ada@example.com"},"event":{"type":"event","id":"7d1f0c7e-2b1a-4c55-8f0e-9a4b3c2d1e0f","event":"user.signup","workspace":"9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a","resource":"global","resource_id":null,"created_at":"2026-01-01T00:00:00.123Z","payload":{"email":"ada@example.com","plan":"pro"}},"delivery":{"id":"0b7c9a52-6f0e-4d8b-9b57-3a1e2c4d5f60","attempt":4}}"#
        )
        #expect(throws: BuildFailure(.mappingError, "mapping error: the mapped fields have no email")) {
            try RequestBuilder.build(
                RequestBuilder.Settings(
                    type: "mailchimp", metadata: ["base_url": "https://adapter.example.com"], secrets: ["api_key": "k"]),
                rule: ["action": "add_to_list", "id": "L1"], envelope: Self.envelope(), attempt: 1, startedAt: Self.t, version: "0.1.0")
        }
    }

    @Test func recordedURLsLoseUserinfoAndSecretQueryValues() {
        #expect(
            RecordedURL.redact("https://user:pw@example.com/hook?token=abc&x=1#f", secretNames: ["token"])
                == "https://example.com/hook?token=***&x=1#f")
        #expect(RecordedURL.redact("https://example.com/a?x=1", secretNames: []) == "https://example.com/a?x=1")
    }
}
