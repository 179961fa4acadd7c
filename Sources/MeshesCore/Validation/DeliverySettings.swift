public import SharedCore

/// The engine-extension keys of a connection's (validated) metadata with their defaults (§5).
public struct DeliverySettings: Sendable, Equatable {
    /// §5.4's default ladder: 8 attempts.
    public static let defaultRetrySchedule = [5, 300, 1800, 7200, 18_000, 36_000, 36_000]
    public static let defaultTimeoutSeconds = 15
    public static let defaultMaxConcurrency = 8

    /// Delay in seconds after the n-th failed scheduled attempt; empty means a single attempt.
    public var retrySchedule: [Int]
    public var timeoutSeconds: Int
    public var maxConcurrency: Int
    /// nil means no rate limit.
    public var rateLimitPerSecond: Int?
    /// The adapter endpoint of §6.4; nil means `integration_not_supported` for adapter types.
    public var baseURL: String?

    /// Reads validated metadata; absent or malformed keys take their defaults.
    public init(metadata: JSONObject) {
        retrySchedule =
            metadata["retry_schedule"]?.arrayValue.map { $0.compactMap(ValidationRules.integer) }
            ?? Self.defaultRetrySchedule
        timeoutSeconds = metadata["timeout_seconds"].flatMap(ValidationRules.integer) ?? Self.defaultTimeoutSeconds
        maxConcurrency = metadata["max_concurrency"].flatMap(ValidationRules.integer) ?? Self.defaultMaxConcurrency
        rateLimitPerSecond = metadata["rate_limit_per_second"].flatMap(ValidationRules.integer)
        baseURL = metadata["base_url"]?.stringValue
    }

    /// Total scheduled attempts the ladder allows (the first attempt plus one per entry).
    public var maxScheduledAttempts: Int { retrySchedule.count + 1 }
}
