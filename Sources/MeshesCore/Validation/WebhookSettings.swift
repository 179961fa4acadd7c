public import SharedCore

/// A webhook connection's (validated, unsealed) metadata with §6.1's defaults applied, for delivery.
public struct WebhookSettings: Sendable, Equatable {
    /// `auth_scheme` with its companion values.
    public enum Auth: Sendable, Equatable {
        case none
        case basic(username: String, password: String)
        case bearer(token: String)
        case customHeader(name: String, value: String)
    }

    public var url: String
    /// `POST`, `PUT` or `PATCH`.
    public var httpMethod: String
    /// True for `payload_mode: raw`.
    public var rawPayload: Bool
    public var auth: Auth
    /// Extra headers in metadata order.
    public var headers: [(name: String, value: String)]
    /// `none`, `sha256` or `sha512`.
    public var hmacAlgorithm: String
    public var hmacHeader: String
    public var signingSecret: String?
    public var previousSigningSecret: String?
    public var previousSecretExpiresAt: String?

    /// Reads validated metadata (`endpoint` already renamed to `url`).
    public init(metadata: JSONObject) {
        func text(_ key: String) -> String? { metadata[key]?.stringValue }
        url = text("url") ?? text("endpoint") ?? ""
        httpMethod = text("http_method") ?? "POST"
        rawPayload = text("payload_mode") == "raw"
        switch text("auth_scheme") {
        case "basic": auth = .basic(username: text("basic_username") ?? "", password: text("basic_password") ?? "")
        case "bearer": auth = .bearer(token: text("bearer_token") ?? "")
        case "custom_header": auth = .customHeader(name: text("custom_header_name") ?? "", value: text("custom_header_value") ?? "")
        default: auth = .none
        }
        headers = (metadata["headers"]?.objectValue ?? JSONObject()).compactMap { entry in
            entry.value.stringValue.map { (name: entry.key, value: $0) }
        }
        hmacAlgorithm = text("hmac_algorithm") ?? "none"
        hmacHeader = text("hmac_header") ?? WebhookMetadataRules.defaultHMACHeader
        signingSecret = text("signing_secret")
        previousSigningSecret = text("previous_signing_secret")
        previousSecretExpiresAt = text("previous_secret_expires_at")
    }

    public static func == (lhs: WebhookSettings, rhs: WebhookSettings) -> Bool {
        lhs.url == rhs.url && lhs.httpMethod == rhs.httpMethod && lhs.rawPayload == rhs.rawPayload && lhs.auth == rhs.auth
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
            && lhs.hmacAlgorithm == rhs.hmacAlgorithm && lhs.hmacHeader == rhs.hmacHeader
            && lhs.signingSecret == rhs.signingSecret && lhs.previousSigningSecret == rhs.previousSigningSecret
            && lhs.previousSecretExpiresAt == rhs.previousSecretExpiresAt
    }
}
