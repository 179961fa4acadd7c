import MeshesCore
import SharedCore
import Testing

@Suite("Delivery and webhook settings")
struct ConnectionSettingsTests {
    @Test func deliveryDefaults() {
        let settings = DeliverySettings(metadata: ["url": "https://example.com"])
        #expect(settings.retrySchedule == [5, 300, 1800, 7200, 18_000, 36_000, 36_000])
        #expect(settings.maxScheduledAttempts == 8)
        #expect(settings.timeoutSeconds == 15)
        #expect(settings.maxConcurrency == 8)
        #expect(settings.rateLimitPerSecond == nil)
        #expect(settings.baseURL == nil)
    }

    @Test func deliveryValuesFromMetadata() {
        let settings = DeliverySettings(metadata: [
            "retry_schedule": [5, 10], "timeout_seconds": 3, "max_concurrency": 1, "rate_limit_per_second": 20,
            "base_url": "https://adapter.example.com",
        ])
        #expect(settings.retrySchedule == [5, 10])
        #expect(settings.maxScheduledAttempts == 3)
        #expect(settings.timeoutSeconds == 3)
        #expect(settings.maxConcurrency == 1)
        #expect(settings.rateLimitPerSecond == 20)
        #expect(settings.baseURL == "https://adapter.example.com")
        #expect(DeliverySettings(metadata: ["retry_schedule": []]).maxScheduledAttempts == 1)
    }

    @Test func webhookDefaults() {
        let settings = WebhookSettings(metadata: ["url": "https://example.com/h"])
        #expect(settings.url == "https://example.com/h")
        #expect(settings.httpMethod == "POST")
        #expect(settings.rawPayload == false)
        #expect(settings.auth == .none)
        #expect(settings.headers.isEmpty)
        #expect(settings.hmacAlgorithm == "none")
        #expect(settings.hmacHeader == "X-Meshes-Signature")
        #expect(settings.signingSecret == nil)
    }

    @Test func webhookValuesFromValidatedMetadata() throws {
        let made = try ConnectionValidator.validateCreate([
            "workspace": .string(testWorkspaceID), "type": "webhook", "name": "H",
            "metadata": [
                "endpoint": "https://example.com/e", "http_method": "put", "payload_mode": "raw", "auth_scheme": "custom_header",
                "custom_header_name": "X-Key", "custom_header_value": "v", "headers": ["X-B": "2", "X-A": "1"],
                "hmac_algorithm": "sha512", "hmac_header": "X-Sig", "signing_secret": .string(c2SigningSecret),
            ],
        ])
        let settings = WebhookSettings(metadata: made.metadata)
        #expect(settings.url == "https://example.com/e")
        #expect(settings.httpMethod == "PUT")
        #expect(settings.rawPayload)
        #expect(settings.auth == .customHeader(name: "X-Key", value: "v"))
        #expect(settings.headers.map(\.name) == ["X-B", "X-A"])
        #expect(settings.headers.map(\.value) == ["2", "1"])
        #expect(settings.hmacAlgorithm == "sha512")
        #expect(settings.hmacHeader == "X-Sig")
        #expect(settings.signingSecret == c2SigningSecret)
        #expect(
            WebhookSettings(metadata: ["auth_scheme": "basic", "basic_username": "u", "basic_password": "p"]).auth
                == .basic(username: "u", password: "p"))
        #expect(WebhookSettings(metadata: ["auth_scheme": "bearer", "bearer_token": "t"]).auth == .bearer(token: "t"))
    }
}
