internal import Foundation
internal import SharedCore

/// When a batch is sent again (§8): `min(60, 2^attempt)` seconds with full jitter, or the server's `Retry-After`
/// capped at 300 seconds.
struct RetryPolicy: Sendable {
    static let ceiling: Double = 60
    static let retryAfterCap: Double = 300

    var maxRetries: Int

    /// The wait before retry number `attempt` (0 for the first retry); `random` is uniform in [0, 1).
    static func delay(attempt: Int, retryAfter: Double?, random: Double) -> Double {
        if let retryAfter { return min(retryAfterCap, max(0, retryAfter)) }
        return random * min(ceiling, Double(1 << min(attempt, 16)))
    }

    /// `Retry-After` in seconds, when the answer carries it as a number.
    static func retryAfter(_ response: ClientResponse) -> Double? {
        response.headers.first { $0.name.lowercased() == "retry-after" }.flatMap { Double($0.value.trimmingCharacters(in: .whitespaces)) }
    }

    /// Whether an answer is worth sending again: 429, 5xx, 409 `idempotency_in_progress`.
    static func isTransient(_ response: ClientResponse) -> Bool {
        if response.status == 429 || response.status >= 500 { return true }
        return response.status == 409 && response.json?["error"]?.stringValue == "idempotency_in_progress"
    }
}
