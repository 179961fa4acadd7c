public import SharedCore

/// Validates connection metadata per type (§2.3, §6.1) plus the engine-extension keys every type
/// accepts (§5). All problems are reported together as 422 `invalid_metadata` with one detail each
/// (`field: "metadata.<key>"`). Unknown keys are kept.
public enum ConnectionMetadataValidator {
    /// Bounds of the engine-extension keys (§5.3, §5.4, §5.8).
    public static let retryScheduleMaxEntries = 20
    public static let retryDelayRange = 0...172_800
    public static let timeoutSecondsRange = 1...30
    public static let maxConcurrencyRange = 1...64
    public static let rateLimitPerSecondRange = 1...1000
    /// Values of customer_io's `region`.
    public static let customerIORegions = ["us", "eu"]

    /// Checks `metadata` (secrets already in clear, `"********"` already resolved) for `type`.
    /// The result has `endpoint` renamed to `url`, `null` optional keys removed, enum values in
    /// canonical case and `signing_secret: "generate"` removed (see `generatesSigningSecret`).
    public static func validate(
        _ metadata: JSONObject, type: IntegrationType, allowHTTP: Bool = false
    ) throws(APIError) -> ValidatedConnectionMetadata {
        var checker = MetadataChecker(metadata, allowHTTP: allowHTTP)
        var generate = false
        switch type {
        case .webhook:
            generate = WebhookMetadataRules.check(&checker)
        case .slack, .discord:
            checker.url("webhook_url", required: true)
            checker.text("username", length: 1...80)
        case .activecampaign:
            checker.url("api_url", required: true)
            _ = checker.secret("api_key", required: true)
        case .customerIO:
            checker.choice("region", customerIORegions, required: true)
            _ = checker.secret("cdpApiKey", required: true)
        case .mailchimp:
            if let center = checker.string("data_center", required: true), !isDataCenter(center) {
                checker.problem("data_center", "must look like \"us21\" (two lowercase letters and 1 to 3 digits)")
            }
            _ = checker.secret("api_key", required: true)
        case .mailerlite, .resend, .sendgrid:
            _ = checker.secret("api_key", required: true)
        case .aweber, .hubspot, .intercom, .pipedrive, .salesforce, .zoom:
            _ = checker.secret("access_token", required: false)
        }
        checkEngineKeys(&checker)
        try checker.check()
        return ValidatedConnectionMetadata(metadata: checker.metadata, generatesSigningSecret: generate)
    }

    /// Whether an OAuth connection with this metadata must be stored inactive with
    /// `oauth_reauthorization_required` (§2.3): the type is OAuth and there is no `access_token`.
    public static func requiresOAuthReauthorization(_ metadata: JSONObject, type: IntegrationType) -> Bool {
        guard type.isOAuth else { return false }
        guard let token = metadata["access_token"]?.stringValue else { return true }
        return ValidationRules.isBlank(token)
    }

    /// `retry_schedule`, `timeout_seconds`, `max_concurrency`, `rate_limit_per_second`, `base_url`.
    static func checkEngineKeys(_ checker: inout MetadataChecker) {
        if let value = checker.value("retry_schedule") {
            let entries = value.arrayValue ?? []
            let delays = entries.compactMap(ValidationRules.integer).filter { retryDelayRange.contains($0) }
            if value.arrayValue == nil || delays.count != entries.count || entries.count > retryScheduleMaxEntries {
                checker.problem(
                    "retry_schedule",
                    "must be a list of at most \(retryScheduleMaxEntries) integers from 0 to \(retryDelayRange.upperBound)")
            } else {
                checker.metadata["retry_schedule"] = .array(delays.map { .int($0) })
            }
        }
        checker.integer("timeout_seconds", timeoutSecondsRange)
        checker.integer("max_concurrency", maxConcurrencyRange)
        checker.integer("rate_limit_per_second", rateLimitPerSecondRange)
        checker.url("base_url", required: false)
    }

    /// `^[a-z]{2}\d{1,3}$`, mailchimp's `data_center`.
    static func isDataCenter(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (3...5).contains(bytes.count) else { return false }
        return bytes[0..<2].allSatisfy { (0x61...0x7A).contains($0) } && bytes[2...].allSatisfy { (0x30...0x39).contains($0) }
    }
}

/// Connection metadata after validation, ready to be sealed and stored.
public struct ValidatedConnectionMetadata: Sendable, Equatable {
    /// The normalised metadata, secrets in clear.
    public var metadata: JSONObject
    /// The store must generate a signing secret (`WebhookSecret.generate()`), put it in
    /// `metadata.signing_secret`, and return it in clear once in this call's response (§6.1):
    /// `signing_secret` was `"generate"`, or absent while `hmac_algorithm` is not `none`.
    public var generatesSigningSecret: Bool

    public init(metadata: JSONObject, generatesSigningSecret: Bool) {
        self.metadata = metadata
        self.generatesSigningSecret = generatesSigningSecret
    }
}
