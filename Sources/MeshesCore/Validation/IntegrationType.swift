/// The 15 connection types (§2.3) with their static facts: authentication, metadata keys, secret
/// keys and rule actions (§6.4). Cases are declared in raw-value order, so `allCases` is the stable
/// "by type" order used by listings.
public enum IntegrationType: String, CaseIterable, Sendable, Comparable, Codable {
    case activecampaign
    case aweber
    case customerIO = "customer_io"
    case discord
    case hubspot
    case intercom
    case mailchimp
    case mailerlite
    case pipedrive
    case resend
    case salesforce
    case sendgrid
    case slack
    case webhook
    case zoom

    /// How a connection of the type authenticates (§2.3's Auth column).
    public enum Authentication: String, Sendable {
        case none
        case incomingWebhook = "incoming_webhook"
        case apiKey = "api_key"
        case oauth
    }

    public static func < (lhs: IntegrationType, rhs: IntegrationType) -> Bool { lhs.rawValue < rhs.rawValue }

    public var authentication: Authentication {
        switch self {
        case .webhook: return .none
        case .slack, .discord: return .incomingWebhook
        case .activecampaign, .customerIO, .mailchimp, .mailerlite, .resend, .sendgrid: return .apiKey
        case .aweber, .hubspot, .intercom, .pipedrive, .salesforce, .zoom: return .oauth
        }
    }

    /// Whether connections of this type authorise through OAuth (no flow in v1: a connection without
    /// `access_token` is stored inactive with `oauth_reauthorization_required`).
    public var isOAuth: Bool { authentication == .oauth }

    /// Whether delivery goes through the adapter endpoint of §6.4 (`base_url`) rather than a built-in sender.
    public var usesAdapter: Bool {
        switch self {
        case .webhook, .slack, .discord: return false
        default: return true
        }
    }

    /// Metadata keys a connection must have (§2.3), before the `endpoint` → `url` alias is applied.
    public var requiredMetadataKeys: [String] {
        switch self {
        case .webhook: return ["url"]
        case .slack, .discord: return ["webhook_url"]
        case .activecampaign: return ["api_url", "api_key"]
        case .customerIO: return ["region", "cdpApiKey"]
        case .mailchimp: return ["data_center", "api_key"]
        case .mailerlite, .resend, .sendgrid: return ["api_key"]
        case .aweber, .hubspot, .intercom, .pipedrive, .salesforce, .zoom: return []
        }
    }

    /// Metadata keys that hold secrets: sealed at rest and answered as `"********"` (§2.3, §6.1).
    public var secretMetadataKeys: [String] {
        switch self {
        case .webhook:
            return ["signing_secret", "previous_signing_secret", "basic_password", "bearer_token", "custom_header_value"]
        case .slack, .discord: return ["webhook_url"]
        case .activecampaign, .mailchimp, .mailerlite, .resend, .sendgrid: return ["api_key"]
        case .customerIO: return ["cdpApiKey"]
        case .aweber, .hubspot, .intercom, .pipedrive, .salesforce, .zoom: return ["access_token"]
        }
    }

    /// The metadata key whose value is the adapter's bearer token (§6.4), or nil for built-in senders.
    public var credentialMetadataKey: String? {
        switch self {
        case .webhook, .slack, .discord: return nil
        case .customerIO: return "cdpApiKey"
        case .activecampaign, .mailchimp, .mailerlite, .resend, .sendgrid: return "api_key"
        case .aweber, .hubspot, .intercom, .pipedrive, .salesforce, .zoom: return "access_token"
        }
    }

    /// The mapped field a person action needs (§6.4): `id` for customer_io, else `email`.
    public var identityFieldKey: String { self == .customerIO ? "id" : "email" }

    /// The rule actions of the type, in the order of §6.4's table.
    public var actions: [String] {
        switch self {
        case .activecampaign: return ["add_to_list", "remove_from_list", "add_tag", "remove_tag", "sync_contact"]
        case .aweber: return ["add_to_list", "remove_from_list"]
        case .customerIO: return ["track_event"]
        case .discord: return ["send_message"]
        case .hubspot: return ["add_to_list", "remove_from_list", "update_property"]
        case .intercom: return ["add_tag", "remove_tag"]
        case .mailchimp: return ["add_to_list", "remove_from_list"]
        case .mailerlite: return ["add_to_group", "remove_from_group"]
        case .pipedrive: return ["sync_person", "update_person_field", "add_label_to_person", "remove_label_from_person"]
        case .resend: return ["add_to_segment", "remove_from_segment", "send_email_template"]
        case .salesforce: return ["add_to_campaign", "remove_from_campaign", "update_property"]
        case .sendgrid: return ["send_email_template", "send_email"]
        case .slack: return ["send_message"]
        case .webhook: return ["send_webhook"]
        case .zoom: return ["add_meeting_registrant", "add_webinar_registrant"]
        }
    }

    /// The wire names of all types, in order, for messages.
    static var wireList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
