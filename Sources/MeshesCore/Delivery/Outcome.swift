/// The outcome of one delivery attempt (§2.7): what happened, whether it is retried and whether it counts
/// toward the connection's failure streak (§5.5).
public enum Outcome: String, Sendable, CaseIterable {
    case delivered
    case rejectedClientError = "rejected_client_error"
    case rejectedServerError = "rejected_server_error"
    case rateLimited = "rate_limited"
    case authFailed = "auth_failed"
    case timeout
    case networkError = "network_error"
    case mappingError = "mapping_error"
    case internalError = "internal_error"

    /// The outcome of an HTTP response status (redirects are never followed, so 3xx is a client error).
    public init(status: Int) {
        switch status {
        case 200...299: self = .delivered
        case 401, 403: self = .authFailed
        case 429: self = .rateLimited
        case 500...599: self = .rejectedServerError
        default: self = .rejectedClientError
        }
    }

    /// Whether a failure with this outcome gets another scheduled attempt (when the ladder has a slot left).
    /// `410` and `integration_not_supported` are decided by the caller: they are never retried.
    public var isRetried: Bool { self != .delivered && self != .mappingError }

    /// Whether it adds to the failure streak (`delivered` resets it; the others leave it as it is).
    public var countsTowardStreak: Bool {
        switch self {
        case .rejectedClientError, .rejectedServerError, .authFailed, .timeout, .networkError: return true
        case .delivered, .rateLimited, .mappingError, .internalError: return false
        }
    }

    /// Whether the next delay gets the overload penalty (at least 60 s).
    public var hasOverloadPenalty: Bool { self == .timeout || self == .rateLimited }
}
