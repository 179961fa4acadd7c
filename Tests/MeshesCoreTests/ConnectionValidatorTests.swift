import Foundation
import MeshesCore
import SharedCore
import Testing

/// Validates `metadata` for `type` as a create body would.
private func create(_ type: IntegrationType, _ metadata: JSONObject, allowHTTP: Bool = false) throws(APIError) -> ConnectionCreate {
    try ConnectionValidator.validateCreate(
        ["workspace": .string(testWorkspaceID), "type": .string(type.rawValue), "name": "Main", "metadata": .object(metadata)],
        allowHTTP: allowHTTP)
}

/// Expects a 422 `invalid_metadata` naming `field` (`metadata.<key>`).
@discardableResult
private func expectInvalidMetadata(
    _ type: IntegrationType, _ metadata: JSONObject, field: String, message: String? = nil, allowHTTP: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) -> APIError? {
    expectValidationError(422, "invalid_metadata", message: message, field: field, sourceLocation: sourceLocation) {
        () throws(APIError) in try create(type, metadata, allowHTTP: allowHTTP)
    }
}

private let hook: JSONObject = ["url": "https://example.com/hook"]

private func hook(_ extra: JSONObject) -> JSONObject {
    var out = hook
    for (key, value) in extra { out[key] = value }
    return out
}

private func secret(bytes count: Int) -> String {
    "whsec_" + Data((0..<count).map { UInt8($0 % 256) }).base64EncodedString()
}

@Suite("ConnectionValidator: top level")
struct ConnectionTopLevelTests {
    @Test func minimalWebhookCreate() throws {
        let made = try create(.webhook, hook)
        #expect(made.workspace == testWorkspaceID)
        #expect(made.type == .webhook)
        #expect(made.name == "Main")
        #expect(made.metadata == hook)
        #expect(made.hidden == false)
        #expect(made.active)
        #expect(made.inactiveReason == nil)
        #expect(made.generatesSigningSecret == false)
    }

    @Test(arguments: [
        ("name", JSONValue.int(5)), ("name", ""), ("name", .string(String(repeating: "n", count: 129))), ("name", nil),
        ("metadata", .array([])), ("metadata", "x"), ("metadata", nil), ("hidden", "yes"), ("hidden", 1),
        ("type", "smtp"), ("type", 3), ("workspace", "ws-1"), ("workspace", nil),
    ])
    func wrongTopLevelFieldsAre400(key: String, value: JSONValue) {
        var body: JSONObject = ["workspace": .string(testWorkspaceID), "type": "webhook", "name": "Main", "metadata": .object(hook)]
        body[key] = value
        if value.isNull { body[key] = nil }
        expectValidationError(400, "invalid_request", field: key) { () throws(APIError) in
            try ConnectionValidator.validateCreate(.object(body))
        }
    }

    @Test func nameOf128IsAccepted() throws {
        let name = String(repeating: "n", count: 128)
        let made = try ConnectionValidator.validateCreate(
            ["workspace": .string(testWorkspaceID), "type": "webhook", "name": .string(name), "metadata": .object(hook), "hidden": true])
        #expect(made.name == name)
        #expect(made.hidden)
    }

    @Test func unknownMetadataKeysAreKept() throws {
        let made = try create(.slack, ["webhook_url": "https://hooks.slack.com/services/T/B/X", "team": "growth", "extra": ["a": 1]])
        #expect(made.metadata.keys == ["webhook_url", "team", "extra"])
    }

    @Test func severalProblemsAreReportedTogether() {
        let error = expectInvalidMetadata(
            .webhook, ["url": "ftp://x", "http_method": "GET", "timeout_seconds": 99], field: "metadata.url")
        #expect(error?.details.map(\.field) == ["metadata.url", "metadata.http_method", "metadata.timeout_seconds"])
        #expect(error?.message == "url must be an absolute https URL (and 2 more)")
    }
}

@Suite("ConnectionValidator: webhook metadata")
struct WebhookMetadataTests {
    @Test func endpointAliasBecomesURL() throws {
        let made = try create(.webhook, ["endpoint": "https://example.com/e", "payload_mode": "raw"])
        #expect(made.metadata == ["url": "https://example.com/e", "payload_mode": "raw"])
        let both = try create(.webhook, ["url": "https://example.com/u", "endpoint": "https://example.com/e"])
        #expect(both.metadata == ["url": "https://example.com/u"])
    }

    @Test func urlRules() throws {
        expectInvalidMetadata(.webhook, [:], field: "metadata.url", message: "url is required")
        expectInvalidMetadata(.webhook, ["url": "http://example.com"], field: "metadata.url", message: "url must be an absolute https URL")
        #expect(try create(.webhook, ["url": "http://example.com"], allowHTTP: true).metadata["url"] == "http://example.com")
        for bad: JSONValue in [
            "example.com/hook", "https://", "https:///path", "ftp://example.com", "https://exa mple.com", 42, "/relative",
        ] {
            expectInvalidMetadata(.webhook, ["url": bad], field: "metadata.url", allowHTTP: true)
        }
        #expect(try create(.webhook, ["url": "https://user:pw@example.com:8443/a?b=c"]).active)
    }

    @Test func enumKeysAreCheckedAndCanonicalised() throws {
        let made = try create(
            .webhook, hook(["http_method": "patch", "payload_mode": "RAW", "hmac_algorithm": "none", "auth_scheme": "None"]))
        #expect(made.metadata["http_method"] == "PATCH")
        #expect(made.metadata["payload_mode"] == "raw")
        #expect(made.metadata["auth_scheme"] == "none")
        expectInvalidMetadata(
            .webhook, hook(["http_method": "GET"]), field: "metadata.http_method",
            message: "http_method must be one of: POST, PUT, PATCH")
        expectInvalidMetadata(.webhook, hook(["payload_mode": "form"]), field: "metadata.payload_mode")
        expectInvalidMetadata(.webhook, hook(["hmac_algorithm": "md5"]), field: "metadata.hmac_algorithm")
        expectInvalidMetadata(.webhook, hook(["auth_scheme": "digest"]), field: "metadata.auth_scheme")
    }

    @Test func authSchemeCompanions() throws {
        expectInvalidMetadata(
            .webhook, hook(["auth_scheme": "basic", "basic_username": "u"]), field: "metadata.basic_password",
            message: "basic_password is required")
        expectInvalidMetadata(
            .webhook, hook(["auth_scheme": "basic", "basic_username": "a:b", "basic_password": "p"]),
            field: "metadata.basic_username")
        #expect(try create(.webhook, hook(["auth_scheme": "basic", "basic_username": "u", "basic_password": "p"])).active)
        expectInvalidMetadata(.webhook, hook(["auth_scheme": "bearer"]), field: "metadata.bearer_token")
        expectInvalidMetadata(.webhook, hook(["auth_scheme": "bearer", "bearer_token": "  "]), field: "metadata.bearer_token")
        #expect(try create(.webhook, hook(["auth_scheme": "bearer", "bearer_token": "t0k"])).active)
        expectInvalidMetadata(
            .webhook, hook(["auth_scheme": "custom_header", "custom_header_name": "X-Key"]),
            field: "metadata.custom_header_value")
        #expect(
            try create(.webhook, hook(["auth_scheme": "custom_header", "custom_header_name": "X-Key", "custom_header_value": "v"])).active)
        // Companions of another scheme are unknown keys: kept, not checked.
        #expect(try create(.webhook, hook(["auth_scheme": "none", "bearer_token": 5])).metadata["bearer_token"] == 5)
    }

    @Test(arguments: [
        "Authorization", "content-type", "Content-Length", "HOST", "Connection", "Transfer-Encoding", "User-Agent",
        "webhook-id", "Webhook-Signature", "X-Meshes-Signature", "x-meshes-anything",
    ])
    func reservedHeaderNamesAreRefused(name: String) {
        expectInvalidMetadata(
            .webhook, hook(["headers": .object([name: "v"])]), field: "metadata.headers.\(name)",
            message: "headers.\(name) is a reserved header name")
        expectInvalidMetadata(
            .webhook, hook(["auth_scheme": "custom_header", "custom_header_name": .string(name), "custom_header_value": "v"]),
            field: "metadata.custom_header_name")
    }

    @Test func theHMACHeaderValueIsReservedToo() throws {
        let metadata = hook(["hmac_algorithm": "sha256", "hmac_header": "X-Sig", "headers": ["x-sig": "1"]])
        expectInvalidMetadata(.webhook, metadata, field: "metadata.headers.x-sig", message: "headers.x-sig is the hmac_header name")
        expectInvalidMetadata(
            .webhook,
            hook(["hmac_header": "X-Sig", "auth_scheme": "custom_header", "custom_header_name": "x-SIG", "custom_header_value": "v"]),
            field: "metadata.custom_header_name")
        expectInvalidMetadata(.webhook, hook(["hmac_header": "Authorization"]), field: "metadata.hmac_header")
        expectInvalidMetadata(.webhook, hook(["hmac_header": "bad header"]), field: "metadata.hmac_header")
        #expect(try create(.webhook, hook(["hmac_header": "X-Sig", "headers": ["X-Other": "1"]])).metadata["hmac_header"] == "X-Sig")
    }

    @Test func headerShapeRules() throws {
        let five: JSONObject = ["A": "1", "B": "2", "C": "3", "D": "4", "E": "5"]
        #expect(try create(.webhook, hook(["headers": .object(five)])).metadata["headers"] == .object(five))
        var six = five
        six["F"] = "6"
        expectInvalidMetadata(
            .webhook, hook(["headers": .object(six)]), field: "metadata.headers", message: "headers must have at most 5 entries")
        expectInvalidMetadata(.webhook, hook(["headers": ["bad name": "v"]]), field: "metadata.headers.bad name")
        expectInvalidMetadata(
            .webhook, hook(["headers": .object([String(repeating: "h", count: 65): "v"])]),
            field: "metadata.headers.\(String(repeating: "h", count: 65))")
        #expect(try create(.webhook, hook(["headers": .object([String(repeating: "h", count: 64): "v"])])).active)
        expectInvalidMetadata(
            .webhook, hook(["headers": ["X-A": "line\r\nInjected: 1"]]), field: "metadata.headers.X-A",
            message: "headers.X-A must not contain CR or LF")
        expectInvalidMetadata(.webhook, hook(["headers": ["X-A": "line\nbreak"]]), field: "metadata.headers.X-A")
        expectInvalidMetadata(
            .webhook, hook(["headers": ["X-A": .string(String(repeating: "v", count: 1025))]]), field: "metadata.headers.X-A")
        #expect(try create(.webhook, hook(["headers": ["X-A": .string(String(repeating: "v", count: 1024))]])).active)
        expectInvalidMetadata(
            .webhook, hook(["headers": ["X-A": 1]]), field: "metadata.headers.X-A", message: "headers.X-A must be a string")
        expectInvalidMetadata(.webhook, hook(["headers": ["X-A": "1", "x-a": "2"]]), field: "metadata.headers.x-a")
        expectInvalidMetadata(.webhook, hook(["headers": ["a", "b"]]), field: "metadata.headers", message: "headers must be an object")
    }

    @Test func signingSecretFormats() throws {
        #expect(WebhookSecret.keyBytes(c2SigningSecret) == Array(0..<32))
        let kept = try create(.webhook, hook(["hmac_algorithm": "sha256", "signing_secret": .string(c2SigningSecret)]))
        #expect(kept.metadata["signing_secret"] == .string(c2SigningSecret))
        #expect(kept.generatesSigningSecret == false)
        #expect(try create(.webhook, hook(["signing_secret": .string(secret(bytes: 24))])).active)
        #expect(try create(.webhook, hook(["signing_secret": .string(secret(bytes: 64))])).active)
        let unpadded = String(c2SigningSecret.dropLast())
        #expect(try create(.webhook, hook(["signing_secret": .string(unpadded)])).active)
        for bad in [secret(bytes: 23), secret(bytes: 65), "whsec_***", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "whsec_"] {
            expectInvalidMetadata(.webhook, hook(["signing_secret": .string(bad)]), field: "metadata.signing_secret")
        }
    }

    @Test func signingSecretGeneration() throws {
        let asked = try create(.webhook, hook(["signing_secret": "generate"]))
        #expect(asked.generatesSigningSecret)
        #expect(asked.metadata["signing_secret"] == nil)
        let implied = try create(.webhook, hook(["hmac_algorithm": "sha512"]))
        #expect(implied.generatesSigningSecret)
        #expect(try create(.webhook, hook(["hmac_algorithm": "none"])).generatesSigningSecret == false)
        let generated = WebhookSecret.generate()
        #expect(generated.hasPrefix("whsec_"))
        #expect(WebhookSecret.keyBytes(generated)?.count == 32)
        #expect(generated != WebhookSecret.generate())
    }

    @Test func previousSecretNeedsAnExpiry() throws {
        expectInvalidMetadata(
            .webhook, hook(["previous_signing_secret": .string(c2SigningSecret)]), field: "metadata.previous_secret_expires_at")
        let rotated = hook([
            "signing_secret": .string(secret(bytes: 32)), "previous_signing_secret": .string(c2SigningSecret),
            "previous_secret_expires_at": "2026-01-02T00:00:00.000Z",
        ])
        #expect(try create(.webhook, rotated).active)
        expectInvalidMetadata(
            .webhook, hook(["previous_signing_secret": "generate", "previous_secret_expires_at": "2026-01-02T00:00:00Z"]),
            field: "metadata.previous_signing_secret")
        expectInvalidMetadata(
            .webhook, hook(["previous_signing_secret": .string(c2SigningSecret), "previous_secret_expires_at": "tomorrow"]),
            field: "metadata.previous_secret_expires_at")
        expectInvalidMetadata(
            .webhook, hook(["previous_signing_secret": .string(c2SigningSecret), "previous_secret_expires_at": "2026-02-30T00:00:00Z"]),
            field: "metadata.previous_secret_expires_at")
    }
}

@Suite("ConnectionValidator: other types")
struct IntegrationMetadataTests {
    @Test(arguments: [IntegrationType.slack, .discord])
    func chatWebhooks(type: IntegrationType) throws {
        expectInvalidMetadata(type, [:], field: "metadata.webhook_url", message: "webhook_url is required")
        expectInvalidMetadata(type, ["webhook_url": "http://hooks.example.com/x"], field: "metadata.webhook_url")
        expectInvalidMetadata(type, ["webhook_url": "https://hooks.example.com/x", "username": 5], field: "metadata.username")
        expectInvalidMetadata(type, ["webhook_url": "https://hooks.example.com/x", "username": ""], field: "metadata.username")
        let made = try create(type, ["webhook_url": "https://hooks.example.com/x", "username": "Meshes"])
        #expect(made.metadata["username"] == "Meshes")
        #expect(made.active)
    }

    @Test func activecampaign() throws {
        expectInvalidMetadata(.activecampaign, ["api_key": "k"], field: "metadata.api_url")
        expectInvalidMetadata(.activecampaign, ["api_url": "acct.api-us1.com", "api_key": "k"], field: "metadata.api_url")
        expectInvalidMetadata(
            .activecampaign, ["api_url": "https://acct.api-us1.com"], field: "metadata.api_key", message: "api_key is required")
        #expect(try create(.activecampaign, ["api_url": "https://acct.api-us1.com", "api_key": "k"]).active)
    }

    @Test func customerIO() throws {
        #expect(try create(.customerIO, ["region": "eu", "cdpApiKey": "k"]).metadata["region"] == "eu")
        #expect(try create(.customerIO, ["region": "US", "cdpApiKey": "k"]).metadata["region"] == "us")
        expectInvalidMetadata(
            .customerIO, ["region": "asia", "cdpApiKey": "k"], field: "metadata.region",
            message: "region must be one of: us, eu")
        expectInvalidMetadata(.customerIO, ["region": "us", "api_key": "k"], field: "metadata.cdpApiKey")
        expectInvalidMetadata(.customerIO, ["cdpApiKey": "k"], field: "metadata.region")
    }

    @Test(arguments: ["us21", "eu1", "ab123"])
    func mailchimpGoodDataCenters(center: String) throws {
        #expect(try create(.mailchimp, ["data_center": .string(center), "api_key": "k-us21"]).active)
    }

    @Test(arguments: [JSONValue.string("US21"), "us1234", "u1", "us", "21us", "us-21", 21])
    func mailchimpBadDataCenters(center: JSONValue) {
        expectInvalidMetadata(.mailchimp, ["data_center": center, "api_key": "k"], field: "metadata.data_center")
    }

    @Test(arguments: [IntegrationType.mailerlite, .resend, .sendgrid])
    func apiKeyOnly(type: IntegrationType) throws {
        expectInvalidMetadata(type, [:], field: "metadata.api_key")
        expectInvalidMetadata(type, ["api_key": 12345], field: "metadata.api_key", message: "api_key must be a string")
        expectInvalidMetadata(type, ["api_key": "a\u{0}b"], field: "metadata.api_key")
        #expect(try create(type, ["api_key": "k"]).active)
    }

    @Test(arguments: [IntegrationType.aweber, .hubspot, .intercom, .pipedrive, .salesforce, .zoom])
    func oauthTypesWithoutTokenAreStoredInactive(type: IntegrationType) throws {
        let bare = try create(type, [:])
        #expect(bare.active == false)
        #expect(bare.inactiveReason == "oauth_reauthorization_required")
        let withToken = try create(type, ["access_token": "tok", "base_url": "https://adapter.example.com"])
        #expect(withToken.active)
        #expect(withToken.inactiveReason == nil)
        expectInvalidMetadata(type, ["access_token": 5], field: "metadata.access_token")
    }

    @Test func requiresOAuthReauthorizationOnlyForOAuthTypes() {
        #expect(ConnectionMetadataValidator.requiresOAuthReauthorization([:], type: .hubspot))
        #expect(ConnectionMetadataValidator.requiresOAuthReauthorization(["access_token": " "], type: .zoom))
        #expect(!ConnectionMetadataValidator.requiresOAuthReauthorization(["access_token": "t"], type: .zoom))
        #expect(!ConnectionMetadataValidator.requiresOAuthReauthorization([:], type: .webhook))
    }
}

@Suite("ConnectionValidator: engine-extension keys")
struct EngineMetadataKeyTests {
    @Test func goodValuesAreNormalised() throws {
        let made = try create(
            .webhook,
            hook([
                "retry_schedule": [5, .double(10), 0, 172_800], "timeout_seconds": 30, "max_concurrency": .double(1),
                "rate_limit_per_second": 1000, "base_url": "https://adapter.example.com", "hmac_header": nil,
            ]))
        #expect(made.metadata["retry_schedule"] == [5, 10, 0, 172_800])
        #expect(made.metadata["max_concurrency"] == 1)
        #expect(made.metadata["hmac_header"] == nil)
        #expect(try create(.resend, ["api_key": "k", "retry_schedule": []]).metadata["retry_schedule"] == [])
    }

    static let badValues: [(String, JSONValue)] = [
        ("retry_schedule", [-1]), ("retry_schedule", [172_801]), ("retry_schedule", ["5"]),
        ("retry_schedule", [.double(1.5)]), ("retry_schedule", 5), ("retry_schedule", .array(Array(repeating: 1, count: 21))),
        ("timeout_seconds", 0), ("timeout_seconds", 31), ("timeout_seconds", "15"), ("max_concurrency", 0),
        ("max_concurrency", 65), ("rate_limit_per_second", 0), ("rate_limit_per_second", 1001),
        ("base_url", "http://adapter.example.com"), ("base_url", "adapter"), ("base_url", true),
    ]

    @Test(arguments: badValues)
    func badValuesAre422(key: String, value: JSONValue) {
        expectInvalidMetadata(.webhook, hook([key: value]), field: "metadata.\(key)")
        expectInvalidMetadata(.sendgrid, ["api_key": "k", key: value], field: "metadata.\(key)")
    }

    @Test func twentyRetriesAreAllowed() throws {
        #expect(try create(.webhook, hook(["retry_schedule": .array(Array(repeating: 60, count: 20))])).active)
    }
}

@Suite("ConnectionSecrets")
struct ConnectionSecretsTests {
    @Test func secretKeysPerType() {
        #expect(
            IntegrationType.webhook.secretMetadataKeys.sorted()
                == ["basic_password", "bearer_token", "custom_header_value", "previous_signing_secret", "signing_secret"])
        #expect(IntegrationType.slack.secretMetadataKeys == ["webhook_url"])
        #expect(IntegrationType.discord.secretMetadataKeys == ["webhook_url"])
        #expect(IntegrationType.customerIO.secretMetadataKeys == ["cdpApiKey"])
        for type in [IntegrationType.activecampaign, .mailchimp, .mailerlite, .resend, .sendgrid] {
            #expect(type.secretMetadataKeys == ["api_key"])
        }
        for type in [IntegrationType.aweber, .hubspot, .intercom, .pipedrive, .salesforce, .zoom] {
            #expect(type.secretMetadataKeys == ["access_token"])
        }
    }

    @Test func redactionReplacesOnlySecretValues() {
        let stored: JSONObject = [
            "url": "https://example.com/h", "signing_secret": .string(c2SigningSecret), "auth_scheme": "bearer",
            "bearer_token": "tok", "hmac_algorithm": "sha256",
        ]
        let redacted = ConnectionSecrets.redact(stored, type: .webhook)
        #expect(
            redacted == [
                "url": "https://example.com/h", "signing_secret": "********", "auth_scheme": "bearer", "bearer_token": "********",
                "hmac_algorithm": "sha256",
            ])
        #expect(
            ConnectionSecrets.redact(["webhook_url": "https://hooks.slack.com/x", "username": "u"], type: .slack)
                == ["webhook_url": "********", "username": "u"])
        #expect(ConnectionSecrets.redact(["api_key": "k", "region": "us"], type: .customerIO) == ["api_key": "k", "region": "us"])
    }

    @Test func putWithPlaceholdersKeepsStoredSecrets() throws {
        let stored: JSONObject = ["region": "us", "cdpApiKey": "real-key"]
        let body: JSONValue = ["name": "CIO", "metadata": .object(ConnectionSecrets.redact(stored, type: .customerIO))]
        let update = try ConnectionValidator.validateUpdate(body, type: .customerIO, storedMetadata: stored)
        #expect(update.metadata == stored)
        let changed = try ConnectionValidator.validateUpdate(
            ["name": "CIO", "metadata": ["region": "eu", "cdpApiKey": "new-key"]], type: .customerIO, storedMetadata: stored)
        #expect(changed.metadata == ["region": "eu", "cdpApiKey": "new-key"])
    }

    @Test func webhookRoundTripThroughRedaction() throws {
        let stored: JSONObject = [
            "url": "https://example.com/h", "hmac_algorithm": "sha256", "signing_secret": .string(c2SigningSecret),
            "auth_scheme": "basic", "basic_username": "u", "basic_password": "p",
        ]
        let body: JSONValue = ["name": "Hook", "metadata": .object(ConnectionSecrets.redact(stored, type: .webhook)), "hidden": true]
        let update = try ConnectionValidator.validateUpdate(body, type: .webhook, storedMetadata: stored)
        #expect(update.metadata == stored)
        #expect(update.generatesSigningSecret == false)
        #expect(update.hidden == true)
        #expect(update.active == nil)
    }

    @Test func placeholderWithNothingStoredIs422() {
        expectValidationError(422, "invalid_metadata", message: "api_key is \"********\" but no value is stored", field: "metadata.api_key")
        {
            () throws(APIError) in try create(.resend, ["api_key": "********"])
        }
        expectValidationError(422, "invalid_metadata", field: "metadata.bearer_token") { () throws(APIError) in
            try ConnectionValidator.validateUpdate(
                ["name": "Hook", "metadata": .object(hook(["auth_scheme": "bearer", "bearer_token": "********"]))],
                type: .webhook, storedMetadata: hook)
        }
    }

    @Test func omittedSecretOnPutIsNotKept() {
        expectValidationError(422, "invalid_metadata", field: "metadata.api_key") { () throws(APIError) in
            try ConnectionValidator.validateUpdate(["name": "R", "metadata": [:]], type: .resend, storedMetadata: ["api_key": "k"])
        }
    }

    @Test func updateFlags() throws {
        let off = try ConnectionValidator.validateUpdate(
            ["name": "Z", "metadata": [:], "active": false], type: .zoom, storedMetadata: [:])
        #expect(off.active == false)
        #expect(off.hidden == nil)
        #expect(off.requiresOAuthReauthorization)
        let on = try ConnectionValidator.validateUpdate(
            ["name": "Z", "metadata": ["access_token": "t"], "active": true], type: .zoom, storedMetadata: [:])
        #expect(on.active == true)
        #expect(on.requiresOAuthReauthorization == false)
        expectValidationError(400, "invalid_request", field: "active") { () throws(APIError) in
            try ConnectionValidator.validateUpdate(["name": "Z", "metadata": [:], "active": "no"], type: .zoom, storedMetadata: [:])
        }
        expectValidationError(400, "invalid_request", message: "metadata is required") { () throws(APIError) in
            try ConnectionValidator.validateUpdate(["name": "Z"], type: .zoom, storedMetadata: [:])
        }
        let regenerated = try ConnectionValidator.validateUpdate(
            ["name": "H", "metadata": .object(hook(["signing_secret": "generate"]))], type: .webhook,
            storedMetadata: hook(["signing_secret": .string(c2SigningSecret)]))
        #expect(regenerated.generatesSigningSecret)
    }
}
